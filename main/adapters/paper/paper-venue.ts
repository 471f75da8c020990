import { z } from 'zod';
import {
  Balance as BalanceSchema,
  Fill as FillSchema,
  MS_PER_DAY,
  MS_PER_SECOND,
  Order as OrderSchema,
  Position as PositionSchema,
  SubmitOrder as SubmitOrderSchema,
  isOpenStatus,
} from '../../../shared/model/index.js';
import type {
  Balance,
  Clock,
  Fill,
  GatewayStatus,
  Instrument,
  Order,
  OrderBook,
  OrderSide,
  OrderStatus,
  Position,
  QuoteTick,
  SubmitOrder,
  TradeTick,
} from '../../../shared/model/index.js';
import { KestrelError, describeZodError, parseOrThrow } from '../../../shared/api/errors.js';
import type { Gateway, GatewayCapabilities, GatewayListener, VenueOrderAck } from '../gateway.js';
import { PaperVenueConfig, type PaperFeeSchedule, type PaperVenueConfigInput } from './paper-config.js';
import { PaperAccount, settlementCurrency, settlesInCash } from './paper-account.js';
import { PaperBook } from './paper-book.js';
import type { Scheduler } from './scheduler.js';

export interface PaperVenueOptions {
  /** Venue time: wall clock live, the ReplayClock in a replay, a fake clock in tests. */
  clock: Clock;
  /** Needed when latency is configured; runs on the same clock as `clock`. */
  scheduler?: Scheduler;
  instruments?: Instrument[];
  config?: PaperVenueConfigInput;
}

/** The Gateway ack plus the plain-words reason of a rejection or expiry. */
export interface PaperOrderAck extends VenueOrderAck {
  reason: string | null;
}

/** What the execution worker read back from its journal after a restart. */
export const PaperRestoreState = z.object({
  openOrders: z.array(OrderSchema),
  positions: z.array(PositionSchema),
  balances: z.array(BalanceSchema),
  fills: z.array(FillSchema).optional(),
});
export type PaperRestoreState = z.infer<typeof PaperRestoreState>;

export interface PaperRestoreReport {
  /** Orders resting (or waiting for their stop) again. */
  restoredOrders: number;
  /** Orders that cannot be resumed (market orders caught in flight by the restart), now expired. */
  expiredOrders: Order[];
  positions: number;
  balances: number;
}

export interface PaperAccountSummary {
  accountId: string;
  cash: Record<string, number>;
  /** Cash plus position value at the current mark, per settlement currency. */
  equity: Record<string, number>;
}

type Phase = 'in_flight' | 'resting' | 'stop_waiting' | 'done';

interface WorkingOrder {
  order: Order;
  seq: number;
  phase: Phase;
  /** Displayed size ahead of this order at its price; null until a book or quote tells. */
  queueAhead: number | null;
  cancelRequested: boolean;
  expiresAtMs: number | null;
  filledNotional: number;
  onArrived: Array<(ack: PaperOrderAck) => void>;
}

const QUANTITY_EPSILON = 1e-12;

/**
 * A matching engine for paper accounts, fed with real, replayed or simulated market data.
 * Rules (README: notes/readme-paper-replay.md):
 * - market orders walk the book (full L2 when known; else the touch plus synthetic levels);
 * - limit orders that cross take liquidity up to their price, the rest rests; a resting order fills
 *   (as maker, at its own price) when a trade prints through its price, or prints at its price after
 *   the displayed size that was ahead of it when it arrived has traded; one print's volume is shared
 *   by all paper orders in price-time priority, never counted twice;
 * - IOC keeps what fills at once, FOK fills completely at once or not at all, GTC rests, DAY rests
 *   until the next 00:00 UTC; stop orders trigger on a trade at or through the stop price.
 * Pure TypeScript: time, latency and market data all come in from outside.
 */
export class PaperVenue implements Gateway {
  readonly gatewayId: string;
  readonly venue: string;
  readonly has: GatewayCapabilities = {
    trades: true,
    quotes: true,
    book: true,
    orders: true,
    cancelAll: true,
    balances: true,
    positions: true,
    fundingRates: false,
    ohlcv: false,
    tradeHistory: true,
  };

  private readonly config: PaperVenueConfig;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler | undefined;
  private readonly instruments = new Map<string, Instrument>();
  private readonly books = new Map<string, PaperBook>();
  private readonly accounts = new Map<string, PaperAccount>();
  private readonly defaultAccountId: string;
  private readonly orders = new Map<string, WorkingOrder>();
  /** Orders resting or waiting for their stop, per instrument, in arrival order. */
  private readonly live = new Map<string, Set<WorkingOrder>>();
  private fills: Fill[] = [];
  private readonly finished: string[] = [];
  private readonly sessionTag: string;
  private orderSeq = 0;
  private tradeSeq = 0;
  private listener: GatewayListener = {};
  private connected = false;
  private readonly tradeSubs = new Set<string>();
  private readonly quoteSubs = new Set<string>();
  private readonly bookSubs = new Map<string, number | undefined>();
  private lastMarketDataMs: number | null = null;
  private messagesThisSecond = 0;
  private messagesLastSecond = 0;
  private currentSecond = -1;

  private running = false;
  private readonly pending: Array<() => void> = [];
  private outbox: Array<() => void> = [];

  constructor(options: PaperVenueOptions) {
    const parsed = PaperVenueConfig.safeParse(options.config ?? {});
    if (!parsed.success) throw new KestrelError('bad_request', describeZodError(parsed.error, 'paper venue config'));
    this.config = parsed.data;
    this.clock = options.clock;
    this.scheduler = options.scheduler;
    if ((this.config.latency.submitMs > 0 || this.config.latency.cancelMs > 0) && !this.scheduler) {
      throw new KestrelError('bad_request', 'paper venue config: latency is set but no scheduler was given to time it');
    }
    this.gatewayId = this.config.gatewayId;
    this.venue = this.config.venue;
    for (const a of this.config.accounts) this.accounts.set(a.accountId, new PaperAccount(a.accountId, a.cash, a.leverage));
    this.defaultAccountId = this.config.defaultAccountId ?? this.config.accounts[0]!.accountId;
    this.sessionTag = this.config.sessionTag ?? Math.max(0, Math.floor(this.clock.nowMs())).toString(36);
    this.addInstruments(options.instruments ?? []);
  }

  // ---- connection and status ------------------------------------------------------------------

  async connect(): Promise<void> {
    this.connected = true;
    this.emitStatus();
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.emitStatus();
  }

  status(): GatewayStatus {
    const now = this.clock.nowMs();
    this.rollMessageRate(now);
    return {
      gatewayId: this.gatewayId,
      venue: this.venue,
      state: this.connected ? 'connected' : 'disconnected',
      simulated: true,
      latencyMs: this.config.latency.submitMs,
      messagesPerSec: this.messagesLastSecond,
      lastMessageAgeMs: this.lastMarketDataMs === null ? null : Math.max(0, now - this.lastMarketDataMs),
      reconnectCount: 0,
      lastError: null,
      tsUpdated: Math.max(0, Math.floor(now)),
    };
  }

  setListener(listener: GatewayListener): void {
    this.listener = listener;
  }

  // ---- instruments and subscriptions ------------------------------------------------------------

  addInstruments(instruments: Instrument[]): void {
    for (const i of instruments) {
      this.instruments.set(i.instrumentId, i);
      if (!this.books.has(i.instrumentId)) this.books.set(i.instrumentId, new PaperBook(i, this.config.syntheticDepth));
    }
  }

  async loadInstruments(): Promise<Instrument[]> {
    return [...this.instruments.values()];
  }

  async searchInstruments(query: string): Promise<Instrument[]> {
    const q = query.trim().toLowerCase();
    return [...this.instruments.values()].filter(
      (i) => i.instrumentId.toLowerCase().includes(q) || i.symbol.toLowerCase().includes(q) || i.base.toLowerCase().includes(q),
    );
  }

  /** The paper venue re-publishes the market data it is fed, for the instruments subscribed here. */
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

  // ---- market data in ---------------------------------------------------------------------------

  /** A listener to hand to the market-data gateway (simulator, live venue, replay) feeding this venue. */
  marketDataListener(): GatewayListener {
    return {
      onTrades: (ticks) => this.onTrades(ticks),
      onQuote: (quote) => this.onQuote(quote),
      onBook: (book) => this.onBook(book),
    };
  }

  onTrades(ticks: TradeTick[]): void {
    for (const t of ticks) this.onTrade(t);
  }

  onTrade(tick: TradeTick): void {
    this.exclusive(() => {
      const book = this.books.get(tick.instrumentId);
      this.countMessage();
      if (this.tradeSubs.has(tick.instrumentId)) this.outbox.push(() => this.listener.onTrades?.([tick]));
      if (!book) return;
      book.applyTrade(tick.price);
      this.expireDayOrders(tick.instrumentId);
      this.matchRestingAgainst(tick, book);
      this.triggerStops(tick, book);
    });
  }

  onQuote(quote: QuoteTick): void {
    this.exclusive(() => {
      const book = this.books.get(quote.instrumentId);
      this.countMessage();
      if (this.quoteSubs.has(quote.instrumentId)) this.outbox.push(() => this.listener.onQuote?.(quote));
      if (!book) return;
      book.applyQuote(quote);
      this.expireDayOrders(quote.instrumentId);
      this.estimateUnknownQueues(quote.instrumentId, book);
    });
  }

  onBook(orderBook: OrderBook): void {
    this.exclusive(() => {
      const book = this.books.get(orderBook.instrumentId);
      this.countMessage();
      if (this.bookSubs.has(orderBook.instrumentId)) {
        const depth = this.bookSubs.get(orderBook.instrumentId);
        const out = depth === undefined ? orderBook : { ...orderBook, bids: orderBook.bids.slice(0, depth), asks: orderBook.asks.slice(0, depth) };
        this.outbox.push(() => this.listener.onBook?.(out));
      }
      if (!book) return;
      book.applyBook(orderBook);
      this.expireDayOrders(orderBook.instrumentId);
      this.estimateUnknownQueues(orderBook.instrumentId, book);
    });
  }

  // ---- orders -----------------------------------------------------------------------------------

  /**
   * Sends an order; it reaches the matching engine after `latency.submitMs`. The promise resolves
   * then, with the status after any immediate fills; order updates and fills have already gone to
   * the listener by that time. A repeated clientOrderId returns the first order's ack (no duplicate).
   * Rejections resolve with status 'rejected' and a reason (and an order update with that reason).
   */
  async submitOrder(clientOrderId: string, order: SubmitOrder): Promise<PaperOrderAck> {
    if (clientOrderId.length === 0) throw new KestrelError('bad_request', 'clientOrderId must not be empty');
    const cmd = parseOrThrow(SubmitOrderSchema, order, 'order');
    this.requireConnected();
    const existing = this.orders.get(clientOrderId);
    if (existing) {
      if (existing.phase === 'in_flight') return new Promise((resolve) => existing.onArrived.push(resolve));
      return this.ackOf(existing);
    }
    const now = this.clock.nowMs();
    const working: WorkingOrder = {
      order: {
        clientOrderId,
        venueOrderId: null,
        accountId: cmd.accountId ?? this.defaultAccountId,
        instrumentId: cmd.instrumentId,
        side: cmd.side,
        type: cmd.type,
        timeInForce: cmd.timeInForce ?? (cmd.type === 'market' ? 'IOC' : 'GTC'),
        quantity: cmd.quantity,
        price: cmd.price ?? null,
        stopPrice: cmd.stopPrice ?? null,
        status: 'pending',
        filledQuantity: 0,
        avgFillPrice: null,
        reason: null,
        tsCreated: toEpochMs(now),
        tsUpdated: toEpochMs(now),
      },
      seq: 0,
      phase: 'in_flight',
      queueAhead: null,
      cancelRequested: false,
      expiresAtMs: null,
      filledNotional: 0,
      onArrived: [],
    };
    this.orders.set(clientOrderId, working);
    const ack = new Promise<PaperOrderAck>((resolve) => working.onArrived.push(resolve));
    this.after(this.config.latency.submitMs, () => this.arrive(working));
    return ack;
  }

  /**
   * Cancels after `latency.cancelMs`; fills may still happen in between. An order still in flight is
   * canceled when it arrives. Refuses (KestrelError) an unknown order or one already finished.
   */
  async cancelOrder(clientOrderId: string, venueOrderId: string | null, _instrumentId: string): Promise<void> {
    this.requireConnected();
    const working = this.orders.get(clientOrderId) ?? this.findByVenueOrderId(venueOrderId);
    if (!working) throw new KestrelError('not_found', `no paper order with clientOrderId "${clientOrderId}"${venueOrderId ? ` or venueOrderId "${venueOrderId}"` : ''}`);
    return new Promise<void>((resolve, reject) => {
      this.after(this.config.latency.cancelMs, () => {
        if (working.phase === 'done') {
          reject(new KestrelError('refused', `paper order "${working.order.clientOrderId}" is already ${working.order.status}; nothing to cancel`));
          return;
        }
        this.cancelNow(working, null);
        resolve();
      });
    });
  }

  /** Cancels every open order (of one account, or of all: the kill switch's path). */
  async cancelAllOrders(accountId?: string): Promise<void> {
    this.requireConnected();
    const targets = [...this.orders.values()].filter((w) => w.phase !== 'done' && (accountId === undefined || w.order.accountId === accountId));
    await new Promise<void>((resolve) => {
      this.after(this.config.latency.cancelMs, () => {
        for (const w of targets) if (w.phase !== 'done') this.cancelNow(w, null);
        resolve();
      });
    });
  }

  async fetchOpenOrders(accountId?: string): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((w) => isOpenStatus(w.order.status) && (accountId === undefined || w.order.accountId === accountId))
      .map((w) => ({ ...w.order }));
  }

  async fetchFillsSince(sinceMs: number, accountId?: string): Promise<Fill[]> {
    return this.fills.filter((f) => f.tsEvent >= sinceMs && (accountId === undefined || f.accountId === accountId)).map((f) => ({ ...f }));
  }

  // ---- accounts ---------------------------------------------------------------------------------

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  /**
   * Per account and currency: total = cash + unrealized PnL of perps/futures settling in it;
   * used = cash reserved by open orders + margin of perp/future positions; free = total − used.
   * Holdings of spot and stocks are positions, not balances.
   */
  async fetchBalances(accountId?: string): Promise<Balance[]> {
    const now = toEpochMs(this.clock.nowMs());
    const out: Balance[] = [];
    for (const account of this.accounts.values()) {
      if (accountId !== undefined && account.accountId !== accountId) continue;
      const currencies = new Set(account.currencies());
      for (const p of account.allPositions()) currencies.add(settlementCurrency(p.instrument));
      for (const currency of currencies) {
        const { total, used } = this.cashState(account, currency, null);
        out.push({ accountId: account.accountId, currency, total, used, free: total - used, tsUpdated: now });
      }
    }
    return out;
  }

  /** Open positions, and closed ones that realized PnL or paid fees since the last reset. */
  async fetchPositions(accountId?: string): Promise<Position[]> {
    const out: Position[] = [];
    for (const account of this.accounts.values()) {
      if (accountId !== undefined && account.accountId !== accountId) continue;
      for (const p of account.allPositions()) {
        const mark = this.books.get(p.instrument.instrumentId)?.markPrice() ?? null;
        out.push({
          accountId: account.accountId,
          instrumentId: p.instrument.instrumentId,
          quantity: p.quantity,
          avgPrice: p.avgPrice,
          realizedPnl: p.realizedPnl,
          unrealizedPnl: mark === null ? 0 : PaperAccount.unrealizedPnl(p, mark),
          markPrice: mark,
          fees: p.fees,
          tsUpdated: toEpochMs(p.tsUpdated),
        });
      }
    }
    return out;
  }

  accountSummary(accountId: string): PaperAccountSummary {
    const account = this.accounts.get(accountId);
    if (!account) throw new KestrelError('not_found', `unknown paper account "${accountId}"`);
    const cash: Record<string, number> = {};
    const equity: Record<string, number> = {};
    for (const currency of account.currencies()) {
      cash[currency] = account.cashOf(currency);
      equity[currency] = account.cashOf(currency);
    }
    for (const p of account.allPositions()) {
      const currency = settlementCurrency(p.instrument);
      const mark = this.books.get(p.instrument.instrumentId)?.markPrice() ?? p.avgPrice;
      cash[currency] ??= 0;
      equity[currency] = (equity[currency] ?? 0) + PaperAccount.positionValue(p, mark);
    }
    return { accountId, cash, equity };
  }

  /**
   * Back to the configured starting cash with no positions and no fill history; the account's open
   * orders are canceled (each with an order update saying so). No accountId: every account.
   */
  reset(accountId?: string): void {
    if (accountId !== undefined && !this.accounts.has(accountId)) throw new KestrelError('not_found', `unknown paper account "${accountId}"`);
    this.exclusive(() => {
      for (const w of this.orders.values()) {
        if (w.phase !== 'done' && (accountId === undefined || w.order.accountId === accountId)) this.cancelNow(w, 'paper account reset');
      }
      for (const account of this.accounts.values()) if (accountId === undefined || account.accountId === accountId) account.reset();
      this.fills = this.fills.filter((f) => accountId !== undefined && f.accountId !== accountId);
    });
  }

  /**
   * Rebuilds state after a restart from what the execution worker journaled: balances (total as
   * fetchBalances reported it), positions, open orders and optionally past fills. Call it once, on a
   * fresh venue, after addInstruments and setListener. Resting limit orders resume with their queue
   * estimated again from the next book or quote; orders journaled but never acknowledged ('pending')
   * arrive now; market orders caught in flight are expired rather than filled at a later price.
   */
  restore(state: PaperRestoreState): PaperRestoreReport {
    const parsed = PaperRestoreState.safeParse(state);
    if (!parsed.success) throw new KestrelError('bad_request', describeZodError(parsed.error, 'paper restore state'));
    if (this.orders.size > 0) throw new KestrelError('refused', 'restore must run before any order reaches the paper venue');
    const { openOrders, positions, balances, fills } = parsed.data;
    const instrumentOf = (id: string): Instrument => {
      const i = this.instruments.get(id);
      if (!i) throw new KestrelError('bad_request', `cannot restore state for unknown instrument "${id}"; add the instrument first`);
      return i;
    };
    const accountOf = (id: string): PaperAccount => {
      let account = this.accounts.get(id);
      if (!account) {
        account = new PaperAccount(id, {}, 1);
        this.accounts.set(id, account);
      }
      return account;
    };
    const report: PaperRestoreReport = { restoredOrders: 0, expiredOrders: [], positions: 0, balances: 0 };
    const unrealizedByCash = new Map<string, number>();
    for (const p of positions) {
      const instrument = instrumentOf(p.instrumentId);
      accountOf(p.accountId).restorePosition(instrument, p);
      if (!settlesInCash(instrument)) {
        const key = `${p.accountId}\u0000${settlementCurrency(instrument)}`;
        unrealizedByCash.set(key, (unrealizedByCash.get(key) ?? 0) + p.unrealizedPnl);
      }
      report.positions += 1;
    }
    for (const b of balances) {
      // fetchBalances' total includes unrealized PnL of perps; the wallet cash is total minus it.
      accountOf(b.accountId).restoreCash(b.currency, b.total - (unrealizedByCash.get(`${b.accountId}\u0000${b.currency}`) ?? 0));
      report.balances += 1;
    }
    if (fills) this.fills = fills.map((f) => ({ ...f }));
    this.exclusive(() => {
      for (const o of openOrders) {
        if (!isOpenStatus(o.status)) continue;
        instrumentOf(o.instrumentId);
        accountOf(o.accountId);
        const working: WorkingOrder = {
          order: { ...o },
          seq: 0,
          phase: 'in_flight',
          queueAhead: null,
          cancelRequested: false,
          expiresAtMs: null,
          filledNotional: (o.avgFillPrice ?? 0) * o.filledQuantity,
          onArrived: [],
        };
        this.orders.set(o.clientOrderId, working);
        if (o.type === 'market') {
          this.finish(working, 'expired', 'market order was in flight when the paper venue restarted; not filled at a later price');
          report.expiredOrders.push({ ...working.order });
          continue;
        }
        if (o.status === 'pending') {
          this.arrive(working);
        } else {
          working.seq = ++this.orderSeq;
          working.phase = o.type === 'stop' && o.filledQuantity === 0 ? 'stop_waiting' : 'resting';
          if (o.timeInForce === 'DAY') working.expiresAtMs = nextUtcMidnight(o.tsCreated);
          this.liveSet(o.instrumentId).add(working);
          const book = this.books.get(o.instrumentId);
          if (book?.hasQuote() && working.phase === 'resting') working.queueAhead = book.displayedAt(o.side, o.price ?? 0);
        }
        report.restoredOrders += 1;
      }
    });
    return report;
  }

  // ---- matching ---------------------------------------------------------------------------------

  private arrive(w: WorkingOrder): void {
    w.seq = ++this.orderSeq;
    w.order.venueOrderId = `${this.sessionTag}-${w.seq}`;
    if (w.cancelRequested) {
      this.finish(w, 'canceled', 'canceled before it reached the paper venue');
      return this.resolveArrival(w);
    }
    const refusal = this.refusalFor(w);
    if (refusal !== null) {
      this.finish(w, 'rejected', refusal);
      return this.resolveArrival(w);
    }
    const o = w.order;
    if (o.timeInForce === 'DAY' && o.type !== 'market') w.expiresAtMs = nextUtcMidnight(this.clock.nowMs());
    this.setStatus(w, 'open', null);
    if (o.type === 'market') this.executeMarket(w);
    else if (o.type === 'limit') this.executeLimit(w);
    else {
      w.phase = 'stop_waiting';
      this.liveSet(o.instrumentId).add(w);
    }
    this.resolveArrival(w);
  }

  /** Guard clauses, in the order a user would want to hear about them; null when the order is fine. */
  private refusalFor(w: WorkingOrder): string | null {
    const o = w.order;
    const account = this.accounts.get(o.accountId);
    if (!account) return `unknown paper account "${o.accountId}"; paper accounts: ${[...this.accounts.keys()].join(', ')}`;
    const instrument = this.instruments.get(o.instrumentId);
    const book = this.books.get(o.instrumentId);
    if (!instrument || !book) return `unknown instrument "${o.instrumentId}" on paper venue ${this.venue}`;
    if (!instrument.active) return `instrument ${o.instrumentId} is not active`;
    if (!book.lots.isOnGrid(o.quantity)) return `quantity ${o.quantity} is not a multiple of the lot size ${instrument.lotSize} for ${o.instrumentId}`;
    if (o.price !== null && !book.ticks.isOnGrid(o.price)) return `price ${o.price} is not a multiple of the tick size ${instrument.tickSize} for ${o.instrumentId}`;
    if (o.stopPrice !== null && !book.ticks.isOnGrid(o.stopPrice)) return `stop price ${o.stopPrice} is not a multiple of the tick size ${instrument.tickSize} for ${o.instrumentId}`;
    if (o.type === 'market' && !book.hasQuote()) return `no market data yet for ${o.instrumentId}: a market order needs a quote or order book first`;
    if (o.type === 'stop') {
      const last = book.lastTradePrice();
      const stop = o.stopPrice!;
      if (last !== null && (o.side === 'buy' ? last >= stop : last <= stop)) {
        return `${o.side} stop at ${stop} would trigger at once: the last trade was ${last}; send a market or limit order instead`;
      }
    }
    const refPrice = this.referencePrice(w, book);
    if (refPrice !== null && instrument.minNotional > 0 && o.quantity * refPrice * instrument.multiplier < instrument.minNotional) {
      return `order notional ${round6(o.quantity * refPrice * instrument.multiplier)} is below the minimum notional ${instrument.minNotional} for ${o.instrumentId}`;
    }
    if (this.config.checkCash) return this.cashRefusal(w, account, instrument, book, refPrice);
    return null;
  }

  private referencePrice(w: WorkingOrder, book: PaperBook): number | null {
    const o = w.order;
    if (o.price !== null) return o.price;
    if (o.type === 'stop') return o.stopPrice;
    const preview = book.preview(o.side, o.quantity);
    return preview.quantity > 0 ? preview.notional / preview.quantity : null;
  }

  private cashRefusal(w: WorkingOrder, account: PaperAccount, instrument: Instrument, book: PaperBook, refPrice: number | null): string | null {
    const o = w.order;
    if (refPrice === null) return null;
    const currency = settlementCurrency(instrument);
    const taker = this.feesFor(instrument).takerBps / 10_000;
    const notional = o.quantity * refPrice * instrument.multiplier;
    if (settlesInCash(instrument)) {
      if (o.side === 'sell') {
        if (instrument.kind !== 'spot' && instrument.kind !== 'crypto') return null;
        const held = account.position(instrument.instrumentId)?.quantity ?? 0;
        const reserved = this.openQuantity(account.accountId, instrument.instrumentId, 'sell', w);
        if (o.quantity > held - reserved + instrument.lotSize * 1e-6) {
          return `insufficient ${instrument.base}: holding ${round6(Math.max(0, held))}, of which ${round6(reserved)} is reserved by open sells; the order sells ${o.quantity}`;
        }
        return null;
      }
      const need = notional * (1 + Math.max(0, taker));
      const { total, used } = this.cashState(account, currency, w);
      const free = total - used;
      if (need > free + 1e-9) return `insufficient ${currency}: the order needs ${round2(need)} including the taker fee, ${round2(Math.max(0, free))} is free`;
      return null;
    }
    const position = account.position(instrument.instrumentId)?.quantity ?? 0;
    const reducing = o.side === 'buy' ? Math.max(0, -position) : Math.max(0, position);
    const opening = Math.max(0, o.quantity - reducing);
    const need = (opening * refPrice * instrument.multiplier) / account.leverage + notional * Math.max(0, taker);
    if (need <= 0) return null;
    const { total, used } = this.cashState(account, currency, w);
    const free = total - used;
    if (need > free + 1e-9) {
      return `insufficient ${currency} margin: the order needs ${round2(need)} at ${account.leverage}x leverage including the taker fee, ${round2(Math.max(0, free))} is free`;
    }
    return null;
  }

  /** Wallet total (with perps' unrealized PnL) and what open orders and perp margin use, in one currency. */
  private cashState(account: PaperAccount, currency: string, exclude: WorkingOrder | null): { total: number; used: number } {
    let total = account.cashOf(currency);
    let used = 0;
    for (const p of account.allPositions()) {
      if (settlesInCash(p.instrument) || settlementCurrency(p.instrument) !== currency || p.quantity === 0) continue;
      const mark = this.books.get(p.instrument.instrumentId)?.markPrice() ?? p.avgPrice;
      total += PaperAccount.unrealizedPnl(p, mark);
      used += (Math.abs(p.quantity) * mark * p.instrument.multiplier) / account.leverage;
    }
    for (const [instrumentId, live] of this.live) {
      const instrument = this.instruments.get(instrumentId);
      if (!instrument || settlementCurrency(instrument) !== currency) continue;
      for (const w of live) {
        if (w === exclude || w.order.accountId !== account.accountId) continue;
        const price = w.order.price ?? w.order.stopPrice ?? 0;
        const rest = this.remaining(w) * price * instrument.multiplier;
        if (settlesInCash(instrument)) {
          if (w.order.side === 'buy') used += rest * (1 + Math.max(0, this.feesFor(instrument).takerBps / 10_000));
        } else {
          used += rest / account.leverage;
        }
      }
    }
    return { total, used };
  }

  private openQuantity(accountId: string, instrumentId: string, side: OrderSide, exclude: WorkingOrder): number {
    let sum = 0;
    for (const w of this.live.get(instrumentId) ?? []) {
      if (w !== exclude && w.order.accountId === accountId && w.order.side === side) sum += this.remaining(w);
    }
    return sum;
  }

  private executeMarket(w: WorkingOrder): void {
    const o = w.order;
    const book = this.books.get(o.instrumentId)!;
    if (!book.hasQuote()) {
      this.finish(w, 'expired', `stop at ${o.stopPrice} triggered but there is no quote or book for ${o.instrumentId} to fill against`);
      return;
    }
    const wanted = this.remaining(w);
    if (o.timeInForce === 'FOK') {
      const preview = book.preview(o.side, wanted);
      if (preview.quantity < wanted) {
        this.finish(w, 'expired', `fill-or-kill: only ${preview.quantity} of ${wanted} available in the book`);
        return;
      }
    }
    const taken = book.take(o.side, wanted);
    for (const s of taken.slices) this.fill(w, s.quantity, s.price, 'taker');
    if (w.phase !== 'done') {
      const where = book.hasDepth() ? 'the order book' : `the top of book and ${this.config.syntheticDepth.maxLevels} synthetic levels behind it`;
      this.finish(w, 'expired', `market order filled ${o.filledQuantity} of ${o.quantity}: ${where} had no more liquidity`);
    }
  }

  private executeLimit(w: WorkingOrder): void {
    const o = w.order;
    const limit = o.price!;
    const book = this.books.get(o.instrumentId)!;
    const wanted = this.remaining(w);
    if (o.timeInForce === 'FOK') {
      const preview = book.preview(o.side, wanted, limit);
      if (preview.quantity < wanted) {
        this.finish(w, 'expired', `fill-or-kill: only ${preview.quantity} of ${wanted} available at ${limit} or better`);
        return;
      }
    }
    if (book.hasQuote()) {
      const taken = book.take(o.side, wanted, limit);
      for (const s of taken.slices) this.fill(w, s.quantity, s.price, 'taker');
    }
    if (w.phase === 'done') return;
    if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
      this.finish(w, 'expired', `immediate-or-cancel: ${o.filledQuantity} of ${o.quantity} filled, nothing more at ${limit} or better`);
      return;
    }
    w.phase = 'resting';
    w.queueAhead = book.hasQuote() ? book.displayedAt(o.side, limit) : null;
    this.liveSet(o.instrumentId).add(w);
  }

  /**
   * A print fills resting paper orders as makers at their own price: through the price at once, at
   * the price once the queue estimated ahead has traded. The print's volume is handed out once, in
   * price-time priority — first to the side the aggressor hit, then to the other — so no two paper
   * orders (of any account or side) count the same volume.
   */
  private matchRestingAgainst(tick: TradeTick, book: PaperBook): void {
    const live = this.live.get(tick.instrumentId);
    if (!live || live.size === 0) return;
    const tol = book.ticks.tolerance;
    let available = book.lots.floor(tick.quantity);
    const sides = tick.side === 'sell' ? (['buy', 'sell'] as const) : (['sell', 'buy'] as const);
    for (const side of sides) {
      const candidates = [...live]
        .filter((w) => w.phase === 'resting' && w.order.side === side && (side === 'buy' ? w.order.price! >= tick.price - tol : w.order.price! <= tick.price + tol))
        .sort((a, b) => (side === 'buy' ? b.order.price! - a.order.price! : a.order.price! - b.order.price!) || a.seq - b.seq);
      for (const w of candidates) {
        const price = w.order.price!;
        const through = side === 'buy' ? tick.price < price - tol : tick.price > price + tol;
        let reachable: number;
        if (through) {
          w.queueAhead = 0;
          reachable = available;
        } else {
          const ahead = w.queueAhead ?? 0;
          const eaten = Math.min(ahead, tick.quantity);
          w.queueAhead = book.lots.round(ahead - eaten);
          reachable = Math.min(available, book.lots.floor(tick.quantity - eaten));
        }
        const quantity = Math.min(this.remaining(w), reachable);
        if (quantity <= 0) continue;
        this.fill(w, quantity, price, 'maker');
        available = book.lots.round(available - quantity);
      }
    }
  }

  private triggerStops(tick: TradeTick, book: PaperBook): void {
    const live = this.live.get(tick.instrumentId);
    if (!live) return;
    const tol = book.ticks.tolerance;
    const triggered = [...live].filter(
      (w) => w.phase === 'stop_waiting' && (w.order.side === 'buy' ? tick.price >= w.order.stopPrice! - tol : tick.price <= w.order.stopPrice! + tol),
    );
    for (const w of triggered.sort((a, b) => a.seq - b.seq)) {
      live.delete(w);
      w.phase = 'in_flight';
      if (w.order.price !== null) this.executeLimit(w);
      else this.executeMarket(w);
    }
  }

  private expireDayOrders(instrumentId: string): void {
    const live = this.live.get(instrumentId);
    if (!live || live.size === 0) return;
    const now = this.clock.nowMs();
    for (const w of [...live]) {
      if (w.expiresAtMs !== null && now >= w.expiresAtMs) this.finish(w, 'expired', 'DAY order expired at the end of the UTC day');
    }
  }

  private estimateUnknownQueues(instrumentId: string, book: PaperBook): void {
    const live = this.live.get(instrumentId);
    if (!live) return;
    for (const w of live) {
      if (w.phase === 'resting' && w.queueAhead === null) w.queueAhead = book.displayedAt(w.order.side, w.order.price!);
    }
  }

  private fill(w: WorkingOrder, quantity: number, price: number, liquidity: 'maker' | 'taker'): void {
    const o = w.order;
    const instrument = this.instruments.get(o.instrumentId)!;
    const book = this.books.get(o.instrumentId)!;
    const account = this.accounts.get(o.accountId)!;
    const now = toEpochMs(this.clock.nowMs());
    const schedule = this.feesFor(instrument);
    const bps = liquidity === 'maker' ? schedule.makerBps : schedule.takerBps;
    const fee = (quantity * price * instrument.multiplier * bps) / 10_000;
    account.applyFill(instrument, o.side, quantity, price, fee, now);

    const filled = book.lots.round(o.filledQuantity + quantity);
    o.filledQuantity = Math.abs(filled - o.quantity) <= o.quantity * QUANTITY_EPSILON || filled >= o.quantity ? o.quantity : filled;
    w.filledNotional += quantity * price;
    o.avgFillPrice = w.filledNotional / o.filledQuantity;
    this.tradeSeq += 1;
    const venueTradeId = `${this.sessionTag}-${this.tradeSeq}`;
    const fill: Fill = {
      fillId: `${this.gatewayId}-${venueTradeId}`,
      venueTradeId,
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      accountId: o.accountId,
      instrumentId: o.instrumentId,
      side: o.side,
      quantity,
      price,
      fee,
      feeCurrency: settlementCurrency(instrument),
      liquidity,
      tsEvent: now,
    };
    this.fills.push(fill);
    if (this.fills.length > this.config.fillHistoryLimit) this.fills.splice(0, this.fills.length - this.config.fillHistoryLimit);
    this.outbox.push(() => this.listener.onFill?.({ ...fill }));
    if (o.filledQuantity >= o.quantity) this.finish(w, 'filled', null);
    else this.setStatus(w, 'partially_filled', null);
  }

  private cancelNow(w: WorkingOrder, reason: string | null): void {
    if (w.phase === 'in_flight') {
      w.cancelRequested = true;
      return;
    }
    this.finish(w, 'canceled', reason);
  }

  private finish(w: WorkingOrder, status: OrderStatus, reason: string | null): void {
    w.phase = 'done';
    this.live.get(w.order.instrumentId)?.delete(w);
    this.setStatus(w, status, reason);
    // Finished orders are kept so a repeated clientOrderId is recognised, up to a bound.
    this.finished.push(w.order.clientOrderId);
    while (this.finished.length > this.config.orderHistoryLimit) this.orders.delete(this.finished.shift()!);
  }

  private setStatus(w: WorkingOrder, status: OrderStatus, reason: string | null): void {
    w.order.status = status;
    w.order.reason = reason;
    w.order.tsUpdated = toEpochMs(this.clock.nowMs());
    const snapshot = { ...w.order };
    this.outbox.push(() => this.listener.onOrder?.(snapshot));
  }

  private resolveArrival(w: WorkingOrder): void {
    const ack = this.ackOf(w);
    const waiting = w.onArrived.splice(0);
    for (const resolve of waiting) resolve(ack);
  }

  private ackOf(w: WorkingOrder): PaperOrderAck {
    return { clientOrderId: w.order.clientOrderId, venueOrderId: w.order.venueOrderId ?? '', status: w.order.status, reason: w.order.reason };
  }

  private remaining(w: WorkingOrder): number {
    const book = this.books.get(w.order.instrumentId);
    const rest = w.order.quantity - w.order.filledQuantity;
    return book ? Math.max(0, book.lots.round(rest)) : Math.max(0, rest);
  }

  private feesFor(instrument: Instrument): PaperFeeSchedule {
    return this.config.fees.venues[instrument.venue.toUpperCase()] ?? this.config.fees.default;
  }

  private liveSet(instrumentId: string): Set<WorkingOrder> {
    let set = this.live.get(instrumentId);
    if (!set) {
      set = new Set();
      this.live.set(instrumentId, set);
    }
    return set;
  }

  private findByVenueOrderId(venueOrderId: string | null): WorkingOrder | undefined {
    if (venueOrderId === null) return undefined;
    for (const w of this.orders.values()) if (w.order.venueOrderId === venueOrderId) return w;
    return undefined;
  }

  private requireConnected(): void {
    if (!this.connected) throw new KestrelError('unavailable', `paper venue ${this.gatewayId} is not connected; call connect() first`);
  }

  private after(delayMs: number, fn: () => void): void {
    if (delayMs > 0 && this.scheduler) this.scheduler.schedule(delayMs, () => this.exclusive(fn));
    else this.exclusive(fn);
  }

  /**
   * Runs matching steps one at a time. A listener that submits or cancels from inside a callback
   * gets its step queued behind the current one instead of re-entering a half-done match; events are
   * delivered after each step, in order, and a listener's exception is rethrown once all are out.
   */
  private exclusive(step: () => void): void {
    this.pending.push(step);
    if (this.running) return;
    this.running = true;
    let failure: { error: unknown } | null = null;
    try {
      while (this.pending.length > 0) {
        this.pending.shift()!();
        const out = this.outbox;
        this.outbox = [];
        for (const deliver of out) {
          try {
            deliver();
          } catch (error) {
            failure ??= { error };
          }
        }
      }
    } finally {
      this.running = false;
    }
    if (failure) throw failure.error;
  }

  private countMessage(): void {
    const now = this.clock.nowMs();
    this.lastMarketDataMs = now;
    this.rollMessageRate(now);
    this.messagesThisSecond += 1;
  }

  private rollMessageRate(now: number): void {
    const second = Math.floor(now / MS_PER_SECOND);
    if (second === this.currentSecond) return;
    this.messagesLastSecond = second === this.currentSecond + 1 ? this.messagesThisSecond : 0;
    this.messagesThisSecond = 0;
    this.currentSecond = second;
  }

  private emitStatus(): void {
    this.listener.onStatus?.(this.status());
  }
}

function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / MS_PER_DAY) + 1) * MS_PER_DAY;
}

function toEpochMs(ms: number): number {
  return Math.max(0, Math.floor(ms));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
