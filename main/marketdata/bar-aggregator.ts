import type { Bar, TradeTick } from '../../shared/model/market.js';
import { MS_PER_DAY } from '../../shared/model/time.js';
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
  accHasBar,
  accToBar,
  applyTrade,
  combineAcc,
  fillEmptyAcc,
  resetAcc,
} from './bar-accumulator.js';
import { chooseBaseInterval, parseInterval, windowStart } from './bar-interval.js';
import { TRADE_REJECT_REASONS, type AggregatorStats, type BarEventKind, type BarSink, type TradeRejectReason } from './bar-events.js';
import type { TradeBatch } from './trade-batch.js';
import { TradeIdLedger } from './trade-id-ledger.js';
import { WindowRing } from './window-ring.js';

export interface BarAggregatorOptions {
  /** Output intervals, e.g. ['1m', '5m', '1h', '4h', '8h', '12h', '24h']; each must divide a UTC day. */
  intervals: string[];
  /** Interval aggregated from trades; the others are rolled up from it. Default '5m' (the gcd when an interval is not a multiple). */
  baseInterval?: string;
  /** How long (venue time) after a window ends a late trade still corrects its bar. */
  graceMs: number;
  /** Instruments whose bars make a window complete; without it, every instrument with a price. */
  universe?: string[];
  sink: BarSink;
  /** A trade or clock more than this ahead of the venue clock is refused as a broken time. Default 7 days. */
  maxGapMs?: number;
}

/** Remembered string ids per instrument for venues whose trade ids are not numbers. */
const STRING_ID_MEMORY = 65_536;

// The hot loops index the accumulator row with literal offsets: V8 reloads an imported binding on
// every access there, which cost ~20% of throughput. Checked against the layout once, at load.
const F = 16;
const HIGH = 3;
const LOW = 4;
const CLOSE = 5;
const CLOSE_TS = 6;
const CLOSE_ID = 7;
const BUY_VOL = 8;
const BUY_QUOTE = 10;
const COUNT = 12;
const MAX_ID = 13;
if (
  F !== ACC_FIELDS || HIGH !== A_HIGH || LOW !== A_LOW || CLOSE !== A_CLOSE || CLOSE_TS !== A_CLOSE_TS || CLOSE_ID !== A_CLOSE_ID ||
  BUY_VOL !== A_BUY_VOL || BUY_QUOTE !== A_BUY_QUOTE || COUNT !== A_COUNT || MAX_ID !== A_MAX_ID
) {
  throw new Error('bar-aggregator hot-loop offsets no longer match the accumulator layout');
}

/**
 * Trades → bars for many instruments at once, in flat typed arrays (no object per trade or bar on
 * the hot path). One venue clock drives closing: the latest trade time or `advanceTo` heartbeat,
 * never the local clock. See /work/notes/readme-aggregator.md for the rules on closing, late trades,
 * duplicates and completeness.
 */
export class BarAggregator {
  private readonly sink: BarSink;
  private readonly graceMs: number;
  private readonly maxGapMs: number;
  private readonly base: WindowRing;
  /** Intervals rolled up from the base, ascending. */
  private readonly rolled: WindowRing[];
  private readonly byLabel = new Map<string, WindowRing>();
  private readonly slotIndex = new Map<string, number>();
  private readonly instrumentIds: string[] = [];
  private capacity = 16;
  private ledger: TradeIdLedger;
  /** Close of each instrument's latest trade; NaN until it has a price. */
  private lastClose: Float64Array;
  private universeSlots: Int32Array | null = null;
  private stringIds = new Map<number, { seen: Set<string>; order: string[]; next: number }>();
  /** Per batch-local instrument of the batch being added: its row in the open base window. */
  private rowOf = new Int32Array(64);
  private batchSlots = new Int32Array(64);
  private maxIdCarry = new Float64Array(16);
  private scratch = new Float64Array(ACC_FIELDS);

  private clockMs = NaN;
  private firstWindowMs = NaN;
  private flushed = false;
  // Hot-path copies of the base ring's open window.
  private curStart = NaN;
  private curEnd = NaN;
  private curOff = 0;

  private readonly counters: AggregatorStats = {
    accepted: 0,
    rejected: Object.fromEntries(TRADE_REJECT_REASONS.map((r) => [r, 0])) as Record<TradeRejectReason, number>,
    finalBars: 0,
    corrections: 0,
    completeWindows: 0,
    forgottenIdGaps: 0,
  };

  constructor(o: BarAggregatorOptions) {
    if (!(o.graceMs >= 0 && o.graceMs <= MS_PER_DAY)) throw new Error(`graceMs must be between 0 and one day, got ${o.graceMs}`);
    if (o.intervals.length === 0) throw new Error('at least one bar interval is required');
    this.sink = o.sink;
    this.graceMs = o.graceMs;
    this.maxGapMs = o.maxGapMs ?? 7 * MS_PER_DAY;
    const wanted = o.intervals.map(parseInterval);
    const seen = new Set<number>();
    for (const w of wanted) {
      if (seen.has(w.ms)) throw new Error(`interval "${w.label}" is configured twice`);
      seen.add(w.ms);
    }
    const base = chooseBaseInterval(wanted, parseInterval(o.baseInterval ?? '5m'));
    const baseWanted = wanted.find((w) => w.ms === base.ms);
    this.base = new WindowRing(baseWanted?.label ?? base.label, base.ms, baseWanted !== undefined, o.graceMs, this.capacity);
    this.rolled = wanted
      .filter((w) => w.ms !== base.ms)
      .sort((a, b) => a.ms - b.ms)
      .map((w) => new WindowRing(w.label, w.ms, true, o.graceMs, this.capacity));
    for (const r of [this.base, ...this.rolled]) this.byLabel.set(r.label, r);
    this.ledger = new TradeIdLedger(this.capacity);
    this.lastClose = new Float64Array(this.capacity).fill(NaN);
    if (o.universe) this.setUniverse(o.universe);
  }

  /** The aggregator's index for an instrument (registering it). Stable for the aggregator's life. */
  slotOf(instrumentId: string): number {
    const s = this.slotIndex.get(instrumentId);
    return s === undefined ? this.register(instrumentId) : s;
  }

  /** Replaces the universe the completeness event waits for (e.g. a new daily universe version). */
  setUniverse(instrumentIds: string[]): void {
    this.universeSlots = Int32Array.from(instrumentIds, (id) => this.slotOf(id));
  }

  /** Gives an instrument a previous close (from history), so its empty windows have a bar before its first trade. */
  seedClose(instrumentId: string, close: number): void {
    if (!(close > 0 && close < Infinity)) throw new Error(`seed close for ${instrumentId} must be a finite price > 0, got ${close}`);
    const s = this.slotOf(instrumentId);
    if (Number.isNaN(this.lastClose[s])) this.lastClose[s] = close;
  }

  /** Venue time in epoch ms (NaN before the first trade or heartbeat). */
  get venueTimeMs(): number {
    return this.clockMs;
  }

  /** Bytes of the typed arrays the aggregator holds (windows, ids, closes): independent of trade count. */
  stateBytes(): number {
    let n = this.lastClose.byteLength + this.ledger.byteLength + this.rowOf.byteLength + this.batchSlots.byteLength;
    for (const r of [this.base, ...this.rolled]) n += r.acc.byteLength + r.starts.byteLength;
    return n;
  }

  stats(): AggregatorStats {
    return { ...this.counters, rejected: { ...this.counters.rejected }, forgottenIdGaps: this.ledger.forgottenGaps };
  }

  /**
   * One trade. `tradeId` is the venue's integer id (≥ 0), or -1 when it has none: such trades are
   * not de-duplicated, and on equal times the first to arrive opens and the last closes.
   */
  addTrade(instrumentId: string, tradeId: number, tsMs: number, price: number, qty: number, isBuyerMaker: boolean): void {
    const s = this.slotIndex.get(instrumentId) ?? this.register(instrumentId);
    this.addTradeAt(s, tradeId, tsMs, price, qty, isBuyerMaker ? 1 : 0);
  }

  /**
   * TradeTicks as the gateways deliver them. A numeric tradeId string (digits only, below 2^53) is
   * the id; any other id (UUIDs) is de-duplicated by its text among the instrument's last 65,536 and
   * the trade is ordered by arrival on equal times.
   */
  addTicks(ticks: readonly TradeTick[]): void {
    for (const t of ticks) {
      const s = this.slotIndex.get(t.instrumentId) ?? this.register(t.instrumentId);
      let id = numericTradeId(t.tradeId);
      if (id < 0 && t.tradeId !== '') {
        if (!this.admitStringId(s, t.tradeId)) {
          this.reject('duplicate', s, -1, t.tsEvent, t.price, t.quantity);
          continue;
        }
        id = -1;
      }
      this.addTradeAt(s, id, t.tsEvent, t.price, t.quantity, t.side === 'sell' ? 1 : 0);
    }
  }

  /** A columnar batch (the hot path between threads). */
  addBatch(batch: TradeBatch): void {
    const n = batch.instrumentIds.length;
    if (this.batchSlots.length < n) {
      this.batchSlots = new Int32Array(Math.max(n, this.batchSlots.length * 2));
      this.rowOf = new Int32Array(this.batchSlots.length);
    }
    for (let k = 0; k < n; k++) this.batchSlots[k] = this.slotOf(batch.instrumentIds[k]!);
    const len = batch.length;
    let i = 0;
    let rowsFor = -1;
    while (i < len) {
      // Rows move only when the window rolls (a slow trade did it): recompute then, not per slow trade.
      if (rowsFor !== this.curOff) {
        for (let k = 0; k < n; k++) this.rowOf[k] = this.curOff + this.batchSlots[k]! * F;
        rowsFor = this.curOff;
      }
      i = this.scanBatch(batch, i, len);
      if (i >= len) break;
      const ss = batch.slotSide[i]!;
      const local = ss >>> 1;
      // NaN base: this instrument's trades carry no ids.
      const id = batch.idBase[local]! + batch.idOffset[i]!;
      this.slowTrade(this.batchSlots[local]!, Number.isNaN(id) ? -1 : id, batch.tsBaseMs + batch.tsOffsetMs[i]!, batch.price[i]!, batch.qty[i]!, ss & 1);
      i++;
    }
  }

  /**
   * Venue heartbeat: venue time has reached `venueTimeMs`, so every window that ended by then is
   * final. Returns false when the time is refused (not a number, or more than maxGapMs ahead).
   */
  advanceTo(venueTimeMs: number): boolean {
    if (this.flushed || !(venueTimeMs >= 0 && venueTimeMs < Number.MAX_SAFE_INTEGER)) return false;
    if (Number.isNaN(this.clockMs)) {
      this.startClock(venueTimeMs);
      return true;
    }
    if (venueTimeMs - this.clockMs > this.maxGapMs) return false;
    this.advanceClock(venueTimeMs);
    return true;
  }

  /**
   * End of input (a file, a replay): the open windows are emitted as final, without a completeness
   * event (they did not end). The aggregator then refuses further trades.
   */
  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    // Shut the hot path: every later trade goes to slowTrade, which refuses it.
    this.curStart = NaN;
    this.curEnd = NaN;
    if (Number.isNaN(this.clockMs)) return;
    const b = this.base;
    this.settleBaseWindow();
    if (b.emit) this.emitWindow(b, b.currentEntry, b.currentStart, 'final');
    for (const r of this.rolled) {
      this.fillEmpty(r, r.currentEntry);
      this.emitWindow(r, r.currentEntry, r.currentStart, 'final');
    }
  }

  /** The forming bar of the open window (final: false), or undefined if the instrument has no price yet. */
  partialBar(instrumentId: string, interval: string): Bar | undefined {
    const ring = this.byLabel.get(interval);
    const s = this.slotIndex.get(instrumentId);
    if (!ring || s === undefined || Number.isNaN(this.clockMs)) return undefined;
    const tmp = this.scratch;
    resetAcc(tmp, 0);
    combineAcc(tmp, 0, ring.acc, ring.offset(ring.currentEntry, s));
    // A rolled window holds the closed base windows; the open base window is not folded in yet.
    if (ring !== this.base) combineAcc(tmp, 0, this.base.acc, this.base.offset(this.base.currentEntry, s));
    if (tmp[A_COUNT] === 0) {
      const prev = this.lastClose[s]!;
      if (Number.isNaN(prev)) return undefined;
      fillEmptyAcc(tmp, 0, prev);
    }
    return accToBar(tmp, 0, instrumentId, ring.label, ring.intervalMs, ring.currentStart, false);
  }

  /** Sends the forming bar of every instrument that traded in the open window, as 'partial' events. */
  emitPartials(): void {
    for (const ring of this.byLabel.values()) {
      if (!ring.emit) continue;
      for (let s = 0; s < this.instrumentIds.length; s++) {
        if (this.base.acc[this.base.offset(this.base.currentEntry, s) + A_COUNT] === 0) continue;
        const bar = this.partialBar(this.instrumentIds[s]!, ring.label);
        if (bar) this.sink.onBar(bar, 'partial');
      }
    }
  }

  // ───────────────────────────── hot path ─────────────────────────────

  private addTradeAt(s: number, id: number, t: number, p: number, q: number, side: number): void {
    const acc = this.base.acc;
    const o = this.curOff + s * F;
    const pq = p * q;
    // Inside the open window (closeTs is +Inf while the row is empty, else ≥ its start), in order,
    // next id, sane numbers: everything else takes slowTrade.
    if (t < this.curEnd && t >= acc[o + CLOSE_TS]! && id === acc[o + MAX_ID]! + 1 && p > 0 && q > 0 && pq < Infinity) {
      acc[o + MAX_ID] = id;
      if (t > this.clockMs) this.clockMs = t;
      acc[o + CLOSE_TS] = t;
      acc[o + CLOSE_ID] = id;
      acc[o + CLOSE] = p;
      if (p > acc[o + HIGH]!) acc[o + HIGH] = p;
      if (p < acc[o + LOW]!) acc[o + LOW] = p;
      acc[o + BUY_VOL + side]! += q;
      acc[o + BUY_QUOTE + side]! += pq;
      acc[o + COUNT]! += 1;
      this.counters.accepted++;
    } else this.slowTrade(s, id, t, p, q, side);
  }

  /** Runs the batch's in-order trades from `from` until one needs the slow path; returns its index. */
  private scanBatch(batch: TradeBatch, from: number, to: number): number {
    const acc = this.base.acc;
    const rowOf = this.rowOf;
    const slotSide = batch.slotSide;
    const tsOff = batch.tsOffsetMs;
    const idOff = batch.idOffset;
    const idBase = batch.idBase;
    const price = batch.price;
    const qty = batch.qty;
    const tsBase = batch.tsBaseMs;
    const we = this.curEnd;
    let clock = this.clockMs;
    // Function-local literals: TurboFan folds these, while in the bundled ESM it reloads and Smi-checks
    // module-level consts on every access (V8 11, Node 20: 0.24× → 0.33× the floor). They shadow the
    // module-level offsets, which are checked against the accumulator layout at load: keep them equal.
    const HIGH = 3;
    const LOW = 4;
    const CLOSE = 5;
    const CLOSE_TS = 6;
    const CLOSE_ID = 7;
    const BUY_VOL = 8;
    const BUY_QUOTE = 10;
    const COUNT = 12;
    const MAX_ID = 13;
    let i = from;
    for (; i < to; i++) {
      const ss = slotSide[i]!;
      const local = ss >>> 1;
      const side = ss & 1;
      const o = rowOf[local]!;
      const t = tsBase + tsOff[i]!;
      const id = idBase[local]! + idOff[i]!;
      const p = price[i]!;
      const q = qty[i]!;
      const pq = p * q;
      if (t < we && t >= acc[o + CLOSE_TS]! && id === acc[o + MAX_ID]! + 1 && p > 0 && q > 0 && pq < Infinity) {
        acc[o + MAX_ID] = id;
        if (t > clock) clock = t;
        acc[o + CLOSE_TS] = t;
        acc[o + CLOSE_ID] = id;
        acc[o + CLOSE] = p;
        if (p > acc[o + HIGH]!) acc[o + HIGH] = p;
        if (p < acc[o + LOW]!) acc[o + LOW] = p;
        acc[o + BUY_VOL + side]! += q;
        acc[o + BUY_QUOTE + side]! += pq;
        acc[o + COUNT]! += 1;
      } else break;
    }
    this.clockMs = clock;
    this.counters.accepted += i - from;
    return i;
  }

  // ───────────────────────────── slow path ─────────────────────────────

  private slowTrade(s: number, id: number, t: number, p: number, q: number, side: number): void {
    if (this.flushed) return this.reject('after_flush', s, id, t, p, q);
    if (!(p > 0 && p < Infinity && q > 0 && q < Infinity && t >= 0 && t < Number.MAX_SAFE_INTEGER)) return this.reject('invalid', s, id, t, p, q);
    const hasId = id >= 0 && Number.isSafeInteger(id);
    if (Number.isNaN(this.clockMs)) this.startClock(t);
    else if (t - this.clockMs > this.maxGapMs) return this.reject('implausible_time', s, id, t, p, q);

    if (t < this.curStart) {
      // Late: its base window is closed. Accepted while the window is within grace of the venue clock.
      const w = windowStart(t, this.base.intervalMs);
      const entry = this.base.retainedEntry(w, this.clockMs, this.graceMs);
      if (entry < 0) return this.reject(w < this.firstWindowMs ? 'before_start' : 'late', s, id, t, p, q);
      if (hasId && !this.admitId(s, id)) return this.reject('duplicate', s, id, t, p, q);
      this.applyLate(s, hasId ? id : -1, t, p, q, side);
      this.counters.accepted++;
      return;
    }
    if (hasId && !this.admitId(s, id)) return this.reject('duplicate', s, id, t, p, q);
    if (t >= this.curEnd) this.advanceClock(t);
    else if (t > this.clockMs) this.clockMs = t;
    applyTrade(this.base.acc, this.curOff + s * ACC_FIELDS, t, hasId ? id : -1, p, q, side);
    this.counters.accepted++;
  }

  /** Duplicate check; the instrument's max id lives in its row of the open base window. */
  private admitId(s: number, id: number): boolean {
    const at = this.curOff + s * F + MAX_ID;
    const acc = this.base.acc;
    if (!this.ledger.admit(s, id, acc[at]!)) return false;
    if (id > acc[at]!) acc[at] = id;
    return true;
  }

  private reject(reason: TradeRejectReason, s: number, id: number, t: number, p: number, q: number): void {
    this.counters.rejected[reason]++;
    this.sink.onTradeRejected?.({ reason, instrumentId: this.instrumentIds[s]!, tradeId: id, tsMs: t, price: p, qty: q });
  }

  private startClock(t: number): void {
    this.clockMs = t;
    for (const r of [this.base, ...this.rolled]) r.open(windowStart(t, r.intervalMs));
    this.firstWindowMs = this.base.currentStart;
    this.syncHot();
  }

  private advanceClock(t: number): void {
    if (!(t > this.clockMs)) return;
    this.clockMs = t;
    while (t >= this.curEnd) this.closeBaseWindow();
  }

  private syncHot(): void {
    this.curStart = this.base.currentStart;
    this.curEnd = this.curStart + this.base.intervalMs;
    this.curOff = this.base.offset(this.base.currentEntry, 0);
  }

  /** Base window's bars settled: closes recorded, empty windows filled, folded into the rolled windows. */
  private settleBaseWindow(): void {
    const b = this.base;
    const acc = b.acc;
    const n = this.instrumentIds.length;
    for (let s = 0; s < n; s++) {
      const o = b.offset(b.currentEntry, s);
      if (acc[o + A_COUNT] !== 0) this.lastClose[s] = acc[o + A_CLOSE]!;
      else if (!Number.isNaN(this.lastClose[s])) fillEmptyAcc(acc, o, this.lastClose[s]!);
      for (const r of this.rolled) combineAcc(r.acc, r.offset(r.currentEntry, s), acc, o);
    }
  }

  private closeBaseWindow(): void {
    const b = this.base;
    const closedStart = b.currentStart;
    const end = closedStart + b.intervalMs;
    this.settleBaseWindow();
    if (b.emit) this.emitWindow(b, b.currentEntry, closedStart, 'final');
    if (b.emit) this.decideComplete(b, b.currentEntry, closedStart);
    // The max ids ride along into the new window (its entry may be the one just closed: grace 0).
    const n = this.instrumentIds.length;
    if (this.maxIdCarry.length < n) this.maxIdCarry = new Float64Array(this.capacity);
    for (let s = 0; s < n; s++) this.maxIdCarry[s] = b.acc[b.offset(b.currentEntry, s) + MAX_ID]!;
    b.open(end);
    this.syncHot();
    for (let s = 0; s < n; s++) b.acc[b.offset(b.currentEntry, s) + MAX_ID] = this.maxIdCarry[s]!;
    for (const r of this.rolled) {
      if (r.currentStart + r.intervalMs !== end) continue;
      this.fillEmpty(r, r.currentEntry);
      this.emitWindow(r, r.currentEntry, r.currentStart, 'final');
      this.decideComplete(r, r.currentEntry, r.currentStart);
      r.open(end);
    }
  }

  private fillEmpty(r: WindowRing, entry: number): void {
    for (let s = 0; s < this.instrumentIds.length; s++) {
      const o = r.offset(entry, s);
      if (r.acc[o + A_COUNT] === 0 && !Number.isNaN(this.lastClose[s])) fillEmptyAcc(r.acc, o, this.lastClose[s]!);
    }
  }

  private emitWindow(r: WindowRing, entry: number, start: number, kind: BarEventKind): void {
    for (let s = 0; s < this.instrumentIds.length; s++) {
      const o = r.offset(entry, s);
      if (!accHasBar(r.acc, o)) continue;
      this.sink.onBar(accToBar(r.acc, o, this.instrumentIds[s]!, r.label, r.intervalMs, start, true), kind);
      this.counters.finalBars++;
    }
  }

  private isComplete(r: WindowRing, entry: number): boolean {
    if (this.universeSlots) {
      for (const s of this.universeSlots) if (!accHasBar(r.acc, r.offset(entry, s))) return false;
      return this.universeSlots.length > 0;
    }
    for (let s = 0; s < this.instrumentIds.length; s++) if (accHasBar(r.acc, r.offset(entry, s))) return true;
    return false;
  }

  /** At a window's close: complete now, or owed until its grace runs out. */
  private decideComplete(r: WindowRing, entry: number, start: number): void {
    if (r.pendingComplete.length) {
      r.pendingComplete = r.pendingComplete.filter((w) => w + r.intervalMs + this.graceMs > this.clockMs);
    }
    if (this.isComplete(r, entry)) this.completeWindow(r, start);
    else if (this.graceMs > 0) r.pendingComplete.push(start);
  }

  private completeWindow(r: WindowRing, start: number): void {
    this.counters.completeWindows++;
    this.sink.onBarsComplete?.(r.label, start);
  }

  /** A closed window just got its first bar for some instrument: it may now be complete. */
  private recheckPending(r: WindowRing, start: number, entry: number): void {
    const k = r.pendingComplete.indexOf(start);
    if (k < 0 || !this.isComplete(r, entry)) return;
    r.pendingComplete.splice(k, 1);
    this.completeWindow(r, start);
  }

  /** A trade for a closed window within grace: fold it into every interval's window and re-emit what changed. */
  private applyLate(s: number, id: number, t: number, p: number, q: number, side: number): void {
    for (const r of [this.base, ...this.rolled]) {
      const w = windowStart(t, r.intervalMs);
      if (w === r.currentStart) {
        // The rolled open window already holds the closed base window; add the trade to it directly.
        if (r !== this.base) applyTrade(r.acc, r.offset(r.currentEntry, s), t, id, p, q, side);
        continue;
      }
      const entry = r.retainedEntry(w, this.clockMs, this.graceMs);
      if (entry < 0) continue;
      const o = r.offset(entry, s);
      const hadBar = accHasBar(r.acc, o);
      const becameClose = applyTrade(r.acc, o, t, id, p, q, side);
      this.emitCorrection(r, entry, w, s);
      if (!hadBar) this.recheckPending(r, w, entry);
      if (becameClose) this.carryClose(r, w, s, r.acc[o + A_CLOSE]!);
    }
  }

  private emitCorrection(r: WindowRing, entry: number, start: number, s: number): void {
    if (!r.emit) return;
    this.counters.corrections++;
    this.sink.onBar(accToBar(r.acc, r.offset(entry, s), this.instrumentIds[s]!, r.label, r.intervalMs, start, true), 'correction');
  }

  /**
   * A late trade became the close of window `w`: the empty windows after it carried the old close
   * (or none), so they are corrected too, up to the next window with trades.
   */
  private carryClose(r: WindowRing, w: number, s: number, close: number): void {
    for (let ws = w + r.intervalMs; ws < r.currentStart; ws += r.intervalMs) {
      const entry = r.entryOf(ws);
      const o = r.offset(entry, s);
      if (r.acc[o + A_COUNT] !== 0) return;
      const hadBar = accHasBar(r.acc, o);
      if (r.acc[o + A_CLOSE] === close) continue;
      fillEmptyAcc(r.acc, o, close);
      this.emitCorrection(r, entry, ws, s);
      if (!hadBar) this.recheckPending(r, ws, entry);
    }
    // Every closed window since is empty: this trade is now the instrument's latest, unless the open window has trades.
    if (r === this.base && r.acc[r.offset(r.currentEntry, s) + A_COUNT] === 0) this.lastClose[s] = close;
  }

  private register(instrumentId: string): number {
    const s = this.instrumentIds.length;
    if (s >= this.capacity) this.grow(this.capacity * 2);
    this.instrumentIds.push(instrumentId);
    this.slotIndex.set(instrumentId, s);
    return s;
  }

  private grow(capacity: number): void {
    for (const r of [this.base, ...this.rolled]) r.grow(capacity);
    this.ledger.grow(capacity);
    const lc = new Float64Array(capacity).fill(NaN);
    lc.set(this.lastClose);
    this.lastClose = lc;
    this.capacity = capacity;
    if (!Number.isNaN(this.clockMs)) this.syncHot();
  }

  private admitStringId(s: number, tradeId: string): boolean {
    let mem = this.stringIds.get(s);
    if (!mem) this.stringIds.set(s, (mem = { seen: new Set(), order: [], next: 0 }));
    if (mem.seen.has(tradeId)) return false;
    if (mem.order.length < STRING_ID_MEMORY) mem.order.push(tradeId);
    else {
      mem.seen.delete(mem.order[mem.next]!);
      mem.order[mem.next] = tradeId;
      mem.next = (mem.next + 1) % STRING_ID_MEMORY;
    }
    mem.seen.add(tradeId);
    return true;
  }
}

/** The id as a number when the string is 1–15 digits (exact in a double), else -1. */
export function numericTradeId(tradeId: string): number {
  const n = tradeId.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = tradeId.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
