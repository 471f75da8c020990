import { KestrelError } from '../../shared/api/errors.js';
import { splitInstrumentId } from '../../shared/model/instrument.js';
import type { Bar, FundingRate, TradeTick } from '../../shared/model/market.js';
import { MS_PER_DAY, MS_PER_HOUR, systemClock, type Clock } from '../../shared/model/time.js';
import { parseInterval } from '../marketdata/bar-interval.js';
import type { PremiumIndexBar } from '../marketdata/funding.js';
import type { ParquetStore } from '../storage/parquet/parquet-store.js';
import type { PartitionedWriter } from '../storage/parquet/partitioned-writer.js';
import { DEFAULT_HISTORY_SYNC_SETTINGS, type HistoryKind, type HistorySyncSettings } from './market-data-services-config.js';

/** What a venue can give back over REST for one instrument. */
export interface HistoryCapabilities {
  /** paged: any past range; recent: only the latest page; none: no public trade history. */
  trades: 'paged' | 'recent' | 'none';
  /** Order trade pages arrive in: oldest first, or newest first (OKX pages back by trade id). */
  tradePaging: 'forward' | 'backward';
  /** The venue's klines carry every field of Kestrel's bar table (quote volume, trade count, taker split). */
  completeBars: boolean;
  perp: boolean;
  fundingHistory: boolean;
  premiumIndex: boolean;
  /** The gateway itself fetches the trades missed during a websocket outage. */
  gatewayBackfillsTrades: boolean;
}

/** How a source hands rows over: page by page (oldest first within a page), with the share of the range covered. */
export interface HistoryFetchIo<T> {
  onBatch(rows: T[]): Promise<void>;
  /** 0..1 of the requested range covered so far. */
  onProgress(fraction: number): void;
  signal: AbortSignal | undefined;
}

export interface HistoryFetchOutcome {
  /** False when the venue could not serve the whole range; `note` says why. */
  complete: boolean;
  note: string | null;
}

/** A venue's REST history as HistorySync needs it (ccxt venues: CcxtHistorySource). Ranges are inclusive. */
export interface HistorySource {
  /** Venue label as in instrument ids, e.g. BINANCEUSDM. */
  readonly venue: string;
  /** Throws a KestrelError naming the problem for an instrument the venue does not list. */
  capabilities(instrumentId: string): HistoryCapabilities;
  fetchTrades(instrumentId: string, fromMs: number, toMs: number, io: HistoryFetchIo<TradeTick>): Promise<HistoryFetchOutcome>;
  fetchBars(instrumentId: string, interval: string, fromMs: number, toMs: number, io: HistoryFetchIo<Bar>): Promise<HistoryFetchOutcome>;
  fetchFunding(instrumentId: string, fromMs: number, toMs: number, io: HistoryFetchIo<FundingRate>): Promise<HistoryFetchOutcome>;
  fetchPremiumIndex(instrumentId: string, interval: string, fromMs: number, toMs: number, io: HistoryFetchIo<PremiumIndexBar>): Promise<HistoryFetchOutcome>;
  /** Milliseconds to wait before trying again after `err` (0: no venue-stated wait), or null when a retry cannot help. */
  retryAfterMs(err: unknown): number | null;
}

/** The API contract's `progress` event (done/total count tasks), plus the share of the whole run for progress bars. */
export interface HistorySyncProgress {
  job: string;
  done: number;
  total: number | null;
  message: string;
  /** 0..1 of the whole run; not part of the contract's event. */
  fraction: number;
}

export type HistoryLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface HistoryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HistorySyncOptions {
  source: HistorySource;
  store: ParquetStore;
  settings?: Partial<HistorySyncSettings>;
  clock?: Clock;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  timers?: HistoryTimers;
  onProgress?: (progress: HistorySyncProgress) => void;
  /** Trades as they are written (e.g. for a bar aggregator); called after the rows are handed to the writer. */
  onTrades?: (ticks: TradeTick[]) => void;
  log?: HistoryLog;
  /** At most one progress event per this much clock time within a task (task starts, ends and retries always go out). */
  progressIntervalMs?: number;
}

export type SyncReason = 'start' | 'reconnect' | 'poll' | 'manual';

export interface SyncOptions {
  reason?: SyncReason;
  /** Fill up to this venue time (default: now). Pass the first live trade's time to stop where the stream begins. */
  toMs?: number;
  /** Default: the configured kinds (poll: funding and premium index only). */
  kinds?: HistoryKind[];
}

/** What one instrument and kind came to. */
export interface HistoryTaskResult {
  instrumentId: string;
  kind: HistoryKind;
  /** What was fetched: 'bars' when trades fell back to the venue's bars. */
  fetchedAs: HistoryKind;
  /** Inclusive range asked of the venue; null when nothing was asked (see note). */
  fromMs: number | null;
  toMs: number | null;
  interval: string | null;
  fetched: number;
  written: number;
  /** Rows the venue sent that the store already held (not written again). */
  alreadyStored: number;
  /** Time of the first and last row written. */
  firstMs: number | null;
  lastMs: number | null;
  complete: boolean;
  note: string | null;
  error: string | null;
  attempts: number;
  durationMs: number;
}

export interface HistorySyncReport {
  venue: string;
  reason: SyncReason;
  tasks: HistoryTaskResult[];
  written: number;
  failed: number;
  durationMs: number;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    (t as { unref?: () => void }).unref?.();
  });

const defaultTimers: HistoryTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const iso = (ms: number) => new Date(ms).toISOString();
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const FUNDING_CONTEXT_MS = 24 * MS_PER_HOUR;
const TRADE_WRITER_ROWS = 100_000;
/** Days of stored trade ids kept in memory while a long range is walked. */
const TRADE_ID_DAYS_KEPT = 3;

/**
 * The ids of trades already in the store, per UTC day, loaded when a fetched page first touches that
 * day. Numeric ids (Binance, OKX, Gate) are held as a sorted Float64Array — 8 bytes a trade — so a
 * day of BTC trades does not cost a Set of millions of strings.
 */
class StoredTradeIds {
  private readonly days = new Map<number, { sorted: Float64Array | null; strings: Set<string> | null }>();

  constructor(
    private readonly store: ParquetStore,
    private readonly venue: string,
    private readonly symbol: string,
    private readonly storedDates: Set<string>,
  ) {}

  async prepare(ticks: readonly TradeTick[]): Promise<void> {
    const wanted = new Set(ticks.map((t) => Math.floor(t.tsEvent / MS_PER_DAY)));
    for (const day of wanted) {
      if (this.days.has(day)) continue;
      this.days.set(day, await this.load(day));
      while (this.days.size > TRADE_ID_DAYS_KEPT) {
        const oldest = [...this.days.keys()].find((d) => !wanted.has(d));
        if (oldest === undefined) break;
        this.days.delete(oldest);
      }
    }
  }

  has(tick: TradeTick): boolean {
    const day = this.days.get(Math.floor(tick.tsEvent / MS_PER_DAY));
    if (!day) return false;
    if (day.strings) return day.strings.has(tick.tradeId);
    if (!day.sorted || !/^\d+$/.test(tick.tradeId)) return false;
    const id = Number(tick.tradeId);
    const a = day.sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = a[mid]!;
      if (v === id) return true;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  private async load(day: number): Promise<{ sorted: Float64Array | null; strings: Set<string> | null }> {
    const from = day * MS_PER_DAY;
    if (!this.storedDates.has(iso(from).slice(0, 10))) return { sorted: null, strings: null };
    const cols = await this.store.readTrades({ venue: this.venue, symbol: this.symbol, from, to: from + MS_PER_DAY });
    if (cols.tradeId instanceof Float64Array) return { sorted: Float64Array.from(cols.tradeId).sort(), strings: null };
    return { sorted: null, strings: new Set(cols.tradeId) };
  }
}

/** Mutable state of one task while it runs. */
interface TaskRun {
  result: HistoryTaskResult;
  startedMs: number;
  index: number;
  total: number;
  /** 0..1 of this task's range covered. */
  share: number;
  lastProgressMs: number;
}

/**
 * Fills the Parquet store from a venue's REST history: for each instrument, trades (or the venue's
 * 1m bars where it pages no trades but its klines hold every bar field), and for perps funding
 * payments (normalised to 24h) and premium index klines — from the last stored record, or the
 * configured lookback, up to now. Idempotent: rows the store already holds are not written again
 * (trades by id, bars and klines by open time, funding by time). Venue failures (429/418/5xx,
 * timeouts) are retried with backoff, then reported in the task's `error`; one instrument failing
 * never stops the others. Runs are queued, one at a time, so a reconnect during the start-up fill
 * waits its turn. Progress goes out as the API's `progress` event shape.
 */
export class HistorySync {
  readonly settings: HistorySyncSettings;
  private readonly source: HistorySource;
  private readonly store: ParquetStore;
  private readonly clock: Clock;
  private readonly sleepFn: (ms: number) => Promise<void>;
  private readonly timers: HistoryTimers;
  private readonly log: HistoryLog;
  private readonly progressIntervalMs: number;
  private tail: Promise<unknown> = Promise.resolve();
  private abort = new AbortController();
  private pollTimer: unknown = null;
  /** Bumped by every start/stop of the poll, so a poll finishing after a stop does not re-arm. */
  private pollGeneration = 0;

  constructor(private readonly options: HistorySyncOptions) {
    this.source = options.source;
    this.store = options.store;
    this.settings = { ...DEFAULT_HISTORY_SYNC_SETTINGS, ...options.settings };
    this.clock = options.clock ?? systemClock;
    this.sleepFn = options.sleep ?? defaultSleep;
    this.timers = options.timers ?? defaultTimers;
    this.log = options.log ?? (() => undefined);
    this.progressIntervalMs = options.progressIntervalMs ?? 250;
    parseInterval(this.settings.barInterval);
    parseInterval(this.settings.premiumIndexInterval);
  }

  /** The progress job id of this venue's fills, e.g. `history BINANCEUSDM`. */
  get job(): string {
    return `history ${this.source.venue}`;
  }

  /**
   * Fills every kind for every instrument, one task at a time, and resolves with what each came to.
   * Never rejects for venue or storage trouble (see each task's `error`); rejects only when stopped.
   */
  syncAll(instrumentIds: readonly string[], options: SyncOptions = {}): Promise<HistorySyncReport> {
    const run = this.tail.then(() => this.runSync([...new Set(instrumentIds)], options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * One explicit range of one kind (the `kestrel backfill` command): no lookback, no start from the
   * last record — holes inside the range are filled, rows already stored are skipped. Rejects with
   * the reason when the venue cannot serve the kind or gives up.
   */
  async backfill(instrumentId: string, kind: HistoryKind, fromMs: number, toMs: number, interval?: string): Promise<HistoryTaskResult> {
    if (!Number.isInteger(fromMs) || !Number.isInteger(toMs) || fromMs < 0 || toMs < 0) throw new KestrelError('bad_request', `the range must be epoch milliseconds, got ${fromMs}..${toMs}`);
    if (fromMs > toMs) throw new KestrelError('bad_request', `the range starts (${iso(fromMs)}) after it ends (${iso(toMs)})`);
    const run = this.tail.then(async () => {
      const caps = this.source.capabilities(instrumentId);
      const task = this.newTask(instrumentId, kind, 0, 1);
      const fetchedAs = this.explicitFetchKind(instrumentId, kind, caps);
      task.result.fetchedAs = fetchedAs;
      const step = fetchedAs === 'bars' || fetchedAs === 'premiumIndex' ? parseInterval(interval ?? (fetchedAs === 'bars' ? this.settings.barInterval : this.settings.premiumIndexInterval)) : null;
      await this.runTask(task, caps, { fromMs, toMs, interval: step?.label ?? null, explicit: true });
      this.emit(task, `${this.taskName(task.result)}: ${task.result.written.toLocaleString('en-US')} rows written`, true, 1);
      if (task.result.error) throw new KestrelError('unavailable', task.result.error);
      return task.result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Polls funding payments and premium index klines of `instrumentIds()` every `everyMs` until
   * `stop`. The first poll runs after one period (the start-up fill covers now).
   */
  startFundingPoll(everyMs: number, instrumentIds: () => readonly string[]): void {
    if (!(everyMs > 0)) throw new Error(`funding poll period must be > 0 ms, got ${everyMs}`);
    this.stopFundingPoll();
    const kinds = this.settings.kinds.filter((k) => k === 'funding' || k === 'premiumIndex');
    if (kinds.length === 0) return;
    const generation = ++this.pollGeneration;
    const arm = () => {
      this.pollTimer = this.timers.setTimeout(() => {
        this.pollTimer = null;
        void this.syncAll(instrumentIds(), { reason: 'poll', kinds })
          .catch(() => undefined)
          .finally(() => {
            if (generation === this.pollGeneration) arm();
          });
      }, everyMs);
    };
    arm();
  }

  stopFundingPoll(): void {
    this.pollGeneration += 1;
    if (this.pollTimer !== null) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** Cancels the running fill (what it wrote stays) and every queued one; later calls start afresh. */
  async stop(): Promise<void> {
    this.stopFundingPoll();
    this.abort.abort();
    await this.tail;
    this.abort = new AbortController();
  }

  // ------------------------------------------------------------------ one run

  private async runSync(instrumentIds: string[], options: SyncOptions): Promise<HistorySyncReport> {
    const reason = options.reason ?? 'manual';
    const started = this.clock.nowMs();
    const signal = this.abort.signal;
    if (signal.aborted) throw new KestrelError('refused', `${this.job} was stopped`);
    const wanted = options.kinds ?? (reason === 'poll' ? this.settings.kinds.filter((k) => k === 'funding' || k === 'premiumIndex') : this.settings.kinds);
    const plans: Array<{ instrumentId: string; kind: HistoryKind; caps: HistoryCapabilities | null; problem: string | null }> = [];
    for (const instrumentId of instrumentIds) {
      let caps: HistoryCapabilities;
      try {
        caps = this.source.capabilities(instrumentId);
      } catch (err) {
        plans.push({ instrumentId, kind: wanted[0] ?? 'trades', caps: null, problem: messageOf(err) });
        continue;
      }
      for (const kind of wanted) {
        if (kind === 'funding' && !(caps.perp && caps.fundingHistory)) continue;
        if (kind === 'premiumIndex' && !(caps.perp && caps.premiumIndex)) continue;
        // After a reconnect the gateway has fetched the missed trades itself; a second fill would race it.
        if (kind === 'trades' && reason === 'reconnect' && caps.gatewayBackfillsTrades) continue;
        if (kind === 'trades' && caps.trades !== 'paged' && caps.completeBars && wanted.includes('bars')) continue;
        plans.push({ instrumentId, kind, caps, problem: null });
      }
    }

    const tasks: HistoryTaskResult[] = [];
    for (const [i, plan] of plans.entries()) {
      const task = this.newTask(plan.instrumentId, plan.kind, i, plans.length);
      tasks.push(task.result);
      if (plan.problem !== null || plan.caps === null) {
        task.result.error = plan.problem;
        task.result.complete = false;
        this.log('warn', `${this.job}: ${plan.instrumentId}: ${plan.problem}`);
        continue;
      }
      if (signal.aborted) {
        task.result.error = `${this.job} was stopped`;
        task.result.complete = false;
        continue;
      }
      const range = this.plannedRange(plan.instrumentId, plan.kind, plan.caps, options.toMs);
      task.result.fetchedAs = range.fetchedAs;
      if (range.skip !== null) {
        task.result.note = range.skip;
        task.result.complete = false;
        this.log('info', `${this.job}: ${plan.instrumentId} ${plan.kind}: ${range.skip}`);
        continue;
      }
      await this.runTask(task, plan.caps, { fromMs: null, toMs: range.toMs, interval: range.interval, explicit: false, lookbackFloorMs: range.floorMs });
    }

    const written = tasks.reduce((n, t) => n + t.written, 0);
    const failed = tasks.filter((t) => t.error !== null);
    const durationMs = this.clock.nowMs() - started;
    const summary =
      `${written.toLocaleString('en-US')} rows written for ${instrumentIds.length} instrument${instrumentIds.length === 1 ? '' : 's'} in ${(durationMs / 1000).toFixed(1)} s` +
      (failed.length ? `; ${failed.length} failed: ${failed.map((t) => `${this.taskName(t)} (${t.error})`).join('; ')}` : '');
    this.options.onProgress?.({ job: this.job, done: plans.length, total: plans.length, message: `done (${reason}): ${summary}`, fraction: 1 });
    this.log(failed.length ? 'warn' : 'info', `${this.job} (${reason}): ${summary}`);
    return { venue: this.source.venue, reason, tasks, written, failed: failed.length, durationMs };
  }

  /** Which kind a configured kind is fetched as, and over what range; `skip` says why nothing is asked. */
  private plannedRange(
    instrumentId: string,
    kind: HistoryKind,
    caps: HistoryCapabilities,
    toMs: number | undefined,
  ): { fetchedAs: HistoryKind; toMs: number; floorMs: number; interval: string | null; skip: string | null } {
    const now = this.clock.nowMs();
    const to = Math.min(now, toMs ?? now);
    if (kind === 'trades' && caps.trades === 'none' && !caps.completeBars) {
      return { fetchedAs: 'trades', toMs: to, floorMs: to, interval: null, skip: `${this.source.venue} serves no past trades and its klines lack Kestrel's bar fields; the gap stays` };
    }
    if (kind === 'bars' && !caps.completeBars) {
      return { fetchedAs: 'bars', toMs: to, floorMs: to, interval: null, skip: `${this.source.venue} klines lack quote volume, trade count or taker volume, which Kestrel's bar table holds; not filled` };
    }
    const fetchedAs: HistoryKind = kind === 'trades' && caps.trades !== 'paged' && caps.completeBars ? 'bars' : kind;
    const lookback = fetchedAs === 'funding' || fetchedAs === 'premiumIndex' ? this.settings.fundingLookbackMs : this.settings.lookbackMs;
    const interval = fetchedAs === 'bars' ? this.settings.barInterval : fetchedAs === 'premiumIndex' ? this.settings.premiumIndexInterval : null;
    return { fetchedAs, toMs: to, floorMs: Math.max(0, now - lookback), interval, skip: null };
  }

  private explicitFetchKind(instrumentId: string, kind: HistoryKind, caps: HistoryCapabilities): HistoryKind {
    const venue = this.source.venue;
    switch (kind) {
      case 'trades':
        if (caps.trades === 'none') throw new KestrelError('refused', `${venue} serves no past trades over REST; try --kind bars${caps.completeBars ? '' : ' on a venue whose klines carry every bar field'}`);
        return 'trades';
      case 'bars':
        if (!caps.completeBars) throw new KestrelError('refused', `${venue} klines lack quote volume, trade count or taker volume, which Kestrel's bar table holds; backfill trades instead`);
        return 'bars';
      case 'funding':
        if (!caps.perp) throw new KestrelError('refused', `${instrumentId} is not a perpetual; only perpetuals pay funding`);
        if (!caps.fundingHistory) throw new KestrelError('refused', `${venue} has no funding rate history`);
        return 'funding';
      case 'premiumIndex':
        if (!caps.perp) throw new KestrelError('refused', `${instrumentId} is not a perpetual; premium index klines exist for perpetuals only`);
        if (!caps.premiumIndex) throw new KestrelError('refused', `${venue} has no premium index klines`);
        return 'premiumIndex';
    }
  }

  // ------------------------------------------------------------------ one task

  private newTask(instrumentId: string, kind: HistoryKind, index: number, total: number): TaskRun {
    return {
      startedMs: this.clock.nowMs(),
      index,
      total,
      share: 0,
      lastProgressMs: -Infinity,
      result: {
        instrumentId,
        kind,
        fetchedAs: kind,
        fromMs: null,
        toMs: null,
        interval: null,
        fetched: 0,
        written: 0,
        alreadyStored: 0,
        firstMs: null,
        lastMs: null,
        complete: true,
        note: null,
        error: null,
        attempts: 0,
        durationMs: 0,
      },
    };
  }

  private async runTask(
    task: TaskRun,
    caps: HistoryCapabilities,
    range: { fromMs: number | null; toMs: number; interval: string | null; explicit: boolean; lookbackFloorMs?: number },
  ): Promise<void> {
    const r = task.result;
    r.interval = range.interval;
    try {
      switch (r.fetchedAs) {
        case 'trades':
          await this.runTrades(task, caps, range);
          break;
        case 'bars':
        case 'premiumIndex':
          await this.runKlines(task, range);
          break;
        case 'funding':
          await this.runFunding(task, range);
          break;
      }
    } catch (err) {
      r.complete = false;
      r.error = messageOf(err);
      this.log('warn', `${this.job}: ${this.taskName(r)}: ${r.error}`);
    }
    r.durationMs = this.clock.nowMs() - task.startedMs;
    this.emit(task, `${this.taskName(r)}: ${r.error ? `failed: ${r.error}` : `${r.written.toLocaleString('en-US')} new rows${r.note ? ` (${r.note})` : ''}`}`, true, task.index + 1);
  }

  private async runTrades(task: TaskRun, caps: HistoryCapabilities, range: { fromMs: number | null; toMs: number; explicit: boolean; lookbackFloorMs?: number }): Promise<void> {
    const r = task.result;
    const { venue, symbol } = splitInstrumentId(r.instrumentId);
    const storedDates = new Set(await this.store.listDates('trades', venue, symbol));
    const fromMs = range.fromMs ?? (await this.lastStoredTradeMs(venue, symbol, storedDates, range.lookbackFloorMs ?? 0)) ?? range.lookbackFloorMs ?? 0;
    const toMs = range.toMs;
    r.fromMs = fromMs;
    r.toMs = toMs;
    if (fromMs > toMs) {
      r.note = 'up to date';
      return;
    }
    const stored = new StoredTradeIds(this.store, venue, symbol, storedDates);
    const writer = this.store.createTradeWriter({ maxBufferedRows: TRADE_WRITER_ROWS });
    // The part of the range still to fetch: a retry resumes where the last page ended, and the ids
    // at that exact millisecond are remembered so the resumed page does not write them twice.
    let lo = fromMs;
    let hi = toMs;
    let edgeMs = -1;
    let edgeIds = new Set<string>();
    const backward = caps.tradePaging === 'backward';
    try {
      const outcome = await this.withRetries(task, 'trades', (progress) =>
        this.source.fetchTrades(r.instrumentId, lo, hi, {
          signal: this.abort.signal,
          onProgress: progress(lo, hi, fromMs, toMs),
          onBatch: async (ticks) => {
            if (ticks.length === 0) return;
            r.fetched += ticks.length;
            await stored.prepare(ticks);
            const fresh = ticks.filter((t) => !edgeIds.has(t.tradeId) && !stored.has(t));
            r.alreadyStored += ticks.length - fresh.length;
            if (fresh.length) {
              await writer.append(fresh);
              this.noteWritten(r, fresh.map((t) => t.tsEvent));
              this.options.onTrades?.(fresh);
            }
            const edge = backward ? ticks[0]!.tsEvent : ticks[ticks.length - 1]!.tsEvent;
            if (edge !== edgeMs) edgeIds = new Set();
            edgeMs = edge;
            for (const t of ticks) if (t.tsEvent === edge) edgeIds.add(t.tradeId);
            if (backward) hi = Math.min(hi, edge);
            else lo = Math.max(lo, edge);
            this.emit(task, `${this.taskName(r)}: ${r.written.toLocaleString('en-US')} new trades, at ${iso(edge)}`);
          },
        }),
      );
      r.complete = outcome.complete;
      r.note = outcome.note;
    } finally {
      await writer.close();
    }
  }

  /** Venue bars and premium index klines: keyed by open time, only closed windows. */
  private async runKlines(task: TaskRun, range: { fromMs: number | null; toMs: number; interval: string | null; explicit: boolean; lookbackFloorMs?: number }): Promise<void> {
    const r = task.result;
    const step = parseInterval(range.interval ?? this.settings.barInterval).ms;
    const premium = r.fetchedAs === 'premiumIndex';
    let fromMs: number;
    let toMs: number;
    // The window still forming is the live aggregator's (or the next fill's), not a final bar.
    const lastClosedMs = Math.floor(this.clock.nowMs() / step) * step - 1;
    if (range.explicit) {
      fromMs = Math.floor(range.fromMs! / step) * step;
      toMs = Math.min(range.toMs, lastClosedMs);
    } else {
      const floor = Math.floor((range.lookbackFloorMs ?? 0) / step) * step;
      const last = await this.lastStoredKlineOpen(r.instrumentId, premium, range.interval!, floor);
      fromMs = Math.max(floor, last === null ? floor : last + step);
      toMs = Math.min(Math.floor(range.toMs / step) * step - 1, lastClosedMs);
    }
    r.fromMs = fromMs;
    r.toMs = toMs;
    if (fromMs > toMs) {
      r.note = 'up to date';
      return;
    }
    const storedOpen = new Set(
      (premium
        ? await this.store.readPremiumIndex({ instrumentId: r.instrumentId, interval: range.interval!, from: fromMs, to: toMs + 1 })
        : await this.store.readBars({ instrumentId: r.instrumentId, interval: range.interval!, from: fromMs, to: toMs + 1 })
      ).map((b) => b.openTime),
    );
    if (premium) {
      await this.fetchKeyed<PremiumIndexBar>(task, 'premium index', this.store.createPremiumIndexWriter(), storedOpen, step, fromMs, toMs, (lo, io) =>
        this.source.fetchPremiumIndex(r.instrumentId, range.interval!, lo, toMs, io),
      );
    } else {
      await this.fetchKeyed<Bar>(task, 'bars', this.store.createBarWriter(), storedOpen, step, fromMs, toMs, (lo, io) => this.source.fetchBars(r.instrumentId, range.interval!, lo, toMs, io));
    }
  }

  private async fetchKeyed<T extends { openTime: number }>(
    task: TaskRun,
    what: string,
    writer: PartitionedWriter<readonly T[]>,
    storedOpen: Set<number>,
    stepMs: number,
    fromMs: number,
    toMs: number,
    fetch: (loMs: number, io: HistoryFetchIo<T>) => Promise<HistoryFetchOutcome>,
  ): Promise<void> {
    const r = task.result;
    let lo = fromMs;
    try {
      const outcome = await this.withRetries(task, what, (progress) => {
        if (lo > toMs) return Promise.resolve({ complete: true, note: null });
        return fetch(lo, {
          signal: this.abort.signal,
          onProgress: progress(lo, toMs, fromMs, toMs),
          onBatch: async (rows) => {
            if (rows.length === 0) return;
            r.fetched += rows.length;
            const fresh = rows.filter((b) => !storedOpen.has(b.openTime));
            r.alreadyStored += rows.length - fresh.length;
            for (const b of fresh) storedOpen.add(b.openTime);
            if (fresh.length) {
              await writer.append(fresh);
              this.noteWritten(r, fresh.map((b) => b.openTime));
            }
            // A retry resumes after the last window received.
            lo = Math.max(lo, rows[rows.length - 1]!.openTime + stepMs);
            this.emit(task, `${this.taskName(r)}: ${r.written.toLocaleString('en-US')} new rows, at ${iso(Math.min(lo, toMs))}`);
          },
        });
      });
      r.complete = outcome.complete;
      r.note = outcome.note;
    } finally {
      await writer.close();
    }
  }

  private async runFunding(task: TaskRun, range: { fromMs: number | null; toMs: number; explicit: boolean; lookbackFloorMs?: number }): Promise<void> {
    const r = task.result;
    let writeFrom: number;
    if (range.explicit) writeFrom = range.fromMs!;
    else {
      const floor = range.lookbackFloorMs ?? 0;
      const last = await this.lastStoredFundingMs(r.instrumentId, floor);
      writeFrom = last === null ? floor : Math.max(floor, last + 1);
    }
    const toMs = range.toMs;
    r.fromMs = writeFrom;
    r.toMs = toMs;
    if (writeFrom > toMs) {
      r.note = 'up to date';
      return;
    }
    // A day before the range is fetched too, so the cadence of the first new payment is read from
    // its spacing to the previous one (a lone new row would otherwise get the venue's default).
    const fetchFrom = Math.max(0, writeFrom - FUNDING_CONTEXT_MS);
    const stored = new Set((await this.store.readFunding({ instrumentId: r.instrumentId, from: fetchFrom, to: toMs + 1 })).map((f) => f.fundingTime));
    const writer = this.store.createFundingWriter();
    try {
      const outcome = await this.withRetries(task, 'funding', (progress) =>
        this.source.fetchFunding(r.instrumentId, fetchFrom, toMs, {
          signal: this.abort.signal,
          onProgress: progress(fetchFrom, toMs, fetchFrom, toMs),
          onBatch: async (rows) => {
            const inRange = rows.filter((f) => f.fundingTime >= writeFrom);
            r.fetched += inRange.length;
            const fresh = inRange.filter((f) => !stored.has(f.fundingTime));
            r.alreadyStored += inRange.length - fresh.length;
            for (const f of fresh) stored.add(f.fundingTime);
            if (fresh.length) {
              await writer.append(fresh);
              this.noteWritten(r, fresh.map((f) => f.fundingTime));
            }
          },
        }),
      );
      r.complete = outcome.complete;
      r.note = outcome.note;
    } finally {
      await writer.close();
    }
  }

  /**
   * Runs `attempt` until it succeeds, a retry cannot help, the attempts are used up, or the sync is
   * stopped. `progress(lo, hi, from, to)` maps a source's 0..1 over [lo, hi] onto the whole task.
   */
  private async withRetries<T>(
    task: TaskRun,
    what: string,
    attempt: (progress: (lo: number, hi: number, from: number, to: number) => (fraction: number) => void) => Promise<T>,
  ): Promise<T> {
    const r = task.result;
    const progress = (lo: number, hi: number, from: number, to: number) => {
      const span = Math.max(1, to - from);
      const left = Math.max(0, hi - lo);
      const before = span - left;
      return (fraction: number) => {
        task.share = Math.min(1, Math.max(task.share, (before + fraction * left) / span));
        this.emit(task, `${this.taskName(r)}: ${Math.round(task.share * 100)}%, ${r.written.toLocaleString('en-US')} new rows`);
      };
    };
    for (let n = 1; ; n++) {
      r.attempts = n;
      try {
        return await attempt(progress);
      } catch (err) {
        if (this.abort.signal.aborted) throw new KestrelError('refused', `${this.job} was stopped`);
        const venueWaitMs = this.source.retryAfterMs(err);
        if (venueWaitMs === null) throw err;
        if (n >= this.settings.maxAttempts) throw new KestrelError('unavailable', `${messageOf(err)}; gave up on ${what} after ${n} attempt${n === 1 ? '' : 's'}`);
        const backoffMs = Math.min(this.settings.maxRetryDelayMs, this.settings.retryDelayMs * 2 ** (n - 1));
        const waitMs = Math.max(backoffMs, venueWaitMs);
        const message = `${this.taskName(r)}: ${messageOf(err)}; retrying in ${(waitMs / 1000).toFixed(waitMs < 10_000 ? 1 : 0)} s (attempt ${n + 1} of ${this.settings.maxAttempts})`;
        this.log('warn', `${this.job}: ${message}`);
        this.emit(task, message, true);
        await this.sleepUnlessStopped(waitMs);
      }
    }
  }

  private async sleepUnlessStopped(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) throw new KestrelError('refused', `${this.job} was stopped`);
    let onAbort = () => undefined as void;
    const stopped = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([this.sleepFn(ms), stopped]);
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) throw new KestrelError('refused', `${this.job} was stopped`);
  }

  // ------------------------------------------------------------------ the store

  private async lastStoredTradeMs(venue: string, symbol: string, storedDates: Set<string>, notBeforeMs: number): Promise<number | null> {
    const floorDate = iso(notBeforeMs).slice(0, 10);
    for (const date of [...storedDates].filter((d) => d >= floorDate).sort().reverse()) {
      const from = Date.parse(`${date}T00:00:00Z`);
      const cols = await this.store.readTrades({ venue, symbol, from, to: from + MS_PER_DAY });
      if (cols.length > 0) return Math.max(notBeforeMs, cols.tsMs[cols.length - 1]!);
    }
    return null;
  }

  private async lastStoredKlineOpen(instrumentId: string, premium: boolean, interval: string, notBeforeMs: number): Promise<number | null> {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    const floorDate = iso(notBeforeMs).slice(0, 10);
    const dates = (await this.store.listDates(premium ? 'premium_index' : 'bars', venue, symbol)).filter((d) => d >= floorDate).reverse();
    for (const date of dates) {
      const from = Date.parse(`${date}T00:00:00Z`);
      const q = { instrumentId, interval, from, to: from + MS_PER_DAY };
      const rows = premium ? await this.store.readPremiumIndex(q) : await this.store.readBars(q);
      if (rows.length > 0) return rows[rows.length - 1]!.openTime;
    }
    return null;
  }

  private async lastStoredFundingMs(instrumentId: string, notBeforeMs: number): Promise<number | null> {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    const floorDate = iso(notBeforeMs).slice(0, 10);
    const dates = (await this.store.listDates('funding', venue, symbol)).filter((d) => d >= floorDate).reverse();
    for (const date of dates) {
      const from = Date.parse(`${date}T00:00:00Z`);
      const rows = await this.store.readFunding({ instrumentId, from, to: from + MS_PER_DAY });
      if (rows.length > 0) return rows[rows.length - 1]!.fundingTime;
    }
    return null;
  }

  // ------------------------------------------------------------------ reporting

  private noteWritten(r: HistoryTaskResult, times: number[]): void {
    r.written += times.length;
    for (const t of times) {
      if (r.firstMs === null || t < r.firstMs) r.firstMs = t;
      if (r.lastMs === null || t > r.lastMs) r.lastMs = t;
    }
  }

  private taskName(r: HistoryTaskResult): string {
    const kind = r.fetchedAs === r.kind ? r.kind : `${r.kind} (as ${r.interval ?? ''} ${r.fetchedAs})`;
    return `${r.instrumentId} ${kind}`;
  }

  private emit(task: TaskRun, message: string, force = false, done = task.index): void {
    if (!this.options.onProgress) return;
    const now = this.clock.nowMs();
    if (!force && now - task.lastProgressMs < this.progressIntervalMs) return;
    task.lastProgressMs = now;
    const fraction = done > task.index ? done / task.total : (task.index + task.share) / task.total;
    this.options.onProgress({ job: this.job, done, total: task.total, message, fraction: Math.min(1, Math.max(0, fraction)) });
  }
}
