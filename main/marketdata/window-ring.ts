import { ACC_FIELDS, resetAcc } from './bar-accumulator.js';

/**
 * The windows of one interval for every instrument: the open window plus the closed ones still
 * inside the grace period, in a ring of `size` entries. All instruments share the window grid and
 * close together (one venue clock), so an entry holds one window for every slot:
 * acc[(entry * capacity + slot) * ACC_FIELDS + field].
 */
export class WindowRing {
  readonly size: number;
  /** Window start held by each entry; NaN while unused. */
  readonly starts: Float64Array;
  acc: Float64Array;
  currentStart = NaN;
  currentEntry = 0;
  /** Closed windows whose completeness is still owed (an instrument of the universe had no bar yet). */
  pendingComplete: number[] = [];

  constructor(
    readonly label: string,
    readonly intervalMs: number,
    /** False for a base interval the caller did not ask for: kept, rolled up, never emitted. */
    readonly emit: boolean,
    graceMs: number,
    private capacity: number,
  ) {
    // Windows still correctable start after clock − grace − interval: at most ceil(grace/interval) + 1 of them.
    this.size = Math.ceil(graceMs / intervalMs) + 1;
    this.starts = new Float64Array(this.size).fill(NaN);
    this.acc = new Float64Array(this.size * capacity * ACC_FIELDS);
  }

  entryOf(windowStartMs: number): number {
    const k = Math.floor(windowStartMs / this.intervalMs) % this.size;
    return k < 0 ? k + this.size : k;
  }

  offset(entry: number, slot: number): number {
    return (entry * this.capacity + slot) * ACC_FIELDS;
  }

  /** Makes `windowStartMs` the open window; the entry it reuses is past grace by construction. */
  open(windowStartMs: number): void {
    const e = this.entryOf(windowStartMs);
    this.currentStart = windowStartMs;
    this.currentEntry = e;
    this.starts[e] = windowStartMs;
    const from = e * this.capacity * ACC_FIELDS;
    for (let o = from, end = from + this.capacity * ACC_FIELDS; o < end; o += ACC_FIELDS) resetAcc(this.acc, o);
  }

  /** Entry of a closed window that may still take late trades, or -1. */
  retainedEntry(windowStartMs: number, clockMs: number, graceMs: number): number {
    if (windowStartMs >= this.currentStart) return -1;
    if (windowStartMs + this.intervalMs + graceMs <= clockMs) return -1;
    const e = this.entryOf(windowStartMs);
    return this.starts[e] === windowStartMs ? e : -1;
  }

  grow(capacity: number): void {
    const next = new Float64Array(this.size * capacity * ACC_FIELDS);
    const oldRow = this.capacity * ACC_FIELDS;
    const newRow = capacity * ACC_FIELDS;
    for (let e = 0; e < this.size; e++) {
      next.set(this.acc.subarray(e * oldRow, (e + 1) * oldRow), e * newRow);
      for (let o = e * newRow + oldRow; o < (e + 1) * newRow; o += ACC_FIELDS) resetAcc(next, o);
    }
    this.acc = next;
    this.capacity = capacity;
  }
}
