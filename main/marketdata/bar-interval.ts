import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../shared/model/time.js';

/** A bar interval as configured ('5m', '1h', '24h', '1d') and its length. */
export interface ParsedInterval {
  /** Exactly as given: output files and events carry the label the user wrote. */
  label: string;
  ms: number;
}

const UNIT_MS: Record<string, number> = { m: MS_PER_MINUTE, h: MS_PER_HOUR, d: MS_PER_DAY };

/**
 * Parses '1m', '5m', '1h', '24h', '1d'. Windows are aligned to UTC days, so an interval must divide
 * 24 h exactly (7m or 5h would straddle midnight and break time_label).
 */
export function parseInterval(label: string): ParsedInterval {
  const m = /^(\d+)(m|h|d)$/.exec(label);
  if (!m) throw new Error(`interval "${label}" must look like 1m, 5m, 1h, 4h, 24h or 1d`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (ms <= 0) throw new Error(`interval "${label}" must be longer than zero`);
  if (ms > MS_PER_DAY || MS_PER_DAY % ms !== 0) {
    throw new Error(`interval "${label}" does not divide a UTC day evenly; windows must align to UTC midnight`);
  }
  return { label, ms };
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Start of the window (aligned to the epoch, hence to UTC days) that holds `tsMs`. */
export function windowStart(tsMs: number, intervalMs: number): number {
  return Math.floor(tsMs / intervalMs) * intervalMs;
}

/** 1-based index of the window within its UTC day: 1..288 for 5m, 1..24 for 1h, 1 for 24h. */
export function timeLabel(openTimeMs: number, intervalMs: number): number {
  const intoDay = ((openTimeMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return Math.floor(intoDay / intervalMs) + 1;
}

/**
 * The interval every other configured interval is rolled up from: the preferred base (5m) when all
 * configured intervals are multiples of it, otherwise the greatest common divisor (1m with 1m and 5m),
 * so each output interval is a whole number of base windows.
 */
export function chooseBaseInterval(intervals: ParsedInterval[], preferred: ParsedInterval): ParsedInterval {
  let ms = preferred.ms;
  for (const i of intervals) ms = gcd(ms, i.ms);
  if (ms === preferred.ms) return preferred;
  const same = intervals.find((i) => i.ms === ms);
  if (same) return same;
  // Every parseable interval is a whole number of minutes, so their divisor is too.
  return { label: `${ms / MS_PER_MINUTE}m`, ms };
}
