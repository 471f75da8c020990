import type { ZodError } from 'zod';
import { EventName, IBApi, type Contract, type ContractDetails, type Execution, type Order as IbOrderWire, type OrderState } from '@stoqey/ib';
import { describeZodError, KestrelError } from '../../../shared/api/errors.js';
import {
  SubmitOrder,
  type Balance,
  type Fill,
  type GatewayStatus,
  type Instrument,
  type Order,
  type Position,
} from '../../../shared/model/index.js';
import type { Gateway, GatewayCapabilities, GatewayListener, VenueOrderAck } from '../gateway.js';
import { IbGatewayConfig, type IbGatewayConfigInput } from './config.js';
import { IbContractQuery, parseContractQuery } from './contract-query.js';
import { IbContractCache, specToContract } from './contracts.js';
import { describeIbError } from './errors.js';
import { HistoricalPacer } from './historical-pacing.js';
import { IB_VENUE, parseIbInstrumentId } from './instrument-id.js';
import { IbMarketData } from './market-data.js';
import { IbOrderTracker } from './orders.js';
import { PacingQueue, type PacingPriority } from './pacing.js';
import {
  IbAccountValue,
  IbCommissionPayload,
  IbContractDetailsPayload,
  IbContractPayload,
  IbExecutionPayload,
  IbOrderPayload,
  IbOrderStatePayload,
  IbOrderStatusEvent,
  IbPortfolioEvent,
  IbPositionEvent,
  instrumentIdOfContract,
  toIbOrder,
  toPosition,
  type IbContractDetailsPayload as ContractDetailsPayload,
} from './parse.js';
import { SessionStats } from './session-stats.js';
import { attachWireGuard, type WireFault } from './wire-guard.js';

type State = GatewayStatus['state'];

/** Tags the account summary asks for; TWS answers the ones the account has. */
export const IB_ACCOUNT_TAGS = [
  'NetLiquidation',
  'TotalCashValue',
  'GrossPositionValue',
  'AvailableFunds',
  'BuyingPower',
  'ExcessLiquidity',
  'InitMarginReq',
  'MaintMarginReq',
  'EquityWithLoanValue',
] as const;

export interface IbHistoricalBar {
  /** Bar open time, epoch ms. */
  tsOpen: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** IB's volume-weighted average price of the bar. */
  wap: number;
  tradeCount: number;
}

export interface IbHistoricalQuery {
  /** IB duration string: "1 D", "2 W", "3600 S". */
  duration: string;
  /** IB bar size: "1 min", "5 mins", "1 hour", "1 day". */
  barSize: string;
  whatToShow?: 'TRADES' | 'MIDPOINT' | 'BID' | 'ASK' | 'BID_ASK';
  useRth?: boolean;
  /** End of the window, epoch ms; default now. */
  endMs?: number;
}

export interface IbGatewayDeps {
  now?: () => number;
}

interface Subscription {
  instrumentId: string;
  quotes: boolean;
  trades: boolean;
  depthRows: number | null;
  mktTickerId: number | null;
  depthTickerId: number | null;
  /** Session the lines were opened in: lines do not outlive their TWS session. */
  lineSession: number;
}

interface Collector {
  what: string;
  items: unknown[];
  resolve: (items: unknown[]) => void;
  reject: (err: Error) => void;
  /** Error 200 (no security definition) ends the request with no rows instead of failing it. */
  emptyOnNoMatch: boolean;
  timer: ReturnType<typeof setTimeout>;
}

interface Session {
  id: number;
  api: IBApi;
  ready: boolean;
  accounts: string[];
  serverVersion: number | null;
}

const CAPABILITIES: GatewayCapabilities = {
  trades: true,
  quotes: true,
  book: true,
  orders: true,
  cancelAll: true,
  balances: true,
  positions: true,
  fundingRates: false,
  // IB bars come from fetchHistoricalBars (IB-specific), not a port method.
  ohlcv: false,
  tradeHistory: true,
};

/**
 * Interactive Brokers through TWS / IB Gateway, on @stoqey/ib.
 *
 * Session rules: one fixed clientId for every connection; a new IBApi per session so nothing
 * queued for a dead socket leaks into the next; on a drop, retry with exponential backoff up to
 * reconnect.maxDelayMs (seed 002: every 20 s) for as long as the gateway is wanted; on every new
 * session resubscribe all market data and account updates and reconcile open orders and
 * executions; within a session resubscribe after 1101/1102 and after a farm that broke
 * (1100, 2103, 2105, 2110, 2157) reports OK again. A heartbeat (reqCurrentTime) measures
 * latency and drops a session whose TWS stopped answering. Orders are never re-sent
 * automatically: an order that did not leave before a drop is rejected with the reason.
 */
export class IbGateway implements Gateway {
  readonly gatewayId: string;
  readonly venue = IB_VENUE;
  readonly has = CAPABILITIES;
  readonly config: IbGatewayConfig;

  private listener: GatewayListener = {};
  private readonly now: () => number;
  private readonly stats: SessionStats;
  private readonly pacer: PacingQueue;
  private readonly historical: HistoricalPacer;
  private readonly contracts = new IbContractCache();
  private readonly marketData: IbMarketData;
  private readonly tracker: IbOrderTracker;
  private readonly subs = new Map<string, Subscription>();
  private readonly tickerToSub = new Map<number, Subscription>();
  private readonly collectors = new Map<number, Collector>();
  private readonly pendingCancels = new Map<number, (reason: string) => void>();
  private readonly accountValues = new Map<string, IbAccountValue>();
  private readonly portfolio = new Map<number, IbPortfolioEvent>();

  private state: State = 'disconnected';
  private lastError: string | null = null;
  private reconnectCount = 0;
  private resubscribeCount = 0;
  private session: Session | null = null;
  private sessionSeq = 0;
  private everReady = false;
  private wanted = false;
  private failedAttempts = 0;
  private nextOrderId = 0;
  private nextReqId = 1;
  private linkLost = false;
  private probeSentAt: number | null = null;
  private singleFlight: Promise<unknown> = Promise.resolve();
  private positionSink: ((ev: IbPositionEvent | null) => void) | null = null;
  private openOrderSink: ((key: string | null) => void) | null = null;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private timers: { attempt?: ReturnType<typeof setTimeout>; retry?: ReturnType<typeof setTimeout>; heartbeat?: ReturnType<typeof setInterval>; status?: ReturnType<typeof setInterval>; resubscribe?: ReturnType<typeof setTimeout> } = {};

  constructor(config: IbGatewayConfigInput = {}, deps: IbGatewayDeps = {}) {
    const parsed = IbGatewayConfig.safeParse(config);
    if (!parsed.success) throw new KestrelError('bad_request', describeZodError(parsed.error, 'IB gateway config'));
    this.config = parsed.data;
    this.gatewayId = this.config.gatewayId;
    this.now = deps.now ?? Date.now;
    this.stats = new SessionStats(this.now);
    this.pacer = new PacingQueue(this.config.maxMessagesPerSec, this.now);
    this.historical = new HistoricalPacer(this.now);
    this.marketData = new IbMarketData(
      {
        quote: (q) => this.listener.onQuote?.(q),
        trade: (t) => this.listener.onTrades?.([t]),
        book: (b) => this.listener.onBook?.(b),
      },
      this.now,
      `${this.gatewayId}-${this.now()}`,
    );
    this.tracker = new IbOrderTracker(
      { order: (o) => this.listener.onOrder?.(o), fill: (f) => this.listener.onFill?.(f) },
      { commissionWaitMs: this.config.commissionWaitMs, fillHoldMaxMs: this.config.fillHoldMaxMs, twsTimeZone: this.config.twsTimeZone, now: this.now },
    );
  }

  setListener(listener: GatewayListener): void {
    this.listener = listener;
  }

  status(): GatewayStatus {
    return {
      gatewayId: this.gatewayId,
      venue: IB_VENUE,
      state: this.state,
      simulated: false,
      latencyMs: this.stats.latencyMs,
      messagesPerSec: this.stats.messagesPerSec(),
      lastMessageAgeMs: this.stats.lastMessageAgeMs(),
      reconnectCount: this.reconnectCount,
      lastError: this.lastError,
      tsUpdated: this.now(),
    };
  }

  /** How many times every subscription was re-requested (new session, 1101/1102, farm back). */
  get resubscriptions(): number {
    return this.resubscribeCount;
  }

  /** Accounts TWS manages for this login (from managedAccounts). */
  get accounts(): string[] {
    return [...(this.session?.accounts ?? [])];
  }

  // ---- connection ----------------------------------------------------------------------------

  /**
   * Resolves once TWS handed out nextValidId. If that takes longer than connectTimeoutMs it
   * rejects, but keeps retrying in the background while reconnect is enabled: call
   * disconnect() to stop.
   */
  async connect(): Promise<void> {
    if (this.session?.ready) return;
    this.wanted = true;
    if (!this.timers.status) {
      this.timers.status = setInterval(() => this.pushStatus(), this.config.statusIntervalMs);
      this.timers.status.unref?.();
    }
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (!this.session && !this.timers.retry) this.startAttempt();
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(
        () => reject(new KestrelError('unavailable', `IB: no session with TWS at ${this.where()} within ${this.config.connectTimeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`)),
        this.config.connectTimeoutMs,
      );
      t.unref?.();
      void ready.finally(() => clearTimeout(t)).catch(() => undefined);
    });
    await Promise.race([ready, timeout]);
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    for (const key of ['attempt', 'retry', 'resubscribe'] as const) {
      if (this.timers[key]) clearTimeout(this.timers[key]);
      delete this.timers[key];
    }
    if (this.timers.status) clearInterval(this.timers.status);
    delete this.timers.status;
    if (this.session) this.endSession(this.session.id, 'disconnect requested');
    // Held fills go out now rather than never.
    this.tracker.flush();
    this.settleReady(new KestrelError('unavailable', 'IB gateway was disconnected before TWS answered'));
    this.setState('stopped');
  }

  private where(): string {
    return `${this.config.host}:${this.config.port} (client id ${this.config.clientId})`;
  }

  private startAttempt(): void {
    delete this.timers.retry;
    const id = ++this.sessionSeq;
    // stoqey's own limiter runs at twice Kestrel's rate so it never holds a request back: the
    // PacingQueue is the one that enforces the budget.
    const api = new IBApi({ host: this.config.host, port: this.config.port, maxReqPerSec: this.config.maxMessagesPerSec * 2 });
    const session: Session = { id, api, ready: false, accounts: [], serverVersion: null };
    this.session = session;
    this.bind(session);
    attachWireGuard(api, (fault) => this.onWireFault(id, fault));
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    this.timers.attempt = setTimeout(() => {
      if (this.session?.id !== id || this.session.ready) return;
      this.noteError(`IB: TWS at ${this.where()} accepted no API session within ${this.config.connectTimeoutMs} ms; is "Enable ActiveX and Socket Clients" on?`);
      this.endSession(id, 'handshake timeout');
    }, this.config.connectTimeoutMs);
    this.timers.attempt.unref?.();
    api.connect(this.config.clientId);
  }

  private onSessionReady(s: Session): void {
    if (this.timers.attempt) clearTimeout(this.timers.attempt);
    delete this.timers.attempt;
    s.ready = true;
    if (this.everReady) this.reconnectCount++;
    const reconnected = this.everReady;
    this.everReady = true;
    this.failedAttempts = 0;
    this.linkLost = false;
    if (this.config.accountId && s.accounts.length > 0 && !s.accounts.includes(this.config.accountId)) {
      this.noteError(`IB: account ${this.config.accountId} is not managed by this TWS login (it has ${s.accounts.join(', ')})`);
    }
    this.pacer.open();
    this.setState('connected');
    this.settleReady(null);
    if (this.config.marketDataType !== 1) void this.send((api) => api.reqMarketDataType(this.config.marketDataType)).catch(() => undefined);
    this.resubscribeAll(reconnected ? 'new session after reconnect' : 'session start');
    if (this.config.accountUpdates) {
      const account = this.accountId() ?? '';
      void this.send((api) => api.reqAccountUpdates(true, account)).catch(() => undefined);
    }
    void this.reconcile(reconnected).catch((err: unknown) => {
      // If the session died meanwhile, that drop is the story (and the next session reconciles).
      if (this.session?.id === s.id) this.noteError(`IB: reconciliation after connect failed: ${(err as Error).message}`);
    });
    this.startHeartbeat(s.id);
  }

  /** Ends a session (idempotent) and, while the gateway is wanted, schedules the next attempt. */
  private endSession(id: number, reason: string): void {
    const s = this.session;
    if (!s || s.id !== id) return;
    this.session = null;
    if (this.timers.attempt) clearTimeout(this.timers.attempt);
    if (this.timers.heartbeat) clearInterval(this.timers.heartbeat);
    delete this.timers.attempt;
    delete this.timers.heartbeat;
    this.probeSentAt = null;
    this.pacer.close(`IB connection lost (${reason}); request not sent`);
    for (const [reqId, c] of this.collectors) {
      clearTimeout(c.timer);
      c.reject(new KestrelError('unavailable', `IB connection lost (${reason}) before TWS answered ${c.what}`));
      this.collectors.delete(reqId);
    }
    this.positionSink?.(null);
    this.openOrderSink?.(null);
    // The lines died with the session; the subscriptions stay wanted and come back on the next one.
    this.marketData.clear();
    this.tickerToSub.clear();
    for (const sub of this.subs.values()) {
      sub.mktTickerId = null;
      sub.depthTickerId = null;
    }
    s.api.removeAllListeners();
    try {
      s.api.disconnect();
    } catch {
      // the socket may already be gone
    }
    if (!this.wanted) {
      this.setState('stopped');
      return;
    }
    if (!this.config.reconnect.enabled) {
      this.setState('disconnected');
      this.settleReady(new KestrelError('unavailable', `IB: connection to TWS at ${this.where()} ended (${reason})${this.lastError ? `; ${this.lastError}` : ''}`));
      return;
    }
    const { initialDelayMs, maxDelayMs, factor } = this.config.reconnect;
    const delayMs = Math.min(maxDelayMs, initialDelayMs * factor ** this.failedAttempts);
    this.failedAttempts++;
    this.setState('reconnecting');
    this.timers.retry = setTimeout(() => this.startAttempt(), delayMs);
    this.timers.retry.unref?.();
  }

  private settleReady(err: Error | null): void {
    const ws = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of ws) (err ? w.reject(err) : w.resolve());
  }

  private startHeartbeat(id: number): void {
    const probe = (): void => {
      if (this.session?.id !== id) return;
      if (this.probeSentAt !== null) {
        if (this.now() - this.probeSentAt > this.config.heartbeatTimeoutMs) {
          this.noteError(`IB: TWS stopped answering (no reply to the heartbeat within ${this.config.heartbeatTimeoutMs} ms); reconnecting`);
          this.endSession(id, 'heartbeat timeout');
        }
        return;
      }
      void this.send((api) => {
        this.probeSentAt = this.now();
        api.reqCurrentTime();
      }).catch(() => undefined);
    };
    probe();
    this.timers.heartbeat = setInterval(probe, this.config.heartbeatIntervalMs);
    this.timers.heartbeat.unref?.();
  }

  private onWireFault(id: number, fault: WireFault): void {
    if (this.session?.id !== id) return;
    if (fault.kind === 'bad-frame') {
      this.noteError(`IB: TWS sent a malformed frame (${fault.detail}); the stream is out of step, reconnecting`);
      this.endSession(id, 'malformed frame');
    } else {
      this.noteError(`IB: a message from TWS could not be decoded and was skipped (${fault.detail})`);
    }
  }

  // ---- event wiring ----------------------------------------------------------------------------

  private bind(s: Session): void {
    const api = s.api;
    const on = <A extends unknown[]>(event: EventName, fn: (...args: A) => void): void => {
      (api.on as (e: EventName, l: (...args: A) => void) => IBApi)(event, (...args: A) => {
        if (this.session?.id !== s.id) return;
        try {
          fn(...args);
        } catch (err) {
          this.noteError(`IB: Kestrel failed to handle a ${event} message: ${(err as Error).message}`);
        }
      });
    };
    on(EventName.received, (tokens: string[]) => {
      this.stats.onMessage();
      // @stoqey/ib drops the bid size carried in TICK_PRICE (BID_SIZE is tick type 0, which its
      // decoder treats as "no size tick"); recover it from the raw fields
      // [1, version, tickerId, tickType=1 (BID), price, size, attrMask].
      if (tokens[0] === '1' && tokens[3] === '1' && tokens[5]) this.marketData.tickSize(Number(tokens[2]), 0, Number(tokens[5].replaceAll(',', '')));
    });
    on(EventName.server, (version: number) => {
      s.serverVersion = version;
    });
    on(EventName.managedAccounts, (list: string) => {
      s.accounts = list.split(',').map((a) => a.trim()).filter(Boolean);
    });
    on(EventName.nextValidId, (orderId: number) => {
      this.nextOrderId = Math.max(this.nextOrderId, orderId);
      if (!s.ready) this.onSessionReady(s);
    });
    on(EventName.disconnected, () => this.endSession(s.id, 'TWS closed the connection'));
    on(EventName.error, (err: Error, code: number, reqId: number) => this.onError(code, err?.message ?? String(err), reqId));
    on(EventName.info, (message: string, code: number) => this.onError(code, message, -1));
    on(EventName.currentTime, () => {
      if (this.probeSentAt === null) return;
      this.stats.latencyMs = this.now() - this.probeSentAt;
      this.probeSentAt = null;
    });
    on(EventName.tickPrice, (tickerId: number, field: number, value: number) => this.marketData.tickPrice(tickerId, field, value));
    on(EventName.tickSize, (tickerId: number, field: number | undefined, value: number | undefined) => this.marketData.tickSize(tickerId, field, value));
    on(EventName.updateMktDepth, (tickerId: number, position: number, operation: number, side: number, price: number, size: number) =>
      this.marketData.depth(tickerId, position, operation, side, price, size),
    );
    on(EventName.updateMktDepthL2, (tickerId: number, position: number, _mm: string, operation: number, side: number, price: number, size: number) =>
      this.marketData.depth(tickerId, position, operation, side, price, size),
    );
    on(EventName.contractDetails, (reqId: number, details: ContractDetails) => this.collect(reqId, details));
    on(EventName.contractDetailsEnd, (reqId: number) => this.finish(reqId));
    on(EventName.accountSummary, (reqId: number, account: string, tag: string, value: string, currency: string) =>
      this.collect(reqId, { accountId: account, tag, value, currency }),
    );
    on(EventName.accountSummaryEnd, (reqId: number) => {
      this.finish(reqId);
      void this.send((a) => a.cancelAccountSummary(reqId)).catch(() => undefined);
    });
    on(EventName.position, (account: string, contract: Contract, pos: number, avgCost?: number) => {
      const ev = IbPositionEvent.safeParse({ account, contract, pos, avgCost });
      if (!ev.success) return this.malformed('position', ev.error);
      this.positionSink?.(ev.data);
    });
    on(EventName.positionEnd, () => this.positionSink?.(null));
    on(EventName.updateAccountValue, (key: string, value: string, currency: string, account: string) => {
      this.accountValues.set(`${account}|${key}|${currency}`, { accountId: account, tag: key, value, currency });
    });
    on(EventName.updatePortfolio, (contract: Contract, position: number, marketPrice: number, marketValue: number, averageCost?: number, unrealizedPNL?: number, realizedPNL?: number, accountName?: string) => {
      const ev = IbPortfolioEvent.safeParse({ contract, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, accountName });
      if (!ev.success) return this.malformed('portfolio update', ev.error);
      if (ev.data.contract.conId) this.portfolio.set(ev.data.contract.conId, ev.data);
    });
    on(EventName.openOrder, (orderId: number, contract: Contract, order: IbOrderWire, orderState: OrderState) => {
      const c = IbContractPayload.safeParse(contract);
      const o = IbOrderPayload.safeParse({ ...order, orderId });
      const st = IbOrderStatePayload.safeParse(orderState);
      if (!c.success) return this.malformed('open order (contract)', c.error);
      if (!o.success) return this.malformed('open order', o.error);
      if (!st.success) return this.malformed('open order (state)', st.error);
      this.tracker.onOpenOrder(c.data, o.data, st.data.status);
      this.openOrderSink?.(this.tracker.find(null, String(orderId))?.order.venueOrderId ?? String(orderId));
    });
    on(EventName.openOrderEnd, () => this.openOrderSink?.(null));
    on(EventName.orderStatus, (orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number, permId?: number) => {
      const ev = IbOrderStatusEvent.safeParse({ orderId, status, filled, remaining, avgFillPrice, permId });
      if (!ev.success) return this.malformed('order status', ev.error);
      this.tracker.onOrderStatus(ev.data);
    });
    on(EventName.execDetails, (reqId: number, contract: Contract, execution: Execution) => {
      const c = IbContractPayload.safeParse(contract);
      const e = IbExecutionPayload.safeParse(execution);
      if (!c.success) return this.malformed('execution (contract)', c.error);
      if (!e.success) return this.malformed('execution', e.error);
      this.tracker.onExecution(c.data, e.data);
      if (reqId >= 0) this.collect(reqId, e.data.execId);
    });
    on(EventName.execDetailsEnd, (reqId: number) => this.finish(reqId));
    on(EventName.commissionReport, (report: unknown) => {
      const r = IbCommissionPayload.safeParse(report);
      if (!r.success) return this.malformed('commission report', r.error);
      this.tracker.onCommission(r.data);
    });
    on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number) => {
      if (time.startsWith('finished')) return this.finish(reqId);
      this.collect(reqId, { time, open, high, low, close, volume, count, wap });
    });
  }

  private malformed(what: string, error: ZodError): void {
    this.noteError(`IB: TWS sent a ${what} Kestrel cannot read, ignored: ${describeZodError(error, what)}`);
  }

  private onError(code: number, text: string, reqId: number): void {
    // For an unknown message id @stoqey/ib reports "No parser implementation … (id)" and then
    // "Decoding error on undefined: unprocessed data left on queue"; the first says it all.
    if (code === 505 && text.startsWith('Decoding error on undefined')) return;
    const sub = reqId >= 0 ? this.tickerToSub.get(reqId) : undefined;
    const order = reqId >= 0 && !sub ? this.tracker.find(null, String(reqId))?.order : undefined;
    const notice = describeIbError(code, text, sub?.instrumentId ?? (order ? `order ${order.clientOrderId}, IB id ${reqId}` : undefined));
    const collector = reqId >= 0 ? this.collectors.get(reqId) : undefined;
    if (collector) {
      if (code === 200 && collector.emptyOnNoMatch) return this.finish(reqId);
      if (notice.kind !== 'info') {
        this.collectors.delete(reqId);
        clearTimeout(collector.timer);
        collector.reject(new KestrelError(code === 200 ? 'not_found' : 'unavailable', `${notice.message} (while asking for ${collector.what})`));
        return;
      }
    }
    if (reqId >= 0 && notice.kind !== 'info') {
      if (notice.kind === 'cancel-rejected') this.pendingCancels.get(reqId)?.(notice.message);
      const orderKind =
        notice.kind === 'order-rejected' || notice.kind === 'order-canceled' ? notice.kind : notice.kind === 'cancel-rejected' ? 'other' : 'error';
      // 202 "Order Canceled" is the normal answer to a cancel, not an error.
      if (this.tracker.onOrderError(reqId, orderKind, notice.message) && notice.kind === 'order-canceled') return;
      if (sub && code === 317) this.marketData.resetDepth(reqId);
    }
    switch (notice.kind) {
      case 'info':
      case 'order-canceled':
        return;
      case 'link-restored':
        if (code === 1101 || code === 1102 || this.linkLost) {
          this.linkLost = false;
          this.scheduleResubscribe(notice.message);
        }
        return;
      case 'link-lost':
        this.linkLost = true;
        this.noteError(notice.message);
        return;
      default:
        this.noteError(notice.message);
    }
  }

  private noteError(message: string): void {
    this.lastError = message;
    this.pushStatus();
  }

  private setState(state: State): void {
    if (this.state === state) return;
    this.state = state;
    this.pushStatus();
  }

  private pushStatus(): void {
    try {
      this.listener.onStatus?.(this.status());
    } catch {
      // a listener's failure is not the gateway's
    }
  }

  // ---- requests ---------------------------------------------------------------------------------

  private accountId(): string | undefined {
    return this.config.accountId ?? this.session?.accounts[0];
  }

  private isReady(): boolean {
    return Boolean(this.session?.ready);
  }

  private refuseUnlessReady(what: string): void {
    if (!this.isReady()) throw new KestrelError('unavailable', `IB is ${this.state}; ${what}`);
  }

  /** Hands one request to TWS through the pacing queue (resolves when sent). */
  private send(fn: (api: IBApi) => void, priority: PacingPriority = 'data'): Promise<void> {
    return this.pacer.push(() => {
      const api = this.session?.api;
      if (!api) throw new KestrelError('unavailable', 'not connected to TWS');
      fn(api);
    }, priority);
  }

  /** A request answered by rows keyed by reqId and an END message. */
  private request<T>(what: string, fn: (api: IBApi, reqId: number) => void, emptyOnNoMatch = false): Promise<T[]> {
    this.refuseUnlessReady(`cannot ask for ${what}`);
    const reqId = this.nextReqId++;
    return new Promise<T[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.collectors.delete(reqId);
        reject(new KestrelError('unavailable', `IB: TWS did not answer ${what} within ${this.config.requestTimeoutMs} ms`));
      }, this.config.requestTimeoutMs);
      timer.unref?.();
      this.collectors.set(reqId, { what, items: [], resolve: (items) => resolve(items as T[]), reject, timer, emptyOnNoMatch });
      this.send((api) => fn(api, reqId)).catch((err: Error) => {
        clearTimeout(timer);
        this.collectors.delete(reqId);
        reject(err);
      });
    });
  }

  private collect(reqId: number, item: unknown): void {
    this.collectors.get(reqId)?.items.push(item);
  }

  private finish(reqId: number): void {
    const c = this.collectors.get(reqId);
    if (!c) return;
    this.collectors.delete(reqId);
    clearTimeout(c.timer);
    c.resolve(c.items);
  }

  /** Requests without a reqId (positions, open orders) cannot overlap; they run one at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.singleFlight.then(fn, fn);
    this.singleFlight = run.catch(() => undefined);
    return run;
  }

  // ---- instruments ---------------------------------------------------------------------------------

  /** Seed 002's FIND_CONTRACTS: every contract TWS lists for the query, cached. [] when none match. */
  async findContracts(query: IbContractQuery): Promise<Instrument[]> {
    const q = IbContractQuery.safeParse(query);
    if (!q.success) throw new KestrelError('bad_request', describeZodError(q.error, 'IB contract search'));
    const { multiplier, ...rest } = q.data;
    const contract = specToContract({ ...rest, ...(multiplier !== undefined ? { multiplier: String(multiplier) } : {}) });
    const rows = await this.request<unknown>(`contract details for ${q.data.secType} ${q.data.symbol}`, (api, reqId) => api.reqContractDetails(reqId, contract), true);
    return this.cacheDetails(rows);
  }

  private cacheDetails(rows: unknown[]): Instrument[] {
    const out: Instrument[] = [];
    for (const row of rows) {
      const d = IbContractDetailsPayload.safeParse(row);
      if (!d.success) {
        this.malformed('contract details', d.error);
        continue;
      }
      try {
        out.push(this.contracts.put(d.data as ContractDetailsPayload));
      } catch (err) {
        this.noteError(`IB: contract ${d.data.contract.symbol} skipped: ${(err as Error).message}`);
      }
    }
    return out;
  }

  async searchInstruments(query: string): Promise<Instrument[]> {
    return this.findContracts(parseContractQuery(query));
  }

  /** The portfolio's contracts (seed 002: queried at startup) plus everything searched so far. */
  async loadInstruments(): Promise<Instrument[]> {
    await this.fetchPositions();
    return this.contracts.instruments();
  }

  private async instrumentIdOf(contract: IbContractPayload): Promise<string> {
    if (contract.conId) {
      const cached = this.contracts.getByConId(contract.conId);
      if (cached) return cached.instrument.instrumentId;
      // Positions name the listing exchange (NASDAQ) or none (futures); the conId's details give
      // the contract Kestrel trades (SMART, CME), so the id matches what a search returns.
      const rows = await this.request<unknown>(`contract details for conId ${contract.conId}`, (api, reqId) => api.reqContractDetails(reqId, { conId: contract.conId }), true);
      const found = this.cacheDetails(rows)[0];
      if (found) return found.instrumentId;
    }
    return instrumentIdOfContract(contract);
  }

  // ---- market data ----------------------------------------------------------------------------------

  async subscribeQuotes(instrumentIds: string[]): Promise<void> {
    await this.subscribeLines(instrumentIds, (s) => (s.quotes = true));
  }

  async subscribeTrades(instrumentIds: string[]): Promise<void> {
    await this.subscribeLines(instrumentIds, (s) => (s.trades = true));
  }

  async subscribeBook(instrumentIds: string[], depth = 10): Promise<void> {
    if (!Number.isInteger(depth) || depth < 1 || depth > 50) throw new KestrelError('bad_request', `book depth must be a whole number from 1 to 50, got ${depth}`);
    await this.subscribeLines(instrumentIds, (s) => (s.depthRows = depth));
  }

  async unsubscribe(instrumentIds: string[]): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const id of instrumentIds) {
      const sub = this.subs.get(id);
      if (!sub) continue;
      this.subs.delete(id);
      sends.push(...this.cancelLines(sub));
    }
    await Promise.all(sends.map((p) => p.catch(() => undefined)));
  }

  private async subscribeLines(instrumentIds: string[], want: (s: Subscription) => void): Promise<void> {
    for (const id of instrumentIds) parseIbInstrumentId(id);
    const sends: Promise<void>[] = [];
    for (const id of instrumentIds) {
      let sub = this.subs.get(id);
      if (!sub) {
        sub = { instrumentId: id, quotes: false, trades: false, depthRows: null, mktTickerId: null, depthTickerId: null, lineSession: 0 };
        this.subs.set(id, sub);
      }
      want(sub);
      if (this.isReady()) sends.push(...this.openLines(sub));
    }
    await Promise.all(sends);
  }

  private openLines(sub: Subscription): Promise<void>[] {
    const sessionId = this.session?.id ?? 0;
    const contract = this.contracts.contractFor(sub.instrumentId, parseIbInstrumentId(sub.instrumentId));
    const sends: Promise<void>[] = [];
    sub.lineSession = sessionId;
    if ((sub.quotes || sub.trades) && sub.mktTickerId === null) {
      const tickerId = this.nextReqId++;
      sub.mktTickerId = tickerId;
      this.tickerToSub.set(tickerId, sub);
      this.marketData.openQuotes(tickerId, sub.instrumentId);
      sends.push(this.send((api) => api.reqMktData(tickerId, contract, '', false, false)));
    }
    if (sub.depthRows !== null && sub.depthTickerId === null) {
      const tickerId = this.nextReqId++;
      const rows = sub.depthRows;
      sub.depthTickerId = tickerId;
      this.tickerToSub.set(tickerId, sub);
      this.marketData.openDepth(tickerId, sub.instrumentId, rows);
      sends.push(this.send((api) => api.reqMktDepth(tickerId, contract, rows, false, [])));
    }
    return sends;
  }

  private cancelLines(sub: Subscription): Promise<void>[] {
    const sends: Promise<void>[] = [];
    const live = this.isReady() && sub.lineSession === this.session?.id;
    if (sub.mktTickerId !== null) {
      const id = sub.mktTickerId;
      this.marketData.close(id);
      this.tickerToSub.delete(id);
      if (live) sends.push(this.send((api) => api.cancelMktData(id)));
    }
    if (sub.depthTickerId !== null) {
      const id = sub.depthTickerId;
      this.marketData.close(id);
      this.tickerToSub.delete(id);
      if (live) sends.push(this.send((api) => api.cancelMktDepth(id, false)));
    }
    sub.mktTickerId = null;
    sub.depthTickerId = null;
    return sends;
  }

  private scheduleResubscribe(reason: string): void {
    if (this.timers.resubscribe) return;
    this.timers.resubscribe = setTimeout(() => {
      delete this.timers.resubscribe;
      this.resubscribeAll(reason);
      if (this.config.accountUpdates && this.isReady()) {
        const account = this.accountId() ?? '';
        void this.send((api) => api.reqAccountUpdates(true, account)).catch(() => undefined);
      }
    }, this.config.resubscribeDebounceMs);
    this.timers.resubscribe.unref?.();
  }

  /** Re-requests every wanted line with fresh ticker ids (old ones are cancelled if still live). */
  private resubscribeAll(_reason: string): void {
    if (!this.isReady() || this.subs.size === 0) return;
    this.resubscribeCount++;
    for (const sub of this.subs.values()) {
      for (const p of this.cancelLines(sub)) p.catch(() => undefined);
      for (const p of this.openLines(sub)) p.catch((err: Error) => this.noteError(`IB: resubscribing ${sub.instrumentId} failed: ${err.message}`));
    }
  }

  // ---- account -----------------------------------------------------------------------------------

  /** Positions via reqPositions, instrumentIds resolved through contract details, marks from account updates. */
  async fetchPositions(): Promise<Position[]> {
    const events = await this.exclusive(() => this.collectPositions());
    const out: Position[] = [];
    for (const ev of events) {
      const instrumentId = await this.instrumentIdOf(ev.contract);
      const mark = ev.contract.conId ? this.portfolio.get(ev.contract.conId) : undefined;
      out.push(toPosition(ev, instrumentId, this.now(), mark ? { marketPrice: mark.marketPrice, unrealizedPnl: mark.unrealizedPNL ?? 0, realizedPnl: mark.realizedPNL ?? 0 } : undefined));
    }
    return out;
  }

  private collectPositions(): Promise<IbPositionEvent[]> {
    this.refuseUnlessReady('cannot ask for positions');
    return new Promise<IbPositionEvent[]>((resolve, reject) => {
      const rows: IbPositionEvent[] = [];
      const done = (err: Error | null): void => {
        clearTimeout(timer);
        this.positionSink = null;
        void this.send((api) => api.cancelPositions()).catch(() => undefined);
        if (err) reject(err);
        else resolve(rows);
      };
      const timer = setTimeout(() => done(new KestrelError('unavailable', `IB: TWS did not finish the position list within ${this.config.requestTimeoutMs} ms`)), this.config.requestTimeoutMs);
      timer.unref?.();
      this.positionSink = (ev) => {
        if (ev) rows.push(ev);
        else if (this.isReady()) done(null);
        else done(new KestrelError('unavailable', 'IB connection lost before the position list was complete'));
      };
      this.send((api) => api.reqPositions()).catch((err: Error) => done(err));
    });
  }

  /** Account summary values (NetLiquidation, TotalCashValue, …) for every account of the login. */
  async fetchAccountValues(tags: readonly string[] = IB_ACCOUNT_TAGS): Promise<IbAccountValue[]> {
    const rows = await this.request<unknown>('the account summary', (api, reqId) => api.reqAccountSummary(reqId, 'All', tags.join(',')));
    const out: IbAccountValue[] = [];
    for (const row of rows) {
      const v = IbAccountValue.safeParse(row);
      if (v.success) out.push(v.data);
      else this.malformed('account summary row', v.error);
    }
    return out;
  }

  /** The latest streamed account values (reqAccountUpdates), keyed account|tag|currency. */
  streamedAccountValues(): IbAccountValue[] {
    return [...this.accountValues.values()];
  }

  /**
   * One Balance per account: total = NetLiquidation, free = AvailableFunds (TotalCashValue when
   * the account reports no AvailableFunds), used = InitMarginReq (else total − free, at least 0).
   */
  async fetchBalances(): Promise<Balance[]> {
    const values = await this.fetchAccountValues();
    const byAccount = new Map<string, Map<string, IbAccountValue>>();
    for (const v of values) {
      const m = byAccount.get(v.accountId) ?? new Map<string, IbAccountValue>();
      m.set(v.tag, v);
      byAccount.set(v.accountId, m);
    }
    const out: Balance[] = [];
    for (const [accountId, tags] of byAccount) {
      const num = (tag: string): number | undefined => {
        const n = Number(tags.get(tag)?.value);
        return tags.has(tag) && Number.isFinite(n) ? n : undefined;
      };
      const total = num('NetLiquidation');
      if (total === undefined) continue;
      const free = num('AvailableFunds') ?? num('TotalCashValue') ?? total;
      out.push({
        accountId,
        currency: tags.get('NetLiquidation')?.currency || 'USD',
        total,
        free,
        used: num('InitMarginReq') ?? Math.max(0, total - free),
        tsUpdated: this.now(),
      });
    }
    return out;
  }

  // ---- orders ------------------------------------------------------------------------------------

  async submitOrder(clientOrderId: string, order: SubmitOrder): Promise<VenueOrderAck> {
    const cmd = SubmitOrder.safeParse(order);
    if (!cmd.success) throw new KestrelError('bad_request', describeZodError(cmd.error, `order ${clientOrderId}`));
    if (!clientOrderId) throw new KestrelError('bad_request', 'an IB order needs a clientOrderId (sent as orderRef)');
    this.refuseUnlessReady(`order ${clientOrderId} was not sent`);
    const spec = parseIbInstrumentId(cmd.data.instrumentId);
    // SubmitOrder.accountId names a Kestrel account; the IB account is this gateway's.
    const account = this.accountId();
    if (!account) throw new KestrelError('unavailable', `IB has not named an account yet; order ${clientOrderId} was not sent`);
    const contract = this.contracts.contractFor(cmd.data.instrumentId, spec);
    const ibOrderId = this.nextOrderId++;
    try {
      this.tracker.register(clientOrderId, ibOrderId, cmd.data, account);
    } catch (err) {
      throw new KestrelError('refused', (err as Error).message);
    }
    const ibOrder = toIbOrder(cmd.data, account, clientOrderId);
    try {
      await this.send((api) => api.placeOrder(ibOrderId, contract, ibOrder), 'order');
    } catch (err) {
      this.tracker.markNotSent(ibOrderId, `not sent to IB: ${(err as Error).message}`);
      return { clientOrderId, venueOrderId: String(ibOrderId), status: 'rejected' };
    }
    const acked = await this.tracker.waitForAck(ibOrderId, this.config.requestTimeoutMs);
    return { clientOrderId, venueOrderId: String(ibOrderId), status: acked.status };
  }

  /** Resolves when TWS confirmed the order is done (cancelled, or filled first); throws if TWS refused the cancel. */
  async cancelOrder(clientOrderId: string, venueOrderId: string | null, instrumentId: string): Promise<void> {
    const found = this.tracker.find(clientOrderId || null, venueOrderId);
    if (!found) throw new KestrelError('not_found', `IB order ${clientOrderId}${venueOrderId ? ` / ${venueOrderId}` : ''} (${instrumentId}) is not known to this gateway`);
    this.refuseUnlessReady(`cancel of ${clientOrderId} was not sent`);
    const id = found.ibOrderId;
    const refused = new Promise<string>((resolve) => this.pendingCancels.set(id, resolve));
    try {
      await this.send((api) => api.cancelOrder(id), 'order');
      const outcome = await Promise.race([this.tracker.waitForTerminal(id, this.config.requestTimeoutMs).then(() => null), refused]);
      if (typeof outcome === 'string') throw new KestrelError('refused', outcome);
    } finally {
      this.pendingCancels.delete(id);
    }
  }

  /** reqGlobalCancel: every open order of the account, from any client (the kill switch's path). */
  async cancelAllOrders(): Promise<void> {
    this.refuseUnlessReady('cancel-all was not sent');
    await this.send((api) => api.reqGlobalCancel(), 'order');
  }

  /** Every open order of the account (reqAllOpenOrders), as TWS reports it now. */
  async fetchOpenOrders(): Promise<Order[]> {
    const keys = await this.exclusive(
      () =>
        new Promise<string[]>((resolve, reject) => {
          this.refuseUnlessReady('cannot list open orders');
          const seen: string[] = [];
          const timer = setTimeout(() => finish(new KestrelError('unavailable', `IB: TWS did not finish the open-order list within ${this.config.requestTimeoutMs} ms`)), this.config.requestTimeoutMs);
          timer.unref?.();
          const finish = (err: Error | null): void => {
            clearTimeout(timer);
            this.openOrderSink = null;
            if (err) reject(err);
            else resolve(seen);
          };
          this.openOrderSink = (key) => {
            if (key !== null) seen.push(key);
            else finish(this.isReady() ? null : new KestrelError('unavailable', 'IB connection lost before the open-order list was complete'));
          };
          this.send((api) => api.reqAllOpenOrders()).catch((err: Error) => finish(err));
        }),
    );
    const out: Order[] = [];
    for (const key of new Set(keys)) {
      const o = this.tracker.find(null, key)?.order;
      if (o && (o.status === 'open' || o.status === 'partially_filled' || o.status === 'pending')) out.push(o);
    }
    return out;
  }

  /** Executions TWS still has (today's), as Fills with tsEvent ≥ sinceMs. New ones are also emitted once via onFill. */
  async fetchFillsSince(sinceMs: number): Promise<Fill[]> {
    const execIds = await this.request<string>('the execution list', (api, reqId) => api.reqExecutions(reqId, {}));
    const fills: Fill[] = [];
    for (const execId of new Set(execIds)) {
      const f = this.tracker.fillOf(execId);
      if (f && f.tsEvent >= sinceMs) fills.push(f);
    }
    return fills.sort((a, b) => a.tsEvent - b.tsEvent);
  }

  /** After a (re)connect: learn open orders; after a reconnect also fetch executions missed while down. */
  private async reconcile(reconnected: boolean): Promise<void> {
    await this.fetchOpenOrders();
    if (reconnected) await this.fetchFillsSince(0);
  }

  // ---- historical data -----------------------------------------------------------------------------

  /**
   * Historical bars (reqHistoricalData), paced by IB's rules: a request that would break one waits
   * for its slot, or is refused if the slot is further away than requestTimeoutMs.
   */
  async fetchHistoricalBars(instrumentId: string, query: IbHistoricalQuery): Promise<IbHistoricalBar[]> {
    const spec = parseIbInstrumentId(instrumentId);
    const whatToShow = query.whatToShow ?? 'TRADES';
    const useRth = query.useRth ?? true;
    const end = query.endMs === undefined ? '' : formatIbUtc(query.endMs);
    if (!/^\d+ [SDWMY]$/.test(query.duration)) throw new KestrelError('bad_request', `IB duration "${query.duration}" must look like "3600 S", "1 D", "2 W", "1 M" or "1 Y"`);
    const key = { contractKey: `${instrumentId}|${whatToShow}`, identity: `${instrumentId}|${end}|${query.duration}|${query.barSize}|${whatToShow}|${useRth}` };
    const slot = this.historical.slot(key);
    if (slot.delayMs > this.config.requestTimeoutMs) {
      throw new KestrelError('refused', `IB historical-data pacing: ${slot.rule}; next slot in ${Math.ceil(slot.delayMs / 1000)} s`);
    }
    if (slot.delayMs > 0) await new Promise((r) => setTimeout(r, slot.delayMs));
    this.historical.record(key);
    const contract = this.contracts.contractFor(instrumentId, spec);
    const rows = await this.request<{ time: string; open: number; high: number; low: number; close: number; volume: number; count?: number; wap: number }>(
      `historical bars for ${instrumentId}`,
      (api, reqId) =>
        api.reqHistoricalData(reqId, contract, end, query.duration, query.barSize as never, whatToShow as never, useRth ? 1 : 0, 2, false),
    );
    return rows.map((r) => ({
      tsOpen: /^\d+$/.test(r.time) ? Number(r.time) * 1000 : Date.parse(r.time),
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      volume: r.volume ?? 0,
      wap: r.wap,
      tradeCount: r.count ?? 0,
    }));
  }
}

/** IB's UTC form for request times: "yyyymmdd-hh:mm:ss". */
function formatIbUtc(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
