import net from 'node:net';
import { FAKE_CONTRACTS } from './contracts.js';
import {
  OUT,
  SERVER_VERSION,
  acctDownloadEnd,
  acctUpdateTime,
  acctValue,
  commissionReport,
  contractData,
  contractDataEnd,
  errMsg,
  execData,
  historicalData,
  execDataEnd,
  marketDepth,
  nextValidId,
  openOrder,
  openOrderEnd,
  orderStatus,
  portfolioValue,
  tickPrice,
  tickSize,
  type FakeBar,
  type FakeContract,
  type FakeExecution,
  type FakeOrder,
} from './messages.js';
import { TwsRecording } from './recording.js';
import { ClientStreamReader, encodeBody, frameBody } from './wire.js';

/** One message a client sent after the handshake, with the session it came on. */
export interface ClientMessage {
  sessionId: number;
  clientId: number | null;
  fields: string[];
}

interface Session {
  id: number;
  socket: net.Socket;
  clientId: number | null;
  started: boolean;
  /** tickerId → contract of live reqMktData lines. */
  mktData: Map<number, FakeContract>;
  depth: Map<number, FakeContract>;
  accountUpdates: boolean;
}

export interface FakeTwsOptions {
  firstOrderId?: number;
  contracts?: FakeContract[];
  /** Market orders fill at once at this price (null: they rest until `fillOrder`). */
  marketFillPrice?: number | null;
}

const OPEN_STATUSES = new Set(['PreSubmitted', 'Submitted', 'PendingSubmit']);
const CONTRACT_FIELDS = 12; // conId .. tradingClass as the encoder writes a contract

/**
 * A loopback TWS speaking the V100+ wire protocol at server version 173 to a real @stoqey/ib
 * client: handshake, framing, startApi → managedAccounts + nextValidId, market data, depth,
 * contract details, orders, executions, positions, account summary and updates, errors, and
 * fault injection (drop, refuse, stall, raw bytes). Replies that exist in the recorded session
 * (../shared/fixtures/ib-tws) are replayed from it byte for byte.
 */
export class FakeTws {
  readonly recording = new TwsRecording();
  readonly log: ClientMessage[] = [];
  readonly orders = new Map<number, FakeOrder>();
  readonly executions: FakeExecution[] = [];
  readonly handshakes: Array<{ sessionId: number; versionRange: string }> = [];
  /** TCP connections accepted, refused ones included. */
  connectionAttempts = 0;
  /** Every clientId that completed START_API, in order (one entry per session). */
  readonly clientIds: number[] = [];
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly sessions = new Map<number, Session>();
  private readonly contracts: FakeContract[];
  private nextSessionId = 1;
  private nextOrderId: number;
  private nextPermId = 900_000_001;
  private nextExecSeq = 1;
  private mode: 'normal' | 'refuse' | 'mute' = 'normal';
  private frozen = false;
  private readonly marketFillPrice: number | null;
  private waiters: Array<() => void> = [];
  private readonly bars = new Map<number, FakeBar[]>();

  constructor(options: FakeTwsOptions = {}) {
    if (this.recording.serverVersion !== SERVER_VERSION) {
      throw new Error(`the fake builds messages for server version ${SERVER_VERSION}, the recording is at ${this.recording.serverVersion}`);
    }
    this.nextOrderId = options.firstOrderId ?? 1;
    this.contracts = options.contracts ?? FAKE_CONTRACTS;
    this.marketFillPrice = options.marketFillPrice ?? null;
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('the fake TWS is not listening');
    return addr.port;
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- fault injection -------------------------------------------------------------------

  /** Closes every client connection, as TWS does at its nightly restart. */
  dropAll(): void {
    for (const s of this.sessions.values()) s.socket.destroy();
    this.sessions.clear();
  }

  /** 'refuse': accept and close at once; 'mute': accept and never answer the handshake. */
  setAcceptMode(mode: 'normal' | 'refuse' | 'mute'): void {
    this.mode = mode;
  }

  /** A frozen TWS keeps the socket open but answers nothing (a stalled or half-open peer). */
  freeze(frozen: boolean): void {
    this.frozen = frozen;
  }

  /** Writes bytes as they are, unframed, to every started session (garbage, truncated frames). */
  sendRaw(bytes: Buffer): void {
    for (const s of this.started()) s.socket.write(bytes);
  }

  /** Frames and sends a message body to every started session. */
  broadcast(body: string): void {
    for (const s of this.started()) this.send(s, body);
  }

  /** An informational/farm message (id -1), e.g. 1101 or 2104. */
  sendInfo(code: number, message: string): void {
    this.broadcast(errMsg(-1, code, message));
  }

  get sessionCount(): number {
    return this.started().length;
  }

  // ---- market data -----------------------------------------------------------------------

  /** Ticks bid and ask (with sizes) to every line subscribed to this contract. Returns lines reached. */
  pushQuote(conId: number, q: { bid: number; bidSize: number; ask: number; askSize: number }): number {
    return this.toMktDataLines(conId, (s, tickerId) => {
      this.send(s, tickPrice(tickerId, 1, q.bid, q.bidSize));
      this.send(s, tickPrice(tickerId, 2, q.ask, q.askSize));
    });
  }

  /** A last-trade tick (TICK_PRICE LAST carrying its size). */
  pushTrade(conId: number, price: number, size: number): number {
    return this.toMktDataLines(conId, (s, tickerId) => this.send(s, tickPrice(tickerId, 4, price, size)));
  }

  /** A standalone size tick (e.g. BID_SIZE = 0) without a price. */
  pushSize(conId: number, tickType: number, size: number): number {
    return this.toMktDataLines(conId, (s, tickerId) => this.send(s, tickSize(tickerId, tickType, size)));
  }

  /** One MARKET_DEPTH row operation (0 insert, 1 update, 2 delete; side 0 ask, 1 bid). */
  pushDepth(conId: number, position: number, operation: 0 | 1 | 2, side: 0 | 1, price: number, size: number): number {
    let reached = 0;
    for (const s of this.started()) {
      for (const [tickerId, c] of s.depth) {
        if (c.conId !== conId) continue;
        this.send(s, marketDepth(tickerId, position, operation, side, price, size));
        reached++;
      }
    }
    return reached;
  }

  /** tickerIds of live market-data lines per session, for resubscription checks. */
  mktDataLines(): Array<{ sessionId: number; clientId: number | null; tickerId: number; conId: number }> {
    const out: Array<{ sessionId: number; clientId: number | null; tickerId: number; conId: number }> = [];
    for (const s of this.started()) for (const [tickerId, c] of s.mktData) out.push({ sessionId: s.id, clientId: s.clientId, tickerId, conId: c.conId });
    return out;
  }

  /** Bars the fake answers reqHistoricalData with for this contract (none: error 162). */
  setHistoricalBars(conId: number, bars: FakeBar[]): void {
    this.bars.set(conId, bars);
  }

  // ---- orders ------------------------------------------------------------------------------

  /**
   * Executes `quantity` of an order at `price`. By default TWS's usual order of events:
   * openOrder, orderStatus, execDetails, commissionReport. `execFirst` sends execDetails and
   * commissionReport before any order event, which real TWS does at times.
   */
  fillOrder(orderId: number, quantity: number, price: number, opts: { execFirst?: boolean; liquidity?: 1 | 2; commission?: number } = {}): FakeExecution {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`fake TWS has no order ${orderId}`);
    if (!OPEN_STATUSES.has(o.status)) throw new Error(`order ${orderId} is ${o.status}, cannot fill`);
    const qty = Math.min(quantity, o.totalQuantity - o.filled);
    o.avgFillPrice = (o.avgFillPrice * o.filled + price * qty) / (o.filled + qty);
    o.filled += qty;
    o.lastFillPrice = price;
    o.status = o.filled >= o.totalQuantity ? 'Filled' : 'Submitted';
    const seq = this.nextExecSeq++;
    const exec: FakeExecution = {
      execId: `0000e0d5.6874${String(seq).padStart(4, '0')}.01.01`,
      orderId: o.orderId,
      clientId: o.clientId,
      permId: o.permId,
      contract: o.contract,
      time: '20250715 19:05:07 UTC',
      account: o.account,
      side: o.action === 'BUY' ? 'BOT' : 'SLD',
      shares: qty,
      price,
      cumQty: o.filled,
      avgPrice: o.avgFillPrice,
      orderRef: o.orderRef,
      lastLiquidity: opts.liquidity ?? 2,
      commission: opts.commission ?? 1.25,
      commissionCurrency: 'USD',
    };
    this.executions.push(exec);
    const session = this.sessionOfClient(o.clientId);
    if (session) {
      const orderEvents = [openOrder(o), orderStatus(o)];
      const execEvents = [execData(-1, exec), commissionReport(exec)];
      for (const b of opts.execFirst ? [...execEvents, ...orderEvents] : [...orderEvents, ...execEvents]) this.send(session, b);
    }
    return exec;
  }

  // ---- request handling --------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    this.connectionAttempts++;
    if (this.mode === 'refuse') {
      socket.destroy();
      return;
    }
    const session: Session = { id: this.nextSessionId++, socket, clientId: null, started: false, mktData: new Map(), depth: new Map(), accountUpdates: false };
    this.sessions.set(session.id, session);
    socket.setNoDelay(true);
    const reader = new ClientStreamReader(
      (versionRange) => this.onGreeting(session, versionRange),
      (fields) => this.onClientMessage(session, fields),
      () => socket.destroy(),
    );
    socket.on('data', (d) => reader.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => this.sessions.delete(session.id));
  }

  private onGreeting(s: Session, versionRange: string): void {
    this.handshakes.push({ sessionId: s.id, versionRange });
    if (this.mode === 'mute') return;
    const m = /^v(\d+)(?:\.\.(\d+))?$/.exec(versionRange);
    const max = m ? Number(m[2] ?? m[1]) : 0;
    if (max < SERVER_VERSION) {
      s.socket.destroy();
      return;
    }
    // The server's first reply: server version and connection time, framed.
    this.send(s, encodeBody([SERVER_VERSION, '20250715 19:05:13 UTC']));
  }

  private onClientMessage(s: Session, fields: string[]): void {
    const id = Number(fields[0]);
    if (id === OUT.START_API) return this.onStartApi(s, fields);
    this.log.push({ sessionId: s.id, clientId: s.clientId, fields });
    this.notify();
    if (this.frozen || !s.started) return;
    switch (id) {
      case OUT.REQ_CURRENT_TIME:
        return this.replay(s, 'server_time');
      case OUT.REQ_MANAGED_ACCTS:
        return this.replay(s, 'managed_accounts');
      case OUT.REQ_IDS:
        return this.send(s, nextValidId(this.nextOrderId));
      case OUT.REQ_POSITIONS:
        return this.replay(s, 'positions');
      case OUT.CANCEL_POSITIONS:
        return;
      case OUT.REQ_ACCOUNT_SUMMARY:
        return this.onAccountSummary(s, Number(fields[2]), fields[4] ?? '');
      case OUT.CANCEL_ACCOUNT_SUMMARY:
        return;
      case OUT.REQ_ACCOUNT_DATA:
        return this.onAccountUpdates(s, fields[2] === '1');
      case OUT.REQ_CONTRACT_DATA:
        return this.onContractDetails(s, Number(fields[2]), fields.slice(3, 3 + CONTRACT_FIELDS));
      case OUT.REQ_MKT_DATA:
        return this.onMktData(s, Number(fields[2]), fields.slice(3, 3 + CONTRACT_FIELDS), s.mktData);
      case OUT.CANCEL_MKT_DATA:
        s.mktData.delete(Number(fields[2]));
        return;
      case OUT.REQ_MKT_DEPTH:
        return this.onMktData(s, Number(fields[2]), fields.slice(3, 3 + CONTRACT_FIELDS), s.depth);
      case OUT.CANCEL_MKT_DEPTH:
        s.depth.delete(Number(fields[2]));
        return;
      case OUT.PLACE_ORDER:
        return this.onPlaceOrder(s, fields);
      case OUT.CANCEL_ORDER:
        return this.onCancelOrder(Number(fields[2]));
      case OUT.REQ_GLOBAL_CANCEL:
        for (const o of this.orders.values()) if (OPEN_STATUSES.has(o.status)) this.onCancelOrder(o.orderId);
        return;
      case OUT.REQ_OPEN_ORDERS:
      case OUT.REQ_ALL_OPEN_ORDERS:
        for (const o of this.orders.values()) {
          if (!OPEN_STATUSES.has(o.status) || (id === OUT.REQ_OPEN_ORDERS && o.clientId !== s.clientId)) continue;
          this.send(s, openOrder(o));
          this.send(s, orderStatus(o));
        }
        return this.send(s, openOrderEnd());
      case OUT.REQ_EXECUTIONS: {
        const reqId = Number(fields[2]);
        const clientFilter = Number(fields[3] || '0');
        for (const e of this.executions) {
          if (clientFilter !== 0 && e.clientId !== clientFilter) continue;
          this.send(s, execData(reqId, e));
          this.send(s, commissionReport(e));
        }
        return this.send(s, execDataEnd(reqId));
      }
      case OUT.REQ_HISTORICAL_DATA: {
        const reqId = Number(fields[1]);
        const [c] = this.match(fields.slice(2, 2 + CONTRACT_FIELDS));
        const bars = c ? this.bars.get(c.conId) : undefined;
        if (!bars) return this.send(s, errMsg(reqId, 162, 'Historical Market Data Service error message:HMDS query returned no data'));
        return this.send(s, historicalData(reqId, String(bars[0]?.time ?? ''), String(bars[bars.length - 1]?.time ?? ''), bars));
      }
      case OUT.REQ_MARKET_DATA_TYPE:
      case OUT.REQ_AUTO_OPEN_ORDERS:
        return;
      default:
        return;
    }
  }

  private onStartApi(s: Session, fields: string[]): void {
    const clientId = Number(fields[2]);
    this.log.push({ sessionId: s.id, clientId, fields });
    if (this.mode === 'mute') return;
    const clash = [...this.sessions.values()].some((o) => o !== s && o.started && o.clientId === clientId);
    if (clash) {
      // Real TWS: error 326 to the newcomer, then it closes the socket.
      this.send(s, errMsg(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.'));
      s.socket.end();
      return;
    }
    s.clientId = clientId;
    s.started = true;
    this.clientIds.push(clientId);
    this.replay(s, 'managed_accounts');
    this.send(s, nextValidId(this.nextOrderId));
    this.send(s, errMsg(-1, 2104, 'Market data farm connection is OK:usfarm'));
    this.send(s, errMsg(-1, 2106, 'HMDS data farm connection is OK:ushmds'));
    this.send(s, errMsg(-1, 2158, 'Sec-def data farm connection is OK:secdefnj'));
    this.notify();
  }

  private onAccountSummary(s: Session, reqId: number, tags: string): void {
    const wanted = new Set(tags.split(',').map((t) => t.trim()));
    const bodies = this.recording.responses('account_summary');
    const fields = this.recording.responseFields('account_summary');
    bodies.forEach((b, i) => {
      const tag = fields[i]?.tag;
      // The END message has no tag; rows are filtered by the requested tags.
      if (tag !== undefined && !wanted.has(tag) && !wanted.has('All')) return;
      this.send(s, TwsRecording.withField(b, 2, reqId));
    });
  }

  private onAccountUpdates(s: Session, subscribe: boolean): void {
    s.accountUpdates = subscribe;
    if (!subscribe) return;
    // No recording of reqAccountUpdates exists: ACCT_VALUE / PORTFOLIO_VALUE are built from the
    // decoder's field order with the recorded session's account values and positions.
    for (const row of this.recording.responseFields('account_summary')) {
      if (row.tag) this.send(s, acctValue(row.tag, row.value ?? '', row.currency ?? '', row.account ?? ''));
    }
    for (const p of this.recording.responseFields('positions')) {
      if (!p.contract_id) continue;
      const c = this.findByConId(Number(p.contract_id));
      if (!c) continue;
      const multiplier = Number(c.multiplier || '1');
      const avgCost = Number(p.average_cost);
      this.send(s, portfolioValue(c, Number(p.position), avgCost / multiplier, avgCost, p.account ?? ''));
    }
    this.send(s, acctUpdateTime('19:05'));
    const account = this.recording.responseFields('managed_accounts')[0]?.accounts ?? '';
    this.send(s, acctDownloadEnd(account));
  }

  private onContractDetails(s: Session, reqId: number, contractFields: string[]): void {
    const matches = this.match(contractFields);
    if (matches.length === 0) {
      this.send(s, errMsg(reqId, 200, 'No security definition has been found for the request'));
      return;
    }
    for (const c of matches) this.send(s, contractData(reqId, c));
    this.send(s, contractDataEnd(reqId));
  }

  private onMktData(s: Session, tickerId: number, contractFields: string[], lines: Map<number, FakeContract>): void {
    const [c] = this.match(contractFields);
    if (!c) {
      this.send(s, errMsg(tickerId, 200, 'No security definition has been found for the request'));
      return;
    }
    lines.set(tickerId, c);
    this.notify();
  }

  private onPlaceOrder(s: Session, f: string[]): void {
    const orderId = Number(f[1]);
    const existing = this.orders.get(orderId);
    if (existing && !OPEN_STATUSES.has(existing.status)) {
      this.send(s, errMsg(orderId, 103, 'Duplicate order id'));
      return;
    }
    const [contract] = this.match(f.slice(2, 2 + CONTRACT_FIELDS));
    if (!contract) {
      this.send(s, errMsg(orderId, 200, 'No security definition has been found for the request'));
      return;
    }
    const order: FakeOrder = {
      orderId,
      clientId: s.clientId ?? 0,
      permId: existing?.permId ?? this.nextPermId++,
      contract,
      action: f[16] === 'SELL' ? 'SELL' : 'BUY',
      totalQuantity: Number(f[17]),
      orderType: f[18] ?? 'MKT',
      lmtPrice: f[19] ? Number(f[19]) : null,
      auxPrice: f[20] ? Number(f[20]) : null,
      tif: f[21] || 'DAY',
      account: f[23] || (this.recording.responseFields('managed_accounts')[0]?.accounts ?? ''),
      orderRef: f[26] ?? '',
      status: 'Submitted',
      filled: existing?.filled ?? 0,
      avgFillPrice: existing?.avgFillPrice ?? 0,
      lastFillPrice: 0,
    };
    this.orders.set(orderId, order);
    this.nextOrderId = Math.max(this.nextOrderId, orderId + 1);
    this.send(s, openOrder(order));
    this.send(s, orderStatus(order));
    if (order.orderType === 'MKT' && this.marketFillPrice !== null) this.fillOrder(orderId, order.totalQuantity, this.marketFillPrice);
    this.notify();
  }

  private onCancelOrder(orderId: number): void {
    const o = this.orders.get(orderId);
    const target = o ? this.sessionOfClient(o.clientId) : undefined;
    if (!o) {
      for (const s of this.started()) this.send(s, errMsg(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`));
      return;
    }
    if (!OPEN_STATUSES.has(o.status)) {
      if (target) this.send(target, errMsg(orderId, 161, `Cancel attempted when order is not in a cancellable state.  Order permId =${o.permId}`));
      return;
    }
    o.status = 'Cancelled';
    if (target) {
      this.send(target, orderStatus(o));
      this.send(target, errMsg(orderId, 202, 'Order Canceled - reason:'));
    }
    this.notify();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Resolves when `predicate` holds (checked after every client message or state change). */
  async waitFor(predicate: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`fake TWS: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Client messages with this outgoing id (e.g. OUT.REQ_MKT_DATA). */
  requests(msgId: number): ClientMessage[] {
    return this.log.filter((m) => Number(m.fields[0]) === msgId);
  }

  findByConId(conId: number): FakeContract | undefined {
    return this.contracts.find((c) => c.conId === conId);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private started(): Session[] {
    return [...this.sessions.values()].filter((s) => s.started && !s.socket.destroyed);
  }

  private sessionOfClient(clientId: number): Session | undefined {
    return this.started().find((s) => s.clientId === clientId);
  }

  private toMktDataLines(conId: number, send: (s: Session, tickerId: number) => void): number {
    let reached = 0;
    for (const s of this.started()) {
      for (const [tickerId, c] of s.mktData) {
        if (c.conId !== conId) continue;
        send(s, tickerId);
        reached++;
      }
    }
    return reached;
  }

  private replay(s: Session, interaction: string): void {
    for (const b of this.recording.responses(interaction)) this.send(s, b);
  }

  private send(s: Session, body: string): void {
    if (!s.socket.destroyed) s.socket.write(frameBody(body));
  }

  /**
   * Contract matching as TWS does for a request's contract fields
   * [conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange,
   * primaryExch, currency, localSymbol, tradingClass]: conId wins; otherwise every given field
   * must agree, and SMART matches any exchange.
   */
  private match(f: string[]): FakeContract[] {
    const [conId, symbol, secType, expiry, , , multiplier, exchange, , currency, localSymbol] = f;
    if (conId && Number(conId) > 0) return this.contracts.filter((c) => c.conId === Number(conId));
    return this.contracts.filter(
      (c) =>
        (!symbol || c.symbol.toUpperCase() === symbol.toUpperCase()) &&
        (!secType || c.secType === secType) &&
        (!expiry || c.lastTradeDateOrContractMonth.startsWith(expiry)) &&
        (!multiplier || Number(c.multiplier) === Number(multiplier)) &&
        (!exchange || exchange === 'SMART' || c.exchange === exchange || c.primaryExch === exchange) &&
        (!currency || c.currency === currency) &&
        (!localSymbol || c.localSymbol === localSymbol) &&
        Boolean(symbol || localSymbol),
    );
  }
}
