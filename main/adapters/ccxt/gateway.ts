import type { Exchange } from 'ccxt';
import { KestrelError } from '../../../shared/api/errors.js';
import type {
  Balance,
  Fill,
  FundingRate,
  GatewayStatus,
  Instrument,
  Order,
  Position,
  QuoteTick,
  SubmitOrder,
  TradeTick,
} from '../../../shared/model/index.js';
import { systemClock, type Clock } from '../../../shared/model/time.js';
import type { Gateway, GatewayCapabilities, GatewayListener, VenueOrderAck } from '../gateway.js';
import { TradeBackfill, type BackfillEvent, type TradeCursor } from './backfill.js';
import { CcxtVenue } from './ccxt-venue.js';
import { parseCcxtGatewayConfig, type CcxtCredentials, type CcxtGatewayConfig, type CcxtGatewayConfigInput } from './config.js';
import {
  parseBalances,
  parseFill,
  parseFundingRate,
  parseInstrument,
  parseOrder,
  parseOrderAck,
  parseOrderBook,
  parsePosition,
  parseQuoteTick,
  parseTradeTick,
  quoteFromBook,
  type ParseContext,
} from './parse.js';
import type { RateBudget } from './rate-budget.js';
import { VenueError } from './venue-error.js';
import { venueQuirks } from './venues/index.js';
import type { VenueQuirks } from './venues/venue-quirks.js';

export type GatewayLogLevel = 'info' | 'warn' | 'error';
/** Where the gateway writes its log lines; every line has had credentials removed. */
export type GatewayLog = (level: GatewayLogLevel, message: string) => void;

export interface CcxtGatewayDeps {
  /** The account's credentials (the lead reads KESTREL_<ACCOUNT>_API_KEY/_API_SECRET). Never logged. */
  credentials?: CcxtCredentials | null;
  clock?: Clock;
  log?: GatewayLog;
  /** Defaults to the venue's process-wide shared budget. */
  budget?: RateBudget;
  /** Watch own orders and fills from connect (needs credentials). Default true. */
  privateStreams?: boolean;
  /** How often onStatus is pushed while connected (0 = only on changes). Default 1000. */
  statusIntervalMs?: number;
}

type GatewayState = GatewayStatus['state'];

interface StreamLoop {
  key: string;
  symbol: string | null;
  active: boolean;
  failures: number;
}

/** A submitted order whose fate the venue has not told us yet (timeout, 5xx): looked up until known. */
interface UnconfirmedOrder {
  clientOrderId: string;
  venueClientId: string;
  symbol: string;
  cmd: SubmitOrder;
  sinceMs: number;
}

const defaultLog: GatewayLog = (level, message) => {
  process.stderr.write(`[${level}] ${message}\n`);
};

const sleepMs = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });

/** Ids of the last fills/orders handled, bounded so a long session does not grow without end. */
class RecentKeys {
  private readonly set = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(key: string): boolean {
    return this.set.has(key);
  }
  add(key: string): void {
    this.set.add(key);
    if (this.set.size > this.capacity) this.set.delete(this.set.values().next().value as string);
  }
}

/**
 * One account on one ccxt venue (binance, binanceusdm, okx, bybit, gate, hyperliquid) behind
 * Kestrel's Gateway port: REST through ccxt, streams through ccxt.pro, everything normalised to
 * shared/model. It survives what venues do to clients: dropped sockets (reconnect, resubscribe,
 * REST backfill of the trades missed), garbage frames, 418/429/5xx and venues that stop answering
 * — each reported in status().lastError in plain words — and it never sends an order twice: a
 * submit whose outcome is unknown is looked up by its client id instead of being resent.
 */
export class CcxtGateway implements Gateway {
  readonly gatewayId: string;
  readonly venue: string;
  readonly has: GatewayCapabilities;
  readonly config: CcxtGatewayConfig;

  private readonly quirks: VenueQuirks;
  private readonly credentials: CcxtCredentials | null;
  private readonly clock: Clock;
  private readonly logSink: GatewayLog;
  private session: CcxtVenue | null = null;
  private listener: GatewayListener = {};
  private running = false;

  private state: GatewayState = 'disconnected';
  private lastError: string | null = null;
  private reconnectCount = 0;
  private latencyMs: number | null = null;
  private lastMessageMs: number | null = null;
  private readonly messageBuckets = new Map<number, number>();
  private heartbeatFailing = false;

  private readonly streams = new Map<string, StreamLoop>();
  private readonly failing = new Set<string>();
  private readonly backfills = new Map<string, TradeBackfill>();
  private readonly bookDepth = new Map<string, number>();
  private readonly quotesFromBook = new Set<string>();
  private readonly lastQuoteKey = new Map<string, string>();
  private instruments: Instrument[] | null = null;

  private readonly clientIdByVenueClientId = new Map<string, string>();
  private readonly clientIdByVenueOrderId = new Map<string, string>();
  private readonly lastOrderState = new Map<string, string>();
  private readonly seenFills = new RecentKeys(200_000);
  private readonly knownOpenOrders = new Map<string, { symbol: string; venueOrderId: string }>();
  private readonly unconfirmed = new Map<string, UnconfirmedOrder>();
  private readonly symbolsTraded = new Set<string>();
  private lastFillMs = 0;

  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly privateStreams: boolean;
  private readonly statusIntervalMs: number;
  private readonly budgetOverride: RateBudget | undefined;
  private settingsNotes: string[] = [];

  constructor(config: CcxtGatewayConfigInput | CcxtGatewayConfig, deps: CcxtGatewayDeps = {}) {
    this.config = parseCcxtGatewayConfig(config);
    this.quirks = venueQuirks(this.config.venue);
    this.credentials = deps.credentials ?? null;
    this.clock = deps.clock ?? systemClock;
    this.logSink = deps.log ?? defaultLog;
    this.budgetOverride = deps.budget;
    this.privateStreams = deps.privateStreams ?? true;
    this.statusIntervalMs = deps.statusIntervalMs ?? 1000;
    this.venue = this.config.venue.toUpperCase();
    this.gatewayId = this.config.gatewayId ?? `${this.config.venue}:${this.config.accountId}`;
    const derivatives = this.quirks.defaultFundingIntervalHours !== null;
    this.has = {
      trades: true,
      quotes: true,
      book: true,
      orders: this.credentials !== null,
      cancelAll: this.credentials !== null,
      balances: this.credentials !== null,
      positions: this.credentials !== null && derivatives,
      fundingRates: derivatives,
      ohlcv: true,
      tradeHistory: this.quirks.tradeHistory === 'window' || this.quirks.tradeHistory === 'cursor-backward',
    };
  }

  // ---------------------------------------------------------------- lifecycle

  async connect(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.setState('connecting');
    try {
      const openOptions: Parameters<typeof CcxtVenue.open>[1] = { credentials: this.credentials, clock: this.clock };
      if (this.budgetOverride) openOptions.budget = this.budgetOverride;
      this.session = await CcxtVenue.open(this.config, openOptions);
      this.session.hooks = {
        onFrame: () => this.noteMessage(),
        onBadFrame: (reason) => this.noteError(`${this.config.venue}: ${reason}`, 'warn'),
        onCcxtLog: (text) => this.log('info', `ccxt ${this.config.venue}: ${text}`),
        onRestAnswer: (ms) => {
          this.latencyMs = ms;
        },
        onBackoff: (status, secs) =>
          this.noteError(
            status === 418
              ? `${this.config.venue} has banned this IP for too many requests (HTTP 418); all its accounts wait ${secs} s`
              : `${this.config.venue} rate limit hit (HTTP 429); all its accounts wait ${secs} s`,
            'warn',
          ),
      };
      await this.session.call('loadMarkets', (ex) => ex.loadMarkets());
      this.refineCapabilities(this.session.ex);
      this.setState('connected');
      this.log('info', `${this.gatewayId} connected to ${this.config.venue}${this.config.mode === 'testnet' ? ' (testnet)' : ''}; ${Object.keys(this.session.ex.markets ?? {}).length} markets`);
      await this.applyContractSettings();
      this.startTimers();
      if (this.credentials && this.privateStreams) this.startPrivateStreams();
    } catch (err) {
      const message = err instanceof KestrelError ? err.message : this.describe(err, 'connect').message;
      this.lastError = message;
      this.setState('error');
      this.log('error', message);
      await this.teardown();
      throw err instanceof KestrelError ? err : new KestrelError('unavailable', message);
    }
  }

  async disconnect(): Promise<void> {
    await this.teardown();
    this.setState('stopped');
  }

  private async teardown(): Promise<void> {
    this.running = false;
    for (const loop of this.streams.values()) loop.active = false;
    this.streams.clear();
    this.failing.clear();
    for (const b of this.backfills.values()) b.dispose();
    this.backfills.clear();
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    const session = this.session;
    this.session = null;
    if (session) await session.close();
  }

  status(): GatewayStatus {
    const now = this.clock.nowMs();
    return {
      gatewayId: this.gatewayId,
      venue: this.venue,
      state: this.state,
      simulated: false,
      latencyMs: this.latencyMs,
      messagesPerSec: this.messagesPerSec(now),
      lastMessageAgeMs: this.lastMessageMs === null ? null : Math.max(0, now - this.lastMessageMs),
      reconnectCount: this.reconnectCount,
      lastError: this.lastError,
      tsUpdated: now,
    };
  }

  setListener(listener: GatewayListener): void {
    this.listener = listener;
  }

  /** The ccxt session (for history functions and the CLI); throws before connect. */
  venueSession(): CcxtVenue {
    return this.requireSession();
  }

  /** Contract settings that could not be applied at connect, in plain words (empty when all went through). */
  contractSettingsNotes(): string[] {
    return [...this.settingsNotes];
  }

  /** Resolves when every trade backfill queued so far has finished (tests, orderly shutdown). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.backfills.values()].map((b) => b.idle()));
  }

  // ---------------------------------------------------------------- instruments

  async loadInstruments(): Promise<Instrument[]> {
    const session = this.requireSession();
    const markets = session.ex.markets ?? (await session.call('loadMarkets', (ex) => ex.loadMarkets()));
    const out: Instrument[] = [];
    let skipped = 0;
    for (const market of Object.values(markets)) {
      try {
        out.push(parseInstrument(market, { instrumentId: (s) => session.instrumentId(s) }, this.venue, session.ex.precisionMode ?? 4));
      } catch {
        skipped += 1;
      }
    }
    if (skipped > 0) this.log('warn', `${this.config.venue}: ${skipped} markets without price/amount steps were left out of the instrument list`);
    this.instruments = out;
    return out;
  }

  async searchInstruments(query: string): Promise<Instrument[]> {
    const all = this.instruments ?? (await this.loadInstruments());
    const q = query.trim().toUpperCase();
    if (!q) return all;
    return all.filter((i) => i.symbol.toUpperCase().includes(q) || i.base.toUpperCase() === q);
  }

  // ---------------------------------------------------------------- market data

  async subscribeTrades(instrumentIds: string[]): Promise<void> {
    const session = this.requireSession();
    const symbols = instrumentIds.map((id) => session.symbolOf(id));
    for (const symbol of symbols) {
      const backfill = this.backfillFor(symbol);
      const params = this.quirks.watchTradesParams?.(this.config) ?? {};
      this.startLoop(
        `trades:${symbol}`,
        symbol,
        (ex) => ex.watchTrades(symbol, undefined, undefined, params),
        (trades) => backfill.onLive(this.parseMany(trades as unknown[], (t) => parseTradeTick(t, this.parseCtx()), `trade of ${symbol}`)),
        () => backfill.onReconnected(),
      );
    }
  }

  async subscribeQuotes(instrumentIds: string[]): Promise<void> {
    const session = this.requireSession();
    for (const id of instrumentIds) {
      const symbol = session.symbolOf(id);
      if (this.quirks.quoteSource === 'book') {
        this.quotesFromBook.add(symbol);
        this.startBookLoop(symbol);
      } else if (this.quirks.quoteSource === 'bidsAsks') {
        this.startLoop(
          `quotes:${symbol}`,
          symbol,
          (ex) => ex.watchBidsAsks([symbol]),
          (tickers) => this.emitQuote(this.latestCached('bidsasks', symbol) ?? (tickers as Record<string, unknown>)[symbol]),
        );
      } else {
        this.startLoop(`quotes:${symbol}`, symbol, (ex) => ex.watchTicker(symbol), (t) => this.emitQuote(this.latestCached('tickers', symbol) ?? t));
      }
    }
  }

  /**
   * ccxt resolves a watch with the first update of a burst; by the time Kestrel reads it the rest of
   * the burst is in ccxt's cache. Quotes are worth only their latest value, so read that.
   */
  private latestCached(cache: 'bidsasks' | 'tickers', symbol: string): unknown {
    const ex = this.session?.ex as unknown as Record<string, Record<string, unknown> | undefined> | undefined;
    return ex?.[cache]?.[symbol];
  }

  async subscribeBook(instrumentIds: string[], depth = 50): Promise<void> {
    const session = this.requireSession();
    for (const id of instrumentIds) {
      const symbol = session.symbolOf(id);
      this.bookDepth.set(symbol, depth);
      this.startBookLoop(symbol);
    }
  }

  async unsubscribe(instrumentIds: string[]): Promise<void> {
    const session = this.requireSession();
    for (const id of instrumentIds) {
      const symbol = session.symbolOf(id);
      for (const kind of ['trades', 'quotes', 'book']) {
        const loop = this.streams.get(`${kind}:${symbol}`);
        if (!loop) continue;
        loop.active = false;
        this.streams.delete(loop.key);
        this.failing.delete(loop.key);
      }
      this.bookDepth.delete(symbol);
      this.quotesFromBook.delete(symbol);
      this.backfills.get(symbol)?.dispose();
      this.backfills.delete(symbol);
      const ex = session.ex as unknown as Record<string, unknown>;
      for (const m of ['unWatchTrades', 'unWatchOrderBook', 'unWatchTicker']) {
        if (session.ex.has[m] && typeof ex[m] === 'function') await (ex[m] as (s: string) => Promise<unknown>).call(session.ex, symbol).catch(() => undefined);
      }
    }
    this.refreshStateAfterStreams();
  }

  /** Current (next) funding of each perp, normalised to a 24h rate with the venue's cadence. */
  async fetchFundingRates(instrumentIds: string[]): Promise<FundingRate[]> {
    const session = this.requireSession();
    const symbols = instrumentIds.map((id) => session.symbolOf(id));
    const ctx = this.parseCtx();
    const raws: unknown[] =
      session.ex.has['fetchFundingRates'] === true && symbols.length > 1
        ? Object.values(await session.call('fetchFundingRates', (ex) => ex.fetchFundingRates(symbols)))
        : await Promise.all(symbols.map((s) => session.call(`fetchFundingRate ${s}`, (ex) => ex.fetchFundingRate(s))));
    return raws
      .filter((r) => symbols.includes((r as { symbol?: string }).symbol ?? ''))
      .map((r) => parseFundingRate(r, ctx, this.fundingIntervalOf((r as { symbol: string }).symbol)));
  }

  /** Cadence of a perp's funding: the venue's market listing where it says, else the venue default. */
  fundingIntervalOf(symbol: string): number {
    const market = this.session?.ex.markets?.[symbol];
    return (market && this.quirks.fundingIntervalFromMarket?.(market)) || this.quirks.defaultFundingIntervalHours || 8;
  }

  // ---------------------------------------------------------------- account

  async fetchBalances(): Promise<Balance[]> {
    const session = this.requireSession();
    this.requireCredentials('fetch balances');
    const raw = await session.call('fetchBalance', (ex) => ex.fetchBalance());
    return parseBalances(raw, this.parseCtx());
  }

  async fetchPositions(): Promise<Position[]> {
    const session = this.requireSession();
    this.requireCredentials('fetch positions');
    if (!this.has.positions) return [];
    const raws = await session.call('fetchPositions', (ex) => ex.fetchPositions());
    return raws.map((p) => parsePosition(p, this.parseCtx())).filter((p): p is Position => p !== null);
  }

  // ---------------------------------------------------------------- orders

  async submitOrder(clientOrderId: string, order: SubmitOrder): Promise<VenueOrderAck> {
    const session = this.requireSession();
    this.requireCredentials(`submit order ${clientOrderId}`);
    const symbol = session.symbolOf(order.instrumentId);
    if (this.clientIdByVenueClientId.has(this.quirks.venueClientOrderId(clientOrderId)))
      throw new KestrelError('refused', `order ${clientOrderId} was already submitted to ${this.config.venue}; a clientOrderId is sent once`);
    if (order.timeInForce === 'DAY') throw new KestrelError('refused', `order ${clientOrderId}: crypto venues have no DAY orders; use GTC, IOC or FOK`);
    const venueClientId = this.quirks.venueClientOrderId(clientOrderId);
    this.clientIdByVenueClientId.set(venueClientId, clientOrderId);
    this.symbolsTraded.add(symbol);
    const params: Record<string, unknown> = { clientOrderId: venueClientId };
    if (order.timeInForce) params['timeInForce'] = order.timeInForce;
    if (order.type === 'stop') params['triggerPrice'] = order.stopPrice;
    const type = order.type === 'limit' ? 'limit' : order.type === 'stop' && order.price !== undefined ? 'limit' : 'market';
    const action = `createOrder ${order.side} ${order.quantity} ${symbol} (${clientOrderId})`;
    try {
      const raw = await session.call(action, (ex) => ex.createOrder(symbol, type, order.side, order.quantity, order.price, params));
      return this.acknowledge(raw, clientOrderId, venueClientId, order);
    } catch (err) {
      const e = err instanceof VenueError ? err : this.describe(err, action);
      if (!e.uncertain) {
        this.clientIdByVenueClientId.delete(venueClientId);
        this.noteError(e.message, 'warn');
        throw e;
      }
      // The request may have reached the venue. Resending could double the order; ask instead.
      const found = await this.lookUpOrder(symbol, venueClientId);
      if (found === 'unknown') {
        this.unconfirmed.set(clientOrderId, { clientOrderId, venueClientId, symbol, cmd: order, sinceMs: this.clock.nowMs() });
        const msg = `${e.message}; order ${clientOrderId} may or may not be at the venue — Kestrel keeps asking and will report its state`;
        this.noteError(msg, 'error');
        throw new VenueError(e.kind, msg, true, e.httpStatus);
      }
      if (found === null) {
        this.clientIdByVenueClientId.delete(venueClientId);
        const msg = `${e.message}; checked with the venue: order ${clientOrderId} was not placed`;
        this.noteError(msg, 'warn');
        throw new VenueError(e.kind, msg, false, e.httpStatus);
      }
      this.log('warn', `${e.message}; the venue has order ${clientOrderId} all the same, carrying on with it`);
      return this.acknowledge(found, clientOrderId, venueClientId, order);
    }
  }

  async cancelOrder(clientOrderId: string, venueOrderId: string | null, instrumentId: string): Promise<void> {
    const session = this.requireSession();
    this.requireCredentials(`cancel order ${clientOrderId}`);
    const symbol = session.symbolOf(instrumentId);
    const venueClientId = this.quirks.venueClientOrderId(clientOrderId);
    const action = `cancelOrder ${symbol} (${clientOrderId})`;
    try {
      const raw = await session.call(action, (ex) => ex.cancelOrder(venueOrderId ?? '', symbol, venueOrderId ? {} : { clientOrderId: venueClientId }));
      this.emitOrderIfParsable(raw);
    } catch (err) {
      const e = err instanceof VenueError ? err : this.describe(err, action);
      if (!e.uncertain) throw e;
      // Whether the cancel went through is unknown; report the order's real state instead of guessing.
      const found = await this.lookUpOrder(symbol, venueClientId);
      if (found && found !== 'unknown') this.emitOrderIfParsable(found);
      throw e;
    }
  }

  async cancelAllOrders(): Promise<void> {
    const session = this.requireSession();
    this.requireCredentials('cancel all orders');
    const open = await this.fetchOpenOrders();
    const symbols = new Set(open.map((o) => session.symbolOf(o.instrumentId)));
    for (const symbol of symbols) {
      if (session.ex.has['cancelAllOrders'] === true) {
        await session.call(`cancelAllOrders ${symbol}`, (ex) => ex.cancelAllOrders(symbol));
      } else {
        for (const o of open.filter((x) => session.symbolOf(x.instrumentId) === symbol && x.venueOrderId)) {
          await session.call(`cancelOrder ${symbol} ${o.venueOrderId}`, (ex) => ex.cancelOrder(o.venueOrderId!, symbol));
        }
      }
    }
    await this.resyncOrders();
  }

  async fetchOpenOrders(): Promise<Order[]> {
    const session = this.requireSession();
    this.requireCredentials('fetch open orders');
    const raws = await session.call('fetchOpenOrders', (ex) => ex.fetchOpenOrders());
    return this.parseMany(raws, (o) => parseOrder(o, this.parseCtx()), 'open order');
  }

  async fetchFillsSince(sinceMs: number): Promise<Fill[]> {
    const session = this.requireSession();
    this.requireCredentials('fetch fills');
    const raws: unknown[] = [];
    if (this.quirks.myTradesNeedSymbol) {
      for (const symbol of this.symbolsTraded) raws.push(...(await session.call(`fetchMyTrades ${symbol}`, (ex) => ex.fetchMyTrades(symbol, sinceMs))));
    } else {
      raws.push(...(await session.call('fetchMyTrades', (ex) => ex.fetchMyTrades(undefined, sinceMs))));
    }
    return this.parseMany(raws, (t) => parseFill(t, { ...this.parseCtx(), gatewayId: this.gatewayId }), 'fill').sort((a, b) => a.tsEvent - b.tsEvent);
  }

  /** Symbols Kestrel has traded through this gateway (fills are fetched per symbol on Binance). */
  noteTradedSymbols(instrumentIds: string[]): void {
    const session = this.requireSession();
    for (const id of instrumentIds) this.symbolsTraded.add(session.symbolOf(id));
  }

  // ---------------------------------------------------------------- internals: streams

  private startBookLoop(symbol: string): void {
    this.startLoop(
      `book:${symbol}`,
      symbol,
      (ex) => ex.watchOrderBook(symbol),
      (raw) => {
        const ctx = this.parseCtx();
        const book = parseOrderBook(raw, symbol, ctx, this.bookDepth.get(symbol) ?? 50);
        if (this.bookDepth.has(symbol)) this.listener.onBook?.(book);
        if (this.quotesFromBook.has(symbol)) {
          const q = quoteFromBook(book, ctx.nowMs());
          if (q) this.listener.onQuote?.(q);
        }
      },
    );
  }

  private startPrivateStreams(): void {
    const session = this.requireSession();
    if (session.ex.has['watchOrders']) {
      this.startLoop(
        'orders',
        null,
        (ex) => ex.watchOrders(),
        (orders) => {
          for (const o of orders as unknown[]) this.emitOrderIfParsable(o);
        },
        () => void this.resyncOrders().catch((err) => this.noteError(this.describe(err, 'resync orders').message, 'warn')),
      );
    }
    if (session.ex.has['watchMyTrades']) {
      this.startLoop(
        'myTrades',
        null,
        (ex) => ex.watchMyTrades(),
        (trades) => this.emitFills(trades as unknown[]),
        () => void this.resyncFills().catch((err) => this.noteError(this.describe(err, 'resync fills').message, 'warn')),
      );
    }
  }

  /**
   * Runs one ccxt.pro watch call after another. When a call fails (socket dropped, venue error) the
   * loop backs off and calls again, which makes ccxt reconnect and resubscribe; once the socket is
   * back, `onRecovered` runs (trade backfill, order/fill resync).
   */
  private startLoop(key: string, symbol: string | null, watch: (ex: Exchange) => Promise<unknown>, handle: (data: unknown) => void, onRecovered?: () => void): void {
    if (this.streams.has(key)) return;
    const loop: StreamLoop = { key, symbol, active: true, failures: 0 };
    this.streams.set(key, loop);
    void (async () => {
      while (loop.active && this.running && this.session) {
        const ex = this.session.ex;
        try {
          const pending = watch(ex);
          if (loop.failures > 0) {
            // The settled-later loser of this race must not become an unhandled rejection, nor keep polling.
            const probe = { done: false };
            const first = await Promise.race([pending.then(() => 'data' as const, () => 'failed' as const), this.whenSocketsOpen(ex, loop, probe)]);
            probe.done = true;
            if (!loop.active) break;
            if (first === 'open') this.recovered(loop, onRecovered);
          }
          const data = await pending;
          if (!loop.active) break;
          if (loop.failures > 0) this.recovered(loop, onRecovered);
          try {
            handle(data);
          } catch (err) {
            this.noteError(`${this.config.venue} ${key}: ${(err as Error).message}`, 'warn');
          }
        } catch (err) {
          if (!loop.active || !this.running) break;
          loop.failures += 1;
          this.streamFailed(loop, err);
          const delay = Math.min(this.config.reconnect.maxDelayMs, this.config.reconnect.initialDelayMs * 2 ** Math.min(10, loop.failures - 1));
          await sleepMs(delay);
        }
      }
    })();
  }

  /** Resolves when ccxt has every socket of the exchange open again ('closed' if the loop stops first). */
  private async whenSocketsOpen(ex: Exchange, loop: StreamLoop, probe: { done: boolean }): Promise<'open' | 'closed'> {
    for (;;) {
      if (!loop.active || !this.running || probe.done) return 'closed';
      // ccxt keeps helper clients (e.g. "authenticationFlights") beside the sockets; a socket has a ws(s):// url.
      const clients = Object.values((ex as unknown as { clients: Record<string, { url?: unknown; isConnected?: boolean }> }).clients ?? {}).filter(
        (c) => typeof c?.url === 'string' && /^wss?:\/\//.test(c.url),
      );
      if (clients.length > 0 && clients.every((c) => c.isConnected === true)) return 'open';
      await sleepMs(25);
    }
  }

  private streamFailed(loop: StreamLoop, err: unknown): void {
    const e = this.describe(err, `stream ${loop.key}`);
    this.failing.add(loop.key);
    this.lastError = e.message;
    if (this.state !== 'reconnecting') {
      this.setState('reconnecting');
      this.log('warn', `${e.message}; reconnecting`);
    } else {
      this.emitStatus();
    }
  }

  private recovered(loop: StreamLoop, onRecovered?: () => void): void {
    if (loop.failures === 0) return;
    loop.failures = 0;
    this.failing.delete(loop.key);
    onRecovered?.();
    this.refreshStateAfterStreams();
  }

  private refreshStateAfterStreams(): void {
    if (this.state === 'reconnecting' && this.failing.size === 0) {
      this.reconnectCount += 1;
      this.log('info', `${this.gatewayId} streams are back (reconnect #${this.reconnectCount})`);
      this.setState(this.heartbeatFailing ? 'error' : 'connected');
    }
  }

  private backfillFor(symbol: string): TradeBackfill {
    let b = this.backfills.get(symbol);
    if (b) return b;
    const session = this.requireSession();
    const instrumentId = session.instrumentId(symbol);
    const mode = this.config.backfill.enabled ? this.quirks.tradeBackfill : 'none';
    b = new TradeBackfill({
      instrumentId,
      source: { mode, fetchAfter: (cursor, limit) => this.fetchTradesAfter(symbol, cursor, limit) },
      emit: (ticks) => {
        if (ticks.length > 0) this.listener.onTrades?.(ticks);
      },
      report: (event) => this.onBackfillEvent(event),
      rememberIds: this.config.backfill.rememberIds,
      maxAttempts: this.config.backfill.maxAttempts,
      quietDelayMs: this.config.backfill.quietDelayMs,
    });
    this.backfills.set(symbol, b);
    return b;
  }

  private async fetchTradesAfter(symbol: string, cursor: TradeCursor, limit: number): Promise<TradeTick[]> {
    const session = this.requireSession();
    const raws =
      this.quirks.tradeBackfill === 'fromId' && this.quirks.fetchTradesAfterId
        ? await session.call(`backfill trades ${symbol} after id ${cursor.tradeId}`, (ex) =>
            this.quirks.fetchTradesAfterId!(ex, { symbol, afterId: cursor.tradeId, sinceMs: cursor.tsEvent, limit }, this.config),
          )
        : await session.call(`backfill trades ${symbol} since ${cursor.tsEvent}`, (ex) => ex.fetchTrades(symbol, cursor.tsEvent, limit));
    return this.parseMany(raws, (t) => parseTradeTick(t, this.parseCtx()), `backfilled trade of ${symbol}`);
  }

  private onBackfillEvent(event: BackfillEvent): void {
    switch (event.kind) {
      case 'filled':
        if (event.count > 0) this.log('info', `${event.instrumentId}: backfilled ${event.count} trades over REST`);
        return;
      case 'retrying':
        this.noteError(event.message, 'warn');
        return;
      case 'gave_up':
      case 'unfillable':
        this.noteError(event.message, 'error');
        return;
    }
  }

  // ---------------------------------------------------------------- internals: orders and fills

  private acknowledge(raw: unknown, clientOrderId: string, venueClientId: string, cmd: SubmitOrder): VenueOrderAck {
    const id = (raw as { id?: unknown } | null)?.id;
    const venueOrderId = id === undefined || id === null || id === '' ? null : String(id);
    if (venueOrderId) this.clientIdByVenueOrderId.set(venueOrderId, clientOrderId);
    this.clientIdByVenueClientId.set(venueClientId, clientOrderId);
    this.unconfirmed.delete(clientOrderId);
    let status: Order['status'] = 'open';
    try {
      const order = parseOrderAck(raw, { symbol: this.requireSession().symbolOf(cmd.instrumentId), side: cmd.side, amount: cmd.quantity, price: cmd.price, type: cmd.type === 'market' ? 'market' : 'limit' }, this.parseCtx());
      status = order.status;
      this.emitOrder(order);
    } catch (err) {
      this.log('warn', `${this.config.venue}: order ${clientOrderId} was accepted as ${venueOrderId ?? '?'} but its details could not be read (${(err as Error).message})`);
    }
    if (!venueOrderId) throw new VenueError('bad_response', `${this.config.venue} accepted order ${clientOrderId} without an order id`, true);
    return { clientOrderId, venueOrderId, status };
  }

  /** The order with this client id at the venue: the raw order, null if the venue has none, 'unknown' if it cannot say. */
  private async lookUpOrder(symbol: string, venueClientId: string): Promise<unknown | null | 'unknown'> {
    const session = this.requireSession();
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await session.call(`look up order ${venueClientId}`, (ex) => this.quirks.findOrderByClientId(ex, symbol, venueClientId));
      } catch (err) {
        const e = err instanceof VenueError ? err : this.describe(err, 'look up order');
        if (e.kind === 'not_found') return null;
        if (attempt === 3) return 'unknown';
        await sleepMs(this.config.reconnect.initialDelayMs * attempt);
      }
    }
    return 'unknown';
  }

  /** Asks again about every order whose submit ended in doubt. */
  private async reconcileUnconfirmed(): Promise<void> {
    for (const u of [...this.unconfirmed.values()]) {
      const found = await this.lookUpOrder(u.symbol, u.venueClientId);
      if (found === 'unknown') continue;
      this.unconfirmed.delete(u.clientOrderId);
      if (found) {
        this.log('info', `${this.config.venue}: order ${u.clientOrderId} turned out to be at the venue`);
        this.acknowledge(found, u.clientOrderId, u.venueClientId, u.cmd);
        continue;
      }
      this.clientIdByVenueClientId.delete(u.venueClientId);
      const now = this.clock.nowMs();
      this.log('info', `${this.config.venue}: order ${u.clientOrderId} was never placed`);
      this.listener.onOrder?.({
        clientOrderId: u.clientOrderId,
        venueOrderId: null,
        accountId: this.config.accountId,
        instrumentId: u.cmd.instrumentId,
        side: u.cmd.side,
        type: u.cmd.type,
        timeInForce: u.cmd.timeInForce ?? 'GTC',
        quantity: u.cmd.quantity,
        price: u.cmd.price ?? null,
        stopPrice: u.cmd.stopPrice ?? null,
        status: 'rejected',
        filledQuantity: 0,
        avgFillPrice: null,
        reason: `the venue did not confirm the order and has no order with its client id`,
        tsCreated: u.sinceMs,
        tsUpdated: now,
      });
    }
  }

  private emitOrderIfParsable(raw: unknown): void {
    try {
      this.emitOrder(parseOrder(raw, this.parseCtx()));
    } catch (err) {
      this.noteError(`${this.config.venue}: an order update could not be read (${(err as Error).message})`, 'warn');
    }
  }

  /** Emits an order only when its state changed, so a stream replay or a resync never repeats it. */
  private emitOrder(order: Order): void {
    const key = order.venueOrderId ?? `client:${order.clientOrderId}`;
    const state = `${order.status}|${order.filledQuantity}`;
    if (this.lastOrderState.get(key) === state) return;
    this.lastOrderState.set(key, state);
    if (order.venueOrderId) {
      if (order.status === 'open' || order.status === 'partially_filled' || order.status === 'pending') {
        this.knownOpenOrders.set(order.venueOrderId, { symbol: this.requireSession().symbolOf(order.instrumentId), venueOrderId: order.venueOrderId });
      } else {
        this.knownOpenOrders.delete(order.venueOrderId);
      }
    }
    this.listener.onOrder?.(order);
  }

  private emitFills(raws: unknown[]): void {
    const fills = this.parseMany(raws, (t) => parseFill(t, { ...this.parseCtx(), gatewayId: this.gatewayId }), 'fill');
    for (const fill of fills.sort((a, b) => a.tsEvent - b.tsEvent)) {
      if (this.seenFills.has(fill.venueTradeId)) continue;
      this.seenFills.add(fill.venueTradeId);
      this.lastFillMs = Math.max(this.lastFillMs, fill.tsEvent);
      this.symbolsTraded.add(this.requireSession().symbolOf(fill.instrumentId));
      this.listener.onFill?.(fill);
    }
  }

  /** After the private stream was down: fills since the last one seen, each emitted once. */
  private async resyncFills(): Promise<void> {
    const since = this.lastFillMs > 0 ? this.lastFillMs : this.clock.nowMs() - 24 * 3_600_000;
    const session = this.requireSession();
    const raws: unknown[] = [];
    if (this.quirks.myTradesNeedSymbol) {
      for (const symbol of this.symbolsTraded) raws.push(...(await session.call(`fetchMyTrades ${symbol}`, (ex) => ex.fetchMyTrades(symbol, since))));
    } else {
      raws.push(...(await session.call('fetchMyTrades', (ex) => ex.fetchMyTrades(undefined, since))));
    }
    this.emitFills(raws);
  }

  /** After the private stream was down: open orders and the final state of those that closed meanwhile. */
  private async resyncOrders(): Promise<void> {
    const session = this.requireSession();
    await this.reconcileUnconfirmed();
    const open = await session.call('fetchOpenOrders', (ex) => ex.fetchOpenOrders());
    const openIds = new Set<string>();
    for (const raw of open) {
      const id = (raw as { id?: unknown }).id;
      if (id !== undefined && id !== null) openIds.add(String(id));
      this.emitOrderIfParsable(raw);
    }
    for (const known of [...this.knownOpenOrders.values()]) {
      if (openIds.has(known.venueOrderId)) continue;
      const raw = await session.call(`fetchOrder ${known.venueOrderId}`, (ex) => ex.fetchOrder(known.venueOrderId, known.symbol)).catch((err: unknown) => {
        this.noteError((err as Error).message, 'warn');
        return null;
      });
      if (raw) this.emitOrderIfParsable(raw);
    }
  }

  // ---------------------------------------------------------------- internals: status, settings, misc

  private async applyContractSettings(): Promise<void> {
    const settings = this.config.contractSettings;
    if (!settings) return;
    const notes: string[] = [];
    const support = this.quirks.contractSettings;
    const venue = this.config.venue;
    if (!this.credentials) {
      notes.push(`${venue}: contract settings need API credentials for account ${this.config.accountId}; none applied`);
    } else {
      const attempt = async (what: string, fn: (ex: Exchange) => Promise<unknown>) => {
        try {
          await this.requireSession().call(what, fn);
        } catch (err) {
          // "No need to change …" means the setting is already what we want.
          if (/no need to change|not modified|already/i.test((err as Error).message) || (err as { kind?: string }).kind === 'not_modified') return;
          notes.push(`${venue}: ${what} failed: ${(err as Error).message}`);
        }
      };
      if (settings.positionMode) {
        if (support.positionMode) await attempt(`set position mode ${settings.positionMode}`, (ex) => ex.setPositionMode(settings.positionMode === 'hedge'));
        else notes.push(`${venue} has no position mode setting; ${settings.positionMode} not applied`);
      }
      for (const symbol of settings.symbols) {
        if (!this.session?.ex.markets?.[symbol]) {
          notes.push(`${venue}: contract settings name unknown market ${symbol}`);
          continue;
        }
        if (settings.marginMode) {
          if (support.marginMode)
            await attempt(`set margin mode ${settings.marginMode} on ${symbol}`, (ex) =>
              ex.setMarginMode(settings.marginMode!, symbol, this.quirks.marginModeParams?.({ leverage: settings.leverage }) ?? {}),
            );
          else notes.push(`${venue} has no separate margin mode setting; ${settings.marginMode} not applied to ${symbol}`);
        }
        if (settings.leverage) {
          if (support.leverage)
            await attempt(`set leverage ${settings.leverage} on ${symbol}`, (ex) =>
              ex.setLeverage(settings.leverage!, symbol, this.quirks.leverageParams?.({ marginMode: settings.marginMode }) ?? {}),
            );
          else notes.push(`${venue} has no leverage setting; ${settings.leverage}x not applied to ${symbol}`);
        }
      }
    }
    this.settingsNotes = notes;
    for (const n of notes) this.noteError(n, 'warn');
    if (notes.length === 0) this.log('info', `${this.gatewayId}: contract settings applied`);
  }

  private startTimers(): void {
    if (this.config.heartbeatMs > 0) {
      const t = setInterval(() => void this.heartbeat(), this.config.heartbeatMs);
      t.unref?.();
      this.timers.push(t);
    }
    if (this.statusIntervalMs > 0) {
      const t = setInterval(() => this.emitStatus(), this.statusIntervalMs);
      t.unref?.();
      this.timers.push(t);
    }
  }

  private heartbeatBusy = false;

  /** Probes REST (fetchTime) for latency and to notice a venue that stopped answering. */
  private async heartbeat(): Promise<void> {
    const session = this.session;
    if (!session || this.heartbeatBusy) return;
    this.heartbeatBusy = true;
    try {
      const started = this.clock.nowMs();
      await session.call('heartbeat (fetchTime)', (ex) => ex.fetchTime());
      this.latencyMs = this.clock.nowMs() - started;
      if (this.heartbeatFailing) {
        this.heartbeatFailing = false;
        this.log('info', `${this.config.venue} answers again`);
        if (this.state === 'error') this.setState(this.failing.size > 0 ? 'reconnecting' : 'connected');
      }
      if (this.unconfirmed.size > 0) await this.reconcileUnconfirmed();
    } catch (err) {
      const e = err instanceof VenueError ? err : this.describe(err, 'heartbeat');
      this.heartbeatFailing = true;
      this.lastError = e.message;
      if (this.running && this.state !== 'error') {
        this.log('error', e.message);
        this.setState('error');
      } else {
        this.emitStatus();
      }
    } finally {
      this.heartbeatBusy = false;
    }
  }

  private refineCapabilities(ex: Exchange): void {
    const has = ex.has as Record<string, boolean | string | undefined>;
    const yes = (m: string) => has[m] === true || has[m] === 'emulated';
    this.has.trades = yes('watchTrades');
    this.has.book = yes('watchOrderBook');
    this.has.quotes = yes('watchBidsAsks') || yes('watchTicker') || this.has.book;
    this.has.ohlcv = yes('fetchOHLCV');
    this.has.fundingRates = this.has.fundingRates && (yes('fetchFundingRate') || yes('fetchFundingRates'));
    this.has.positions = this.has.positions && yes('fetchPositions');
  }

  private emitQuote(raw: unknown): void {
    if (!raw) return;
    try {
      const q: QuoteTick | null = parseQuoteTick(raw, this.parseCtx());
      if (!q) return;
      const key = `${q.tsEvent}|${q.bid}|${q.bidSize}|${q.ask}|${q.askSize}`;
      if (this.lastQuoteKey.get(q.instrumentId) === key) return;
      this.lastQuoteKey.set(q.instrumentId, key);
      this.listener.onQuote?.(q);
    } catch (err) {
      this.noteError(`${this.config.venue}: a quote could not be read (${(err as Error).message})`, 'warn');
    }
  }

  private parseMany<T>(raws: unknown[], parse: (raw: unknown) => T, what: string): T[] {
    const out: T[] = [];
    for (const raw of raws) {
      try {
        out.push(parse(raw));
      } catch (err) {
        this.noteError(`${this.config.venue}: a ${what} could not be read and was dropped (${(err as Error).message})`, 'warn');
      }
    }
    return out;
  }

  private parseCtx(): ParseContext {
    const session = this.requireSession();
    return {
      accountId: this.config.accountId,
      instrumentId: (s) => session.instrumentId(s),
      nowMs: () => this.clock.nowMs(),
      clientOrderIdOf: (venueClientId, venueOrderId) => {
        if (venueClientId && this.clientIdByVenueClientId.has(venueClientId)) return this.clientIdByVenueClientId.get(venueClientId)!;
        if (venueOrderId && this.clientIdByVenueOrderId.has(venueOrderId)) return this.clientIdByVenueOrderId.get(venueOrderId)!;
        // An order placed outside Kestrel (or before a restart): keep the venue's ids visible.
        return venueClientId ?? `${this.config.venue}:${venueOrderId ?? 'unknown'}`;
      },
    };
  }

  private noteMessage(): void {
    const now = this.clock.nowMs();
    this.lastMessageMs = now;
    const sec = Math.floor(now / 1000);
    this.messageBuckets.set(sec, (this.messageBuckets.get(sec) ?? 0) + 1);
    if (this.messageBuckets.size > 16) for (const k of this.messageBuckets.keys()) if (k < sec - 10) this.messageBuckets.delete(k);
  }

  /** Messages per second over the last five whole seconds. */
  private messagesPerSec(now: number): number {
    const sec = Math.floor(now / 1000);
    let sum = 0;
    for (let s = sec - 5; s < sec; s++) sum += this.messageBuckets.get(s) ?? 0;
    return sum / 5;
  }

  private noteError(message: string, level: GatewayLogLevel): void {
    this.lastError = this.redact(message);
    this.log(level, message);
    this.emitStatus();
  }

  private setState(state: GatewayState): void {
    if (this.state === state) return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.listener.onStatus?.(this.status());
  }

  private log(level: GatewayLogLevel, message: string): void {
    this.logSink(level, this.redact(message));
  }

  private redact(text: string): string {
    return this.session ? this.session.redact(text) : this.fallbackRedact(text);
  }

  private fallbackRedact(text: string): string {
    let out = text;
    for (const s of [this.credentials?.apiKey, this.credentials?.secret, this.credentials?.password]) if (s && s.length >= 4) out = out.split(s).join('***');
    return out;
  }

  private describe(err: unknown, action: string): VenueError {
    if (err instanceof VenueError) return err;
    if (this.session) return this.session.describe(err, action);
    return new VenueError('other', this.fallbackRedact(`${this.config.venue} ${action}: ${(err as Error)?.message ?? String(err)}`), false);
  }

  private requireSession(): CcxtVenue {
    if (!this.session) throw new KestrelError('unavailable', `${this.gatewayId} is not connected`);
    return this.session;
  }

  private requireCredentials(what: string): void {
    if (!this.credentials) throw new KestrelError('unauthorized', `cannot ${what} on ${this.config.venue}: account ${this.config.accountId} has no API credentials (set KESTREL_${this.config.accountId.toUpperCase()}_API_KEY and _API_SECRET)`);
  }
}
