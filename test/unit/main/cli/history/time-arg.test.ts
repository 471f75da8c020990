import { describe, expect, it } from 'vitest';
import { parseTimeArg } from '../../../../../main/cli/history/time-arg.js';

const NOW = 1_723_161_600_000;

describe('parseTimeArg', () => {
  it('reads epoch ms, now, dates (UTC midnight) and times with or without a zone (no zone = UTC)', () => {
    expect(parseTimeArg('1723161255000', '--from', NOW)).toBe(1_723_161_255_000);
    expect(parseTimeArg('now', '--to', NOW)).toBe(NOW);
    expect(parseTimeArg('2024-08-08', '--from', NOW)).toBe(Date.UTC(2024, 7, 8));
    expect(parseTimeArg('2024-08-08T23:55', '--from', NOW)).toBe(Date.UTC(2024, 7, 8, 23, 55));
    expect(parseTimeArg('2024-08-08 23:55:01.5', '--from', NOW)).toBe(Date.UTC(2024, 7, 8, 23, 55, 1, 500));
    expect(parseTimeArg('2024-08-09T07:55:00+08:00', '--from', NOW)).toBe(Date.UTC(2024, 7, 8, 23, 55));
  });

  it('refuses what is not a time, naming the flag and the value', () => {
    expect(() => parseTimeArg('yesterday', '--from', NOW)).toThrow('--from "yesterday" is not a time: use ISO-8601 (2024-08-08, 2024-08-08T23:55:00Z) or epoch milliseconds');
    expect(() => parseTimeArg('2024-13-01', '--to', NOW)).toThrow(/^--to "2024-13-01" is not a time/);
    expect(() => parseTimeArg('2024-02-30', '--to', NOW)).toThrow('--to "2024-02-30" is not a real date');
    expect(() => parseTimeArg('-5', '--to', NOW)).toThrow(/is not a time/);
  });
});
