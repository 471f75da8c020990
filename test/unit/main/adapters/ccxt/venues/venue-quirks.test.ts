import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CCXT_VENUE_IDS } from '../../../../../../main/adapters/ccxt/config.js';
import { venueQuirks } from '../../../../../../main/adapters/ccxt/venues/index.js';

/** Each venue's rule for client order ids, from its API docs. */
const RULES: Record<string, RegExp> = {
  binance: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  binanceusdm: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  okx: /^[A-Za-z0-9]{1,32}$/,
  bybit: /^[A-Za-z0-9_-]{1,36}$/,
  gate: /^t-[A-Za-z0-9_.-]{1,28}$/,
  hyperliquid: /^0x[0-9a-f]{32}$/,
};

describe('venue client order ids', () => {
  it.each(CCXT_VENUE_IDS.map((v) => [v]))('%s: always valid, stable, and distinct for distinct Kestrel ids', (venue) => {
    const q = venueQuirks(venue);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ minLength: 1, maxLength: 64 }), (a, b) => {
        const va = q.venueClientOrderId(a);
        expect(va).toMatch(RULES[venue]!);
        expect(q.venueClientOrderId(a)).toBe(va);
        if (a !== b) expect(q.venueClientOrderId(b)).not.toBe(va);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a plain short id as it is where the venue allows', () => {
    expect(venueQuirks('binanceusdm').venueClientOrderId('twap-42_slice-3')).toBe('twap-42_slice-3');
    expect(venueQuirks('gate').venueClientOrderId('twap42')).toBe('t-twap42');
  });
});

describe('venue capabilities', () => {
  it('funding cadence defaults: 8h everywhere but Hyperliquid (1h); none for Binance spot', () => {
    expect(Object.fromEntries(CCXT_VENUE_IDS.map((v) => [v, venueQuirks(v).defaultFundingIntervalHours]))).toEqual({ binance: null, binanceusdm: 8, okx: 8, bybit: 8, gate: 8, hyperliquid: 1 });
  });
});
