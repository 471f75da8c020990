/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl, so engines stay free of
 * node:* and extra dependencies. Resolution is one second, which is all a daily schedule needs.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The wall time written as if it were UTC, in ms: what a zone's offset is measured against. */
function wallAsUtcMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai: +8h). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtcMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

/**
 * The instant a wall time happens in a zone, resolved as Temporal's 'compatible' disambiguation:
 * a time that occurs twice (clocks going back) means its first occurrence; a time skipped by
 * clocks going forward is moved forward by the gap (02:30 on a 02:00→03:00 night becomes 03:30).
 */
export function instantOfWallTime(w: WallTime, timeZone: string): number {
  const local = wallAsUtcMs(w);
  // Offsets a day either side bracket any transition near this wall time.
  const before = zoneOffsetMs(local - 86_400_000, timeZone);
  const after = zoneOffsetMs(local + 86_400_000, timeZone);
  const candidates = [local - before, local - after].filter((t) => t + zoneOffsetMs(t, timeZone) === local);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before;
}

/** `YYYY-MM-DD` of the wall-clock date in a zone at an instant. */
export function zonedDateOf(epochMs: number, timeZone: string): string {
  const w = wallTimeAt(epochMs, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}
