import { describe, expect, it } from 'vitest';
import { nextRefreshMs, universeDateOf } from '../../../../../main/marketdata/universe/refresh-schedule.js';
import { instantOfWallTime, zoneOffsetMs } from '../../../../../main/marketdata/universe/zoned-time.js';

// Expected instants are written out in UTC by hand from each zone's published rules.
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('nextRefreshMs, default 23:55 Asia/Shanghai (UTC+8, no DST)', () => {
  it('fires at 15:55 UTC, strictly after now, once a day', () => {
    expect(iso(nextRefreshMs(at('2025-01-10T15:54:59.999Z')))).toBe('2025-01-10T15:55:00.000Z');
    expect(iso(nextRefreshMs(at('2025-01-10T15:55:00.000Z')))).toBe('2025-01-11T15:55:00.000Z');
    expect(iso(nextRefreshMs(at('2025-01-10T16:30:00.000Z')))).toBe('2025-01-11T15:55:00.000Z');
    // 00:10 Beijing is still the previous UTC day: the next run is that same Beijing day's 23:55.
    expect(iso(nextRefreshMs(at('2025-01-10T16:10:00.000Z')))).toBe('2025-01-11T15:55:00.000Z');
  });

  it('files the run under the Beijing date', () => {
    expect(universeDateOf(at('2025-01-10T15:55:00.000Z'))).toBe('2025-01-10');
    expect(universeDateOf(at('2025-01-10T16:00:00.000Z'))).toBe('2025-01-11');
  });

  it('crosses a month and a leap day', () => {
    expect(iso(nextRefreshMs(at('2024-02-28T16:00:00.000Z')))).toBe('2024-02-29T15:55:00.000Z');
    expect(iso(nextRefreshMs(at('2024-12-31T15:56:00.000Z')))).toBe('2025-01-01T15:55:00.000Z');
  });
});

describe('nextRefreshMs in zones with daylight saving', () => {
  const ny = (time: string) => ({ time, timeZone: 'America/New_York' });
  const london = (time: string) => ({ time, timeZone: 'Europe/London' });

  it('follows the offset change (New York EST −5 → EDT −4 on 2024-03-10)', () => {
    expect(iso(nextRefreshMs(at('2024-03-09T12:00:00Z'), ny('23:55')))).toBe('2024-03-10T04:55:00.000Z');
    expect(iso(nextRefreshMs(at('2024-03-10T12:00:00Z'), ny('23:55')))).toBe('2024-03-11T03:55:00.000Z');
  });

  it('runs a skipped wall time just after the jump (02:30 on 2024-03-10 New York → 03:30 EDT)', () => {
    expect(iso(nextRefreshMs(at('2024-03-10T05:00:00Z'), ny('02:30')))).toBe('2024-03-10T07:30:00.000Z');
    expect(iso(nextRefreshMs(at('2024-03-10T07:30:00Z'), ny('02:30')))).toBe('2024-03-11T06:30:00.000Z');
  });

  it('runs a repeated wall time once, at its first occurrence (01:30 on 2024-11-03 New York)', () => {
    expect(iso(nextRefreshMs(at('2024-11-03T04:00:00Z'), ny('01:30')))).toBe('2024-11-03T05:30:00.000Z');
    // Between the two 01:30s (EDT 05:30Z, EST 06:30Z) the next run is the next day.
    expect(iso(nextRefreshMs(at('2024-11-03T06:00:00Z'), ny('01:30')))).toBe('2024-11-04T06:30:00.000Z');
  });

  it('handles London (GMT → BST at 01:00 on 2024-03-31, back on 2024-10-27)', () => {
    expect(iso(nextRefreshMs(at('2024-03-30T23:00:00Z'), london('01:15')))).toBe('2024-03-31T01:15:00.000Z');
    expect(iso(nextRefreshMs(at('2024-10-26T12:00:00Z'), london('23:55')))).toBe('2024-10-26T22:55:00.000Z');
    expect(iso(nextRefreshMs(at('2024-10-27T12:00:00Z'), london('23:55')))).toBe('2024-10-27T23:55:00.000Z');
  });

  it('handles a southern-hemisphere zone and a half-hour zone', () => {
    // Sydney: AEDT +11 until 2024-04-07 03:00 → AEST +10.
    expect(iso(nextRefreshMs(at('2024-04-06T00:00:00Z'), { time: '23:55', timeZone: 'Australia/Sydney' }))).toBe('2024-04-06T12:55:00.000Z');
    expect(iso(nextRefreshMs(at('2024-04-07T00:00:00Z'), { time: '23:55', timeZone: 'Australia/Sydney' }))).toBe('2024-04-07T13:55:00.000Z');
    expect(iso(nextRefreshMs(at('2024-06-01T00:00:00Z'), { time: '09:00', timeZone: 'Asia/Kolkata' }))).toBe('2024-06-01T03:30:00.000Z');
  });
});

describe('zoned time helpers', () => {
  it('reads offsets and resolves wall times', () => {
    expect(zoneOffsetMs(at('2024-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    expect(zoneOffsetMs(at('2024-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(iso(instantOfWallTime({ year: 2024, month: 7, day: 1, hour: 0, minute: 0, second: 0 }, 'UTC'))).toBe('2024-07-01T00:00:00.000Z');
  });
});
