import { z } from 'zod';
import { instantOfWallTime, isValidTimeZone, wallTimeAt, zonedDateOf } from './zoned-time.js';

/** When the universe is rebuilt each day: seed 004 does it at 23:55 Beijing time. */
export const RefreshScheduleConfig = z
  .object({
    /** Local wall time, 24h `HH:MM`. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM on a 24h clock, e.g. 23:55').default('23:55'),
    /** IANA zone, e.g. Asia/Shanghai, Europe/London, America/New_York. */
    timeZone: z.string().refine(isValidTimeZone, 'timeZone must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  })
  .strict();
export type RefreshScheduleConfig = z.infer<typeof RefreshScheduleConfig>;

export const DEFAULT_REFRESH_SCHEDULE: RefreshScheduleConfig = { time: '23:55', timeZone: 'Asia/Shanghai' };

/**
 * The first instant strictly after `nowMs` at which the zone's clocks read `schedule.time`: at most
 * once per local day. On a night when clocks skip that time it fires just after the jump (02:30 on
 * a 02:00→03:00 night fires at 03:30); when they repeat it, at the first occurrence only.
 */
export function nextRefreshMs(nowMs: number, schedule: RefreshScheduleConfig = DEFAULT_REFRESH_SCHEDULE): number {
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const today = wallTimeAt(nowMs, schedule.timeZone);
  // Walk local calendar days from today; two days ahead always contains the answer.
  for (let ahead = 0; ahead <= 2; ahead++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const at = instantOfWallTime(
      { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour, minute, second: 0 },
      schedule.timeZone,
    );
    if (at > nowMs) return at;
  }
  throw new Error(`no ${schedule.time} ${schedule.timeZone} found within two days of ${new Date(nowMs).toISOString()}`);
}

/** The universe date (`YYYY-MM-DD`) a refresh at `atMs` files under: the local date in the schedule's zone. */
export function universeDateOf(atMs: number, schedule: RefreshScheduleConfig = DEFAULT_REFRESH_SCHEDULE): string {
  return zonedDateOf(atMs, schedule.timeZone);
}
