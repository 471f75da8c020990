import { describe, expect, it } from 'vitest';
import { chooseBaseInterval, parseInterval, timeLabel, windowStart } from '../../../../main/marketdata/bar-interval.js';

const DAY = Date.UTC(2024, 1, 29);

describe('bar intervals', () => {
  it('parses the labels Kestrel accepts and keeps them as written', () => {
    expect(['1m', '5m', '15m', '1h', '4h', '8h', '12h', '24h', '1d', '1440m'].map((l) => [l, parseInterval(l).ms])).toEqual([
      ['1m', 60_000],
      ['5m', 300_000],
      ['15m', 900_000],
      ['1h', 3_600_000],
      ['4h', 14_400_000],
      ['8h', 28_800_000],
      ['12h', 43_200_000],
      ['24h', 86_400_000],
      ['1d', 86_400_000],
      ['1440m', 86_400_000],
    ]);
    for (const bad of ['', '5', 'm5', '0m', '7m', '5h', '2d', '1w', '5M']) expect(() => parseInterval(bad), bad).toThrow();
  });

  it('labels windows 1..N within the UTC day', () => {
    expect(timeLabel(DAY, 300_000)).toBe(1);
    expect(timeLabel(DAY + 86_400_000 - 300_000, 300_000)).toBe(288);
    expect(timeLabel(DAY + 13 * 3_600_000, 3_600_000)).toBe(14);
    expect(timeLabel(DAY + 16 * 3_600_000, 28_800_000)).toBe(3);
    expect(windowStart(DAY + 299_999, 300_000)).toBe(DAY);
    expect(windowStart(DAY + 300_000, 300_000)).toBe(DAY + 300_000);
  });

  it('rolls everything up from 5m unless an interval is not a multiple of it', () => {
    const pick = (...ls: string[]) => chooseBaseInterval(ls.map(parseInterval), parseInterval('5m')).label;
    expect(pick('5m', '1h', '24h')).toBe('5m');
    expect(pick('1h', '4h')).toBe('5m');
    expect(pick('1m', '5m', '1h')).toBe('1m');
    expect(pick('3m', '1h')).toBe('1m');
    expect(pick('2m', '15m')).toBe('1m');
  });
});
