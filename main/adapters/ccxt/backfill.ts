import type { TradeTick } from '../../../shared/model/index.js';
import type { TradeBackfillMode } from './venues/venue-quirks.js';

/** The last trade seen, which a backfill starts after. */
export interface TradeCursor {
  tradeId: string;
  tsEvent: number;
}

/** REST access for one symbol: trades after the cursor, one page. */
export interface TradeBackfillSource {
  mode: TradeBackfillMode;
  /** fromId: trades whose id > cursor.tradeId; since: trades with tsEvent >= cursor.tsEvent. Any order. */
  fetchAfter(cursor: TradeCursor, limit: number): Promise<TradeTick[]>;
}

export type BackfillEvent =
  | { kind: 'filled'; instrumentId: string; count: number }
  | { kind: 'retrying'; instrumentId: string; attempt: number; message: string }
  | { kind: 'gave_up'; instrumentId: string; message: string }
  | { kind: 'unfillable'; instrumentId: string; message: string };

export interface TradeBackfillOptions {
  instrumentId: string;
  source: TradeBackfillSource;
  /** Receives trades in order, each id once. */
  emit(ticks: TradeTick[]): void;
  report(event: BackfillEvent): void;
  /** How many ids to remember for dropping repeats. */
  rememberIds: number;
  maxAttempts: number;
  /** Backfill this long after a reconnect even when no new trade shows up. */
  quietDelayMs: number;
  pageLimit?: number;
  setTimer?: (fn: () => void, ms: number) => () => void;
  sleep?: (ms: number) => Promise<void>;
  retryDelayMs?: (attempt: number) => number;
}

export interface TradeBackfillStats {
  emitted: number;
  duplicatesDropped: number;
  backfilled: number;
  gapsFilled: number;
}

const defaultSetTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Bounded memory of seen ids: the oldest are forgotten first. */
class SeenIds {
  private readonly set = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.set.has(id);
  }
  add(id: string): void {
    if (this.set.has(id)) return;
    this.set.add(id);
    this.order.push(id);
    if (this.set.size > this.capacity) {
      this.set.delete(this.order[this.head]!);
      this.head += 1;
      if (this.head > 4096 && this.head * 2 > this.order.length) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
  }
}

const byIdNumeric = (a: TradeTick, b: TradeTick) => {
  const x = BigInt(a.tradeId);
  const y = BigInt(b.tradeId);
  return x < y ? -1 : x > y ? 1 : 0;
};
const NUMERIC = /^\d+$/;
/** Numeric ids compare as numbers ('9' before '10'); others as text. */
function compareIds(a: string, b: string): number {
  if (NUMERIC.test(a) && NUMERIC.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
const byTimeThenId = (a: TradeTick, b: TradeTick) => a.tsEvent - b.tsEvent || compareIds(a.tradeId, b.tradeId);

/**
 * Keeps one symbol's trade stream whole across websocket outages: drops repeats by trade id and
 * fills gaps from REST before passing later trades on.
 *
 * Rules: after a reconnect, the gap from the last trade seen to the first trade of the new
 * connection is fetched over REST (or, if the market stays quiet, `quietDelayMs` after the
 * reconnect up to now); on venues with contiguous ids ('fromId') any jump in ids is a gap too
 * (a lost or truncated frame). Live trades that arrive while a gap is being filled wait, so
 * trades leave in order. A gap that cannot be filled is reported, never papered over.
 */
export class TradeBackfill {
  private readonly seen: SeenIds;
  private last: TradeCursor | null = null;
  private needsBackfill = false;
  private cancelTimer: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly stats_: TradeBackfillStats = { emitted: 0, duplicatesDropped: 0, backfilled: 0, gapsFilled: 0 };
  private readonly setTimer: NonNullable<TradeBackfillOptions['setTimer']>;
  private readonly sleep: NonNullable<TradeBackfillOptions['sleep']>;
  private readonly pageLimit: number;

  constructor(private readonly options: TradeBackfillOptions) {
    this.seen = new SeenIds(options.rememberIds);
    this.setTimer = options.setTimer ?? defaultSetTimer;
    this.sleep = options.sleep ?? defaultSleep;
    this.pageLimit = options.pageLimit ?? 1000;
  }

  /** Trades from the websocket, as ccxt delivered them. */
  onLive(ticks: readonly TradeTick[]): void {
    if (ticks.length === 0) return;
    const batch = [...ticks];
    this.enqueue(() => this.handleLive(batch));
  }

  /** The stream came back after an outage: whatever happened meanwhile must be fetched. */
  onReconnected(): void {
    // Queued behind the live batches already handed over, so "the last trade seen" is final.
    this.enqueue(async () => this.markReconnected());
  }

  private markReconnected(): void {
    if (this.disposed || this.last === null) return;
    if (this.options.source.mode === 'none') {
      this.report({
        kind: 'unfillable',
        instrumentId: this.options.instrumentId,
        message: `${this.options.instrumentId}: the venue has no public trade history over REST; trades after ${new Date(this.last.tsEvent).toISOString()} during the outage may be missing`,
      });
      return;
    }
    this.needsBackfill = true;
    this.cancelTimer?.();
    this.cancelTimer = this.setTimer(() => {
      this.cancelTimer = null;
      this.enqueue(async () => {
        if (this.needsBackfill) await this.fill(null);
      });
    }, this.options.quietDelayMs);
  }

  /** Resolves once everything queued so far has been handled (tests, orderly shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  stats(): TradeBackfillStats {
    return { ...this.stats_ };
  }

  lastSeen(): TradeCursor | null {
    return this.last;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer?.();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.report({ kind: 'gave_up', instrumentId: this.options.instrumentId, message: `${this.options.instrumentId}: trade stream handling failed: ${(err as Error).message}` });
    });
  }

  /** After dispose (unsubscribe, disconnect) nothing more is said or passed on. */
  private report(event: BackfillEvent): void {
    if (!this.disposed) this.options.report(event);
  }

  private get contiguous(): boolean {
    return this.options.source.mode === 'fromId';
  }

  private async handleLive(ticks: TradeTick[]): Promise<void> {
    if (this.disposed) return;
    const fresh = ticks.filter((t) => {
      if (this.seen.has(t.tradeId)) {
        this.stats_.duplicatesDropped += 1;
        return false;
      }
      return true;
    });
    if (fresh.length === 0) return;
    fresh.sort(this.contiguous ? byIdNumeric : byTimeThenId);
    // A gap given up on is reported once, not fetched again for the same trade.
    let givenUpBefore: string | null = null;
    if (this.needsBackfill && this.last && !(await this.fill(fresh[0]!))) givenUpBefore = fresh[0]!.tradeId;
    this.needsBackfill = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const t of fresh) {
      if (this.contiguous && this.last && t.tradeId !== givenUpBefore && BigInt(t.tradeId) > BigInt(this.last.tradeId) + 1n) {
        this.stats_.gapsFilled += 1;
        if (!(await this.fill(t))) givenUpBefore = t.tradeId;
      }
      this.emit([t]);
    }
  }

  /** Fetches trades after `last` up to (not including) `until`, or up to now when `until` is null. False when it gave up. */
  private async fill(until: TradeTick | null): Promise<boolean> {
    const start = this.last;
    if (!start) return true;
    for (let attempt = 1; ; attempt++) {
      try {
        const count = await this.fillOnce(start, until);
        this.needsBackfill = false;
        this.report({ kind: 'filled', instrumentId: this.options.instrumentId, count });
        return true;
      } catch (err) {
        const message = `${this.options.instrumentId}: trade backfill failed (attempt ${attempt} of ${this.options.maxAttempts}): ${(err as Error).message}`;
        if (attempt >= this.options.maxAttempts || this.disposed) {
          this.needsBackfill = false;
          this.report({
            kind: 'gave_up',
            instrumentId: this.options.instrumentId,
            message: `${message}; trades after ${new Date(this.last?.tsEvent ?? start.tsEvent).toISOString()}${until ? ` and before ${new Date(until.tsEvent).toISOString()}` : ''} may be missing`,
          });
          return false;
        }
        this.report({ kind: 'retrying', instrumentId: this.options.instrumentId, attempt, message });
        await this.sleep(this.options.retryDelayMs?.(attempt) ?? Math.min(10_000, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  private async fillOnce(start: TradeCursor, until: TradeTick | null): Promise<number> {
    let cursor: TradeCursor = this.last ?? start;
    let count = 0;
    for (;;) {
      const page = await this.options.source.fetchAfter(cursor, this.pageLimit);
      if (page.length === 0) return count;
      page.sort(this.contiguous ? byIdNumeric : byTimeThenId);
      const inRange = page.filter((t) => this.isAfter(t, cursor) && (until === null || this.isBefore(t, until)));
      if (inRange.length === 0) return count;
      if (this.contiguous && inRange.length > 0) {
        const missing = BigInt(inRange[0]!.tradeId) - BigInt(cursor.tradeId) - 1n;
        if (missing > 0n) {
          // The venue's REST no longer reaches back far enough (e.g. Binance /trades without an API key).
          this.report({
            kind: 'unfillable',
            instrumentId: this.options.instrumentId,
            message: `${this.options.instrumentId}: ${missing} trades after id ${cursor.tradeId} are beyond what the venue's REST returns; they are missing`,
          });
        }
      }
      const fresh = inRange.filter((t) => !this.seen.has(t.tradeId));
      this.emit(fresh);
      count += fresh.length;
      this.stats_.backfilled += fresh.length;
      const lastOfPage = page[page.length - 1]!;
      const reachedUntil = until !== null && !this.isBefore(lastOfPage, until);
      // Venues cap pages below what was asked (Binance historicalTrades: 500), so a short page is
      // not the end; the end is reaching `until`, or a page that brings nothing new.
      if (reachedUntil || fresh.length === 0) return count;
      const next: TradeCursor = this.contiguous
        ? { tradeId: lastOfPage.tradeId, tsEvent: lastOfPage.tsEvent }
        : // A full page inside one millisecond would never advance; step past it (reported as a possible loss).
          lastOfPage.tsEvent > cursor.tsEvent
          ? { tradeId: lastOfPage.tradeId, tsEvent: lastOfPage.tsEvent }
          : { tradeId: lastOfPage.tradeId, tsEvent: cursor.tsEvent + 1 };
      if (!this.contiguous && next.tsEvent === cursor.tsEvent + 1 && lastOfPage.tsEvent <= cursor.tsEvent) {
        this.report({
          kind: 'unfillable',
          instrumentId: this.options.instrumentId,
          message: `${this.options.instrumentId}: a whole page of ${page.length} trades shares ${new Date(cursor.tsEvent).toISOString()}; more at that millisecond may be missing`,
        });
      }
      cursor = next;
    }
  }

  private isAfter(t: TradeTick, cursor: TradeCursor): boolean {
    return this.contiguous ? BigInt(t.tradeId) > BigInt(cursor.tradeId) : t.tsEvent >= cursor.tsEvent;
  }

  private isBefore(t: TradeTick, until: TradeTick): boolean {
    return this.contiguous ? BigInt(t.tradeId) < BigInt(until.tradeId) : byTimeThenId(t, until) < 0;
  }

  private emit(ticks: TradeTick[]): void {
    const out: TradeTick[] = [];
    for (const t of ticks) {
      if (this.seen.has(t.tradeId)) {
        this.stats_.duplicatesDropped += 1;
        continue;
      }
      this.seen.add(t.tradeId);
      out.push(t);
      if (
        this.last === null ||
        (this.contiguous ? BigInt(t.tradeId) > BigInt(this.last.tradeId) : t.tsEvent >= this.last.tsEvent)
      ) {
        this.last = { tradeId: t.tradeId, tsEvent: t.tsEvent };
      }
    }
    if (out.length === 0 || this.disposed) return;
    this.stats_.emitted += out.length;
    this.options.emit(out);
  }
}
