import { z } from 'zod';
import { KestrelError, describeZodError } from '../../../shared/api/errors.js';
import { MS_PER_SECOND } from '../../../shared/model/index.js';
import type { Balance, Fill, GatewayStatus, Instrument, Order, Position, SubmitOrder } from '../../../shared/model/index.js';
import type { Gateway, GatewayCapabilities, GatewayListener, VenueOrderAck } from '../gateway.js';
import { mergeByTime } from './merge-by-time.js';
import { ReplayClock } from './replay-clock.js';
import type { ReplayEvent, ReplaySource } from './replay-source.js';
import { realWallTimers, type WallTimers } from './wall-timers.js';

/** Playback speed: a multiple of real time (1 = as recorded), or 'max' (as fast as it can be read). */
export const ReplaySpeed = z.union([z.number().finite().positive('speed must be above 0'), z.literal('max')], {
  error: 'speed must be a number above 0 (1 = real time) or "max"',
});
export type ReplaySpeed = z.infer<typeof ReplaySpeed>;

export type PlaybackState = 'idle' | 'playing' | 'paused' | 'finished' | 'error';

export interface ReplayStats {
  events: number;
  trades: number;
  quotes: number;
  books: number;
  firstTsEvent: number | null;
  lastTsEvent: number | null;
}

export interface ReplayFinished {
  stats: ReplayStats;
  /** Why playback stopped early (a bad file, a listener that threw); null when the recording ended. */
  error: string | null;
}

export interface ReplayVenueOptions {
  /** Recordings, merged into one timeline by venue time. */
  sources: ReplaySource[];
  /** Default 1 (real time). */
  speed?: ReplaySpeed;
  /** The host's real time; tests pass fake timers. */
  wallTimers?: WallTimers;
  /** What loadInstruments reports (tick and lot sizes matter to a paper venue fed by the replay). */
  instruments?: Instrument[];
  gatewayId?: string;
  venue?: string;
  /** At 'max' speed, events delivered between two yields to the host's event loop. Default 2000. */
  maxSpeedBatch?: number;
}

const EMPTY_STATS = (): ReplayStats => ({ events: 0, trades: 0, quotes: 0, books: 0, firstTsEvent: null, lastTsEvent: null });

/**
 * Plays recorded market data as a venue: trades, quotes and books reach the listener for subscribed
 * instruments (or `'*'` for all) in recorded order, while `clock` — a ReplayClock — shows the
 * replayed venue time for the whole core to follow. play / pause / resume / seekToStart / setSpeed
 * steer it; `onFinished` and `whenFinished` report the end. It holds no orders: trade on a
 * PaperVenue fed by it (clock and scheduler = this clock).
 */
export class ReplayVenue implements Gateway {
  readonly gatewayId: string;
  readonly venue: string;
  readonly has: GatewayCapabilities = {
    trades: true,
    quotes: true,
    book: true,
    orders: false,
    cancelAll: false,
    balances: false,
    positions: false,
    fundingRates: false,
    ohlcv: false,
    tradeHistory: false,
  };
  readonly clock = new ReplayClock();

  private readonly sources: ReplaySource[];
  private readonly wall: WallTimers;
  private readonly instruments: Instrument[];
  private readonly maxSpeedBatch: number;
  private speed: ReplaySpeed;
  private listener: GatewayListener = {};
  private connected = false;
  private state: PlaybackState = 'idle';
  private generation = 0;
  private stats = EMPTY_STATS();
  private lastError: string | null = null;
  private anchorWallMs = 0;
  private anchorReplayMs = 0;
  private wake: (() => void) | null = null;
  private resumed: (() => void) | null = null;
  private detached: { handle: unknown; dueMs: number } | null = null;
  private readonly finishHandlers = new Set<(f: ReplayFinished) => void>();
  private finishWaiters: Array<{ resolve: (s: ReplayStats) => void; reject: (e: Error) => void }> = [];
  private readonly tradeSubs = new Set<string>();
  private readonly quoteSubs = new Set<string>();
  private readonly bookSubs = new Map<string, number | undefined>();
  private messagesThisSecond = 0;
  private messagesLastSecond = 0;
  private currentSecond = -1;
  private lastDeliveredMs: number | null = null;

  constructor(options: ReplayVenueOptions) {
    if (options.sources.length === 0) throw new KestrelError('bad_request', 'a replay venue needs at least one source to play');
    const speed = ReplaySpeed.safeParse(options.speed ?? 1);
    if (!speed.success) throw new KestrelError('bad_request', describeZodError(speed.error, 'speed'));
    this.sources = options.sources;
    this.speed = speed.data;
    this.wall = options.wallTimers ?? realWallTimers;
    this.instruments = options.instruments ?? [];
    this.gatewayId = options.gatewayId ?? 'replay';
    this.venue = options.venue ?? 'REPLAY';
    this.maxSpeedBatch = Math.max(1, options.maxSpeedBatch ?? 2000);
    this.clock.onScheduled(() => this.onClockScheduled());
  }

  // ---- Gateway: connection, instruments, market data ----------------------------------------------

  async connect(): Promise<void> {
    this.connected = true;
    this.emitStatus();
  }

  async disconnect(): Promise<void> {
    this.stopRun();
    this.state = 'idle';
    this.connected = false;
    const waiters = this.finishWaiters;
    this.finishWaiters = [];
    for (const w of waiters) w.reject(new KestrelError('unavailable', `replay venue ${this.gatewayId} was disconnected before the recording ended`));
    this.emitStatus();
  }

  status(): GatewayStatus {
    const now = this.clock.nowMs();
    this.rollRate(now);
    return {
      gatewayId: this.gatewayId,
      venue: this.venue,
      state: !this.connected ? 'disconnected' : this.state === 'error' ? 'error' : this.state === 'finished' ? 'stopped' : 'connected',
      simulated: false,
      latencyMs: null,
      messagesPerSec: this.messagesLastSecond,
      lastMessageAgeMs: this.lastDeliveredMs === null ? null : Math.max(0, now - this.lastDeliveredMs),
      reconnectCount: 0,
      lastError: this.lastError,
      tsUpdated: Math.max(0, Math.floor(now)),
    };
  }

  setListener(listener: GatewayListener): void {
    this.listener = listener;
  }

  async loadInstruments(): Promise<Instrument[]> {
    return [...this.instruments];
  }

  async searchInstruments(query: string): Promise<Instrument[]> {
    const q = query.trim().toLowerCase();
    return this.instruments.filter((i) => i.instrumentId.toLowerCase().includes(q) || i.symbol.toLowerCase().includes(q));
  }

  /** `'*'` subscribes every instrument in the recordings. */
  async subscribeTrades(instrumentIds: string[]): Promise<void> {
    for (const id of instrumentIds) this.tradeSubs.add(id);
  }

  async subscribeQuotes(instrumentIds: string[]): Promise<void> {
    for (const id of instrumentIds) this.quoteSubs.add(id);
  }

  async subscribeBook(instrumentIds: string[], depth?: number): Promise<void> {
    for (const id of instrumentIds) this.bookSubs.set(id, depth);
  }

  async unsubscribe(instrumentIds: string[]): Promise<void> {
    for (const id of instrumentIds) {
      this.tradeSubs.delete(id);
      this.quoteSubs.delete(id);
      this.bookSubs.delete(id);
    }
  }

  // ---- Gateway: no account and no orders on a recording ------------------------------------------

  async fetchBalances(): Promise<Balance[]> {
    return [];
  }

  async fetchPositions(): Promise<Position[]> {
    return [];
  }

  async submitOrder(_clientOrderId: string, _order: SubmitOrder): Promise<VenueOrderAck> {
    throw new KestrelError('refused', `replay venue ${this.gatewayId} only plays recorded market data; trade on a paper account fed by it`);
  }

  async cancelOrder(): Promise<void> {
    throw new KestrelError('not_found', `replay venue ${this.gatewayId} holds no orders`);
  }

  /** Nothing to cancel; succeeds so a kill switch sweeping every gateway is not stopped here. */
  async cancelAllOrders(): Promise<void> {}

  async fetchOpenOrders(): Promise<Order[]> {
    return [];
  }

  async fetchFillsSince(): Promise<Fill[]> {
    return [];
  }

  // ---- playback -------------------------------------------------------------------------------------

  /** Starts playing (from the start when idle or finished) or resumes when paused. */
  play(): void {
    if (!this.connected) throw new KestrelError('unavailable', `replay venue ${this.gatewayId} is not connected; call connect() first`);
    if (this.state === 'playing') return;
    if (this.state === 'paused') return this.resume();
    if (this.state === 'finished' || this.state === 'error') this.rewind();
    this.state = 'playing';
    const generation = ++this.generation;
    void this.run(generation);
    this.emitStatus();
  }

  /** Freezes the replay clock; scheduled callbacks wait too. */
  pause(): void {
    if (this.state !== 'playing') return;
    this.state = 'paused';
    this.wake?.();
    this.emitStatus();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'playing';
    this.anchor();
    const resumed = this.resumed;
    this.resumed = null;
    resumed?.();
    this.emitStatus();
  }

  /**
   * Back to the first recorded event (the clock goes back with it, so consumers should reset what
   * they derived from time, e.g. PaperVenue.reset()). Callbacks already scheduled run first, at the
   * old time. Keeps playing if it was playing; otherwise (idle, paused, finished) waits for play().
   */
  seekToStart(): void {
    const wasPlaying = this.state === 'playing';
    this.stopRun();
    this.rewind();
    this.state = 'idle';
    if (wasPlaying) this.play();
    else this.emitStatus();
  }

  setSpeed(speed: ReplaySpeed): void {
    const parsed = ReplaySpeed.safeParse(speed);
    if (!parsed.success) throw new KestrelError('bad_request', describeZodError(parsed.error, 'speed'));
    this.wake?.();
    this.speed = parsed.data;
    this.anchor();
  }

  playback(): { state: PlaybackState; speed: ReplaySpeed; nowMs: number; stats: ReplayStats } {
    return { state: this.state, speed: this.speed, nowMs: this.clock.nowMs(), stats: { ...this.stats } };
  }

  /** Called at every end of playback (finished or failed); returns an unsubscribe function. */
  onFinished(handler: (finished: ReplayFinished) => void): () => void {
    this.finishHandlers.add(handler);
    return () => this.finishHandlers.delete(handler);
  }

  /** Resolves at the next end of playback (at once if already finished); rejects if playback fails. */
  whenFinished(): Promise<ReplayStats> {
    if (this.state === 'finished') return Promise.resolve({ ...this.stats });
    return new Promise((resolve, reject) => this.finishWaiters.push({ resolve, reject }));
  }

  // ---- the timeline ---------------------------------------------------------------------------------

  private async run(generation: number): Promise<void> {
    const events = mergeByTime(this.sources.map((s) => s.open()));
    try {
      let next = await events.next();
      if (generation !== this.generation) return;
      if (!next.done && this.stats.events === 0) this.clock.advanceTo(next.value.tsEvent);
      this.anchor();
      let sinceYield = 0;
      for (;;) {
        if (generation !== this.generation) return;
        if (this.state === 'paused') {
          await new Promise<void>((resolve) => (this.resumed = resolve));
          continue;
        }
        const eventMs = next.done ? null : Math.max(this.clock.nowMs(), next.value.tsEvent);
        const dueMs = this.clock.nextDueMs();
        if (eventMs === null && dueMs === null) break;
        const taskFirst = dueMs !== null && (eventMs === null || dueMs <= eventMs);
        const targetMs = taskFirst ? dueMs! : eventMs!;
        if (this.speed !== 'max') {
          const waitMs = this.wallTimeOf(targetMs) - this.wall.nowMs();
          if (waitMs > 0) {
            await this.sleep(waitMs, targetMs);
            continue;
          }
        }
        if (taskFirst) {
          this.clock.runDue(dueMs!);
          continue;
        }
        this.clock.advanceTo(eventMs!);
        this.deliver((next as IteratorYieldResult<ReplayEvent>).value);
        next = await events.next();
        if (this.speed === 'max' && ++sinceYield >= this.maxSpeedBatch) {
          sinceYield = 0;
          await new Promise<void>((resolve) => this.wall.setTimeout(resolve, 0));
        }
      }
      if (generation === this.generation) this.finish(null);
    } catch (err) {
      if (generation === this.generation) this.finish(err instanceof Error ? err : new Error(String(err)));
    } finally {
      await events.return(undefined);
    }
  }

  private deliver(event: ReplayEvent): void {
    const tsInit = Math.max(0, Math.floor(this.clock.nowMs()));
    const s = this.stats;
    s.events += 1;
    s.firstTsEvent ??= event.tsEvent;
    s.lastTsEvent = event.tsEvent;
    this.lastDeliveredMs = this.clock.nowMs();
    this.rollRate(this.lastDeliveredMs);
    this.messagesThisSecond += 1;
    if (event.kind === 'trade') {
      s.trades += 1;
      if (subscribed(this.tradeSubs, event.trade.instrumentId)) this.listener.onTrades?.([{ ...event.trade, tsInit }]);
    } else if (event.kind === 'quote') {
      s.quotes += 1;
      if (subscribed(this.quoteSubs, event.quote.instrumentId)) this.listener.onQuote?.({ ...event.quote, tsInit });
    } else {
      s.books += 1;
      const id = event.book.instrumentId;
      if (this.bookSubs.has(id) || this.bookSubs.has('*')) {
        const depth = this.bookSubs.has(id) ? this.bookSubs.get(id) : this.bookSubs.get('*');
        const book = depth === undefined ? event.book : { ...event.book, bids: event.book.bids.slice(0, depth), asks: event.book.asks.slice(0, depth) };
        this.listener.onBook?.(book);
      }
    }
  }

  private finish(error: Error | null): void {
    this.state = error ? 'error' : 'finished';
    this.lastError = error ? error.message : null;
    const stats = { ...this.stats };
    const waiters = this.finishWaiters;
    this.finishWaiters = [];
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve(stats);
    }
    for (const handler of this.finishHandlers) handler({ stats, error: this.lastError });
    this.emitStatus();
  }

  /** Wall time at which replay time `replayMs` is due at the current speed. */
  private wallTimeOf(replayMs: number): number {
    const speed = this.speed === 'max' ? Infinity : this.speed;
    return this.anchorWallMs + (replayMs - this.anchorReplayMs) / speed;
  }

  private anchor(): void {
    this.anchorWallMs = this.wall.nowMs();
    this.anchorReplayMs = this.clock.nowMs();
  }

  /** Waits on the wall clock while replay time flows smoothly towards `targetMs`; woken early by pause, seek, speed changes or new callbacks. */
  private sleep(waitMs: number, targetMs: number): Promise<void> {
    const speed = this.speed === 'max' ? Infinity : this.speed;
    this.clock.setInterpolation(() => Math.min(targetMs, this.anchorReplayMs + (this.wall.nowMs() - this.anchorWallMs) * speed));
    return new Promise<void>((resolve) => {
      let handle: unknown = null;
      const done = (): void => {
        if (this.wake !== done) return;
        this.wake = null;
        this.wall.clearTimeout(handle);
        this.clock.setInterpolation(null);
        resolve();
      };
      this.wake = done;
      handle = this.wall.setTimeout(done, waitMs);
    });
  }

  private stopRun(): void {
    this.generation += 1;
    this.wake?.();
    const resumed = this.resumed;
    this.resumed = null;
    resumed?.();
  }

  private rewind(): void {
    this.clock.runAll();
    this.clock.resetTo(0);
    this.stats = EMPTY_STATS();
    this.lastError = null;
    this.lastDeliveredMs = null;
  }

  /**
   * A callback scheduled while the timeline runs is picked up by the loop (a paced wait is woken for
   * it). Before play and after the end no recording moves time, so callbacks run after their delay
   * in real time (1×), the clock stepping to each one's time — an order sent after the end is still
   * answered, and a periodic timer ticks at a human pace instead of spinning.
   */
  private onClockScheduled(): void {
    if (this.wake) {
      this.wake();
      return;
    }
    if (this.state === 'playing' || this.state === 'paused') return;
    const due = this.clock.nextDueMs();
    if (due === null || (this.detached && this.detached.dueMs <= due)) return;
    if (this.detached) this.wall.clearTimeout(this.detached.handle);
    const handle = this.wall.setTimeout(() => {
      this.detached = null;
      if (this.state === 'playing' || this.state === 'paused') return;
      this.clock.runDue(due);
      this.onClockScheduled();
    }, Math.max(0, due - this.clock.nowMs()));
    this.detached = { handle, dueMs: due };
  }

  private rollRate(nowMs: number): void {
    const second = Math.floor(nowMs / MS_PER_SECOND);
    if (second === this.currentSecond) return;
    this.messagesLastSecond = second === this.currentSecond + 1 ? this.messagesThisSecond : 0;
    this.messagesThisSecond = 0;
    this.currentSecond = second;
  }

  private emitStatus(): void {
    this.listener.onStatus?.(this.status());
  }
}

function subscribed(subs: Set<string>, instrumentId: string): boolean {
  return subs.has(instrumentId) || subs.has('*');
}
