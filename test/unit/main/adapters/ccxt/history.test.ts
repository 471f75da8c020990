import { describe, expect, it } from 'vitest';
import { timeframeMs, timeLabelOf } from '../../../../../main/adapters/ccxt/history.js';

describe('history helpers', () => {
  it('timeframeMs reads 1m/5m/1h/1d/1w and refuses the rest', () => {
    expect([timeframeMs('1m'), timeframeMs('5m'), timeframeMs('4h'), timeframeMs('1d'), timeframeMs('1w')]).toEqual([60_000, 300_000, 14_400_000, 86_400_000, 604_800_000]);
    expect(() => timeframeMs('5x')).toThrow(/interval "5x" must look like/);
  });

  it('timeLabelOf is the 1-based window of the UTC day (1..288 for 5m)', () => {
    const day = Date.UTC(2024, 7, 8);
    expect(timeLabelOf(day, 300_000)).toBe(1);
    expect(timeLabelOf(day + 86_400_000 - 300_000, 300_000)).toBe(288);
    expect(timeLabelOf(day + 3_600_000, 3_600_000)).toBe(2);
    expect(timeLabelOf(day + 5, 86_400_000)).toBe(1);
  });
});
