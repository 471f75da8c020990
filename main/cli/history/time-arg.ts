import { CliUsageError } from '../command.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A CLI time: epoch milliseconds (digits), `now`, or ISO-8601 — a date (`2024-08-08`, UTC midnight)
 * or a date and time with or without a zone (no zone = UTC, never the machine's local zone).
 */
export function parseTimeArg(value: string, flag: string, nowMs: number): number {
  const v = value.trim();
  let ms: number;
  if (v === 'now') ms = nowMs;
  else if (/^\d+$/.test(v)) ms = Number(v);
  else if (DATE_ONLY.test(v)) ms = Date.parse(`${v}T00:00:00Z`);
  else if (NO_ZONE.test(v)) ms = Date.parse(`${v.replace(' ', 'T')}Z`);
  else if (WITH_ZONE.test(v)) ms = Date.parse(v.replace(' ', 'T'));
  else ms = Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new CliUsageError(`${flag} "${value}" is not a time: use ISO-8601 (2024-08-08, 2024-08-08T23:55:00Z) or epoch milliseconds`);
  }
  // A real calendar date: Date.parse rolls 2024-02-31 into March on some engines.
  const datePart = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (datePart && !WITH_ZONE.test(v)) {
    const d = new Date(ms);
    if (d.getUTCFullYear() !== Number(datePart[1]) || d.getUTCMonth() + 1 !== Number(datePart[2]) || d.getUTCDate() !== Number(datePart[3])) {
      throw new CliUsageError(`${flag} "${value}" is not a real date`);
    }
  }
  return ms;
}
