import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePartitionValue, encodePartitionValue, utcDateOf, utcDayStartMs } from '../../../../../main/storage/parquet/hive-path.js';

describe('partition values', () => {
  it('escapes ccxt symbols the way Hive and Spark do', () => {
    expect(encodePartitionValue('BTC/USDT:USDT')).toBe('BTC%2FUSDT%3AUSDT');
    expect(encodePartitionValue('1000PEPE/USDT:USDT')).toBe('1000PEPE%2FUSDT%3AUSDT');
    expect(encodePartitionValue('STK:AAPL:SMART:USD')).toBe('STK%3AAAPL%3ASMART%3AUSD');
    expect(encodePartitionValue('a=b')).toBe('a%3Db');
    expect(encodePartitionValue('..')).toBe('%2E%2E');
    expect(encodePartitionValue('€')).toBe('%E2%82%AC');
  });

  it('round-trips any string and never yields a path separator, colon, equals sign or dot', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), (value) => {
        const encoded = encodePartitionValue(value);
        expect(encoded).toMatch(/^[A-Za-z0-9_%-]+$/);
        expect(decodePartitionValue(encoded)).toBe(value);
      }),
    );
  });

  it('refuses an empty value and a malformed escape', () => {
    expect(() => encodePartitionValue('')).toThrow(/must not be empty/);
    expect(() => decodePartitionValue('%E2%82')).toThrow(/not valid percent-encoding/);
  });
});

describe('UTC dates', () => {
  it('puts the last millisecond of a day in that day and midnight in the next', () => {
    const midnight = Date.UTC(2024, 7, 9);
    expect(utcDateOf(midnight - 1)).toBe('2024-08-08');
    expect(utcDateOf(midnight)).toBe('2024-08-09');
    expect(utcDayStartMs('2024-08-09')).toBe(midnight);
    expect(() => utcDayStartMs('2024-8-9')).toThrow(/not a YYYY-MM-DD date/);
  });
});
