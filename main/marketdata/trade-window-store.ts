import type { Bar } from '../../shared/model/market.js';
import {
  ACC_FIELDS,
  A_BUY_QUOTE,
  A_BUY_VOL,
  A_CLOSE,
  A_CLOSE_ID,
  A_CLOSE_TS,
  A_COUNT,
  A_HIGH,
  A_LOW,
  A_MAX_ID,
  accToBar,
  applyTrade,
  combineAcc,
  fillEmptyAcc,
  resetAcc,
} from './bar-accumulator.js';
import { type ParsedInterval, windowStart } from './bar-interval.js';
import { TradeIdLedger } from './trade-id-ledger.js';

// Literal row offsets in the hot loop (see bar-aggregator.ts: imported bindings are reloaded per access).
const HIGH = 3;
const LOW = 4;
const CLOSE = 5;
const CLOSE_TS = 6;
const CLOSE_ID = 7;
const BUY_VOL = 8;
const BUY_QUOTE = 10;
const COUNT = 12;
if (HIGH !== A_HIGH || LOW !== A_LOW || CLOSE !== A_CLOSE || CLOSE_TS !== A_CLOSE_TS || CLOSE_ID !== A_CLOSE_ID || BUY_VOL !== A_BUY_VOL || BUY_QUOTE !== A_BUY_QUOTE || COUNT !== A_COUNT || A_MAX_ID !== 13) {
  throw new Error('trade-window-store hot-loop offsets no longer match the accumulator layout');
}

/**
 * Base windows of ONE instrument from a finished set of trades (a file): every window is kept until
 * the end, so arrival order does not matter and two stores filled from different parts of a file
 * merge into exactly the store one pass would give. Callers pass valid trades (price and quantity
 * finite and > 0, time ≥ 0, integer ids): the file readers check every row.
 */
export class TradeWindowStore {
  private readonly index = new Map<number, number>();
  private starts: number[] = [];
  private acc = new Float64Array(256 * ACC_FIELDS);
  private readonly ledger = new TradeIdLedger(1);
  private maxId = -Infinity;
  accepted = 0;
  duplicates = 0;
  // The window the last trade went to: in a time-sorted file, nearly every trade goes there too.
  private curEnd = NaN;
  private curOff = 0;

  constructor(readonly intervalMs: number) {}

  get windowCount(): number {
    return this.starts.length;
  }

  /** Adds trades [from, to) of the given columns. side: 1 when the buyer was the maker. */
  addColumns(ts: Float64Array, ids: Float64Array, price: Float64Array, qty: Float64Array, side: Uint8Array, from: number, to: number): void {
    let acc = this.acc;
    let we = this.curEnd;
    let o = this.curOff;
    let max = this.maxId;
    let fast = 0;
    for (let i = from; i < to; i++) {
      const t = ts[i]!;
      const id = ids[i]!;
      const p = price[i]!;
      const q = qty[i]!;
      // A record's closeTs lies inside its window (or is +Inf while empty), so t ≥ closeTs also means t ≥ its start.
      if (t < we && t >= acc[o + CLOSE_TS]! && id === max + 1) {
        max = id;
        acc[o + CLOSE_TS] = t;
        acc[o + CLOSE_ID] = id;
        acc[o + CLOSE] = p;
        if (p > acc[o + HIGH]!) acc[o + HIGH] = p;
        if (p < acc[o + LOW]!) acc[o + LOW] = p;
        const m = side[i]!;
        acc[o + BUY_VOL + m]! += q;
        acc[o + BUY_QUOTE + m]! += p * q;
        acc[o + COUNT]! += 1;
        fast++;
        continue;
      }
      if (!this.ledger.admit(0, id, max)) {
        this.duplicates++;
        continue;
      }
      if (id > max) max = id;
      const w = windowStart(t, this.intervalMs);
      o = this.recordFor(w);
      acc = this.acc;
      we = w + this.intervalMs;
      applyTrade(acc, o, t, id, p, q, side[i]!);
      this.accepted++;
    }
    this.maxId = max;
    this.accepted += fast;
    this.curEnd = we;
    this.curOff = o;
  }

  /** Folds another store (same interval) into this one. */
  merge(other: TradeWindowStore): void {
    if (other.intervalMs !== this.intervalMs) throw new Error('cannot merge window stores of different intervals');
    for (let k = 0; k < other.starts.length; k++) {
      const o = this.recordFor(other.starts[k]!);
      combineAcc(this.acc, o, other.acc, k * ACC_FIELDS);
    }
    this.accepted += other.accepted;
    this.duplicates += other.duplicates;
    this.maxId = Math.max(this.maxId, other.maxId);
  }

  /** Lowest and highest trade id seen (min > max when none). */
  idRange(): { min: number; max: number } {
    return { min: this.ledger.minOf(0), max: this.maxId };
  }

  /**
   * Bars for each interval (each a multiple of this store's interval), oldest first, one per window
   * from the first trade's window to the last trade's, empty windows included.
   */
  toBars(instrumentId: string, intervals: readonly ParsedInterval[]): Map<string, Bar[]> {
    const order = this.starts.map((_, k) => k).sort((a, b) => this.starts[a]! - this.starts[b]!);
    const out = new Map<string, Bar[]>();
    for (const iv of intervals) {
      if (iv.ms % this.intervalMs !== 0) throw new Error(`interval ${iv.label} is not a multiple of the base window (${this.intervalMs} ms)`);
      const bars: Bar[] = [];
      out.set(iv.label, bars);
      if (order.length === 0) continue;
      const tmp = new Float64Array(ACC_FIELDS);
      const first = windowStart(this.starts[order[0]!]!, iv.ms);
      const last = windowStart(this.starts[order[order.length - 1]!]!, iv.ms);
      let prevClose = NaN;
      let k = 0;
      for (let w = first; w <= last; w += iv.ms) {
        resetAcc(tmp, 0);
        const end = w + iv.ms;
        while (k < order.length && this.starts[order[k]!]! < end) {
          combineAcc(tmp, 0, this.acc, order[k]! * ACC_FIELDS);
          k++;
        }
        if (tmp[A_COUNT] === 0) fillEmptyAcc(tmp, 0, prevClose);
        else prevClose = tmp[A_CLOSE]!;
        bars.push(accToBar(tmp, 0, instrumentId, iv.label, iv.ms, w, true));
      }
    }
    return out;
  }

  private recordFor(w: number): number {
    const k = this.index.get(w);
    if (k !== undefined) return k * ACC_FIELDS;
    const n = this.starts.length;
    if ((n + 1) * ACC_FIELDS > this.acc.length) {
      const grown = new Float64Array(this.acc.length * 2);
      grown.set(this.acc);
      this.acc = grown;
    }
    this.starts.push(w);
    this.index.set(w, n);
    resetAcc(this.acc, n * ACC_FIELDS);
    return n * ACC_FIELDS;
  }
}
