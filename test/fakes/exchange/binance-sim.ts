import type { ExchangeServer, RecordedRequest, WsConnection } from './exchange-server.js';
import type { RecordedFrame } from './recordings.js';
import { binanceTopic } from './ws-protocols.js';

/**
 * Binance (USDⓈ-M or spot) behind the fake server, driven by a real hftbacktest recording:
 * the websocket frames are replayed as recorded, and REST answers what the venue would know at
 * that point of the replay — the recorded depth snapshot, and the recorded trades up to the
 * replay's "now" for /historicalTrades and /trades (REST rows are the recorded @trade frames in
 * Binance's REST field names: t→id, p→price, q→qty, T→time, m→isBuyerMaker; quoteQty = p×q).
 *
 * The USDⓈ-M account side (orders, fills, listen key, ORDER_TRADE_UPDATE) has no recording; it is
 * built from Binance's documented shapes, with ccxt's recorded swap order body as the template.
 */

interface RestTrade {
  id: number;
  price: string;
  qty: string;
  quoteQty: string;
  time: number;
  isBuyerMaker: boolean;
  isBestMatch?: boolean;
}

export interface SimOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: string;
  timeInForce: string;
  price: string;
  origQty: string;
  executedQty: string;
  cumQuote: string;
  avgPrice: string;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED';
  time: number;
  updateTime: number;
}

export interface SimFill {
  id: number;
  orderId: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  realizedPnl: string;
  marginAsset: string;
  time: number;
  positionSide: string;
  maker: boolean;
  buyer: boolean;
}

/** How the fake answers POST /order: normally, or one of the ways venues leave a client in doubt. */
export type OrderFault = 'none' | 'reject-503' | 'place-then-stall' | 'place-then-503';

const DECIMALS = (s: string) => (s.split('.')[1] ?? '').length;

export class BinanceSim {
  /** Index into `frames` of the next frame to replay. */
  cursor = 0;
  readonly tradeFrames: RecordedFrame[];
  readonly orders = new Map<number, SimOrder>();
  readonly fills: SimFill[] = [];
  orderFault: OrderFault = 'none';
  private readonly restTrades: RestTrade[] = [];
  /** Trades whose recorded time the replay has passed: what REST history knows. */
  private knownTradeCount = 0;
  private nextOrderId = 900_000_001;
  private nextFillId = 500_000_001;
  private readonly prefix: string;
  private readonly snapshot: string | null;

  constructor(
    private readonly server: ExchangeServer,
    readonly frames: RecordedFrame[],
    readonly market: 'usdm' | 'spot',
  ) {
    this.prefix = market === 'usdm' ? '/fapi/v1' : '/api/v3';
    this.tradeFrames = frames.filter((f) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade');
    for (const f of this.tradeFrames) {
      const d = f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean };
      const quote = (Number(d.p) * Number(d.q)).toFixed(DECIMALS(d.p) + DECIMALS(d.q));
      const row: RestTrade = { id: d.t, price: d.p, qty: d.q, quoteQty: quote, time: d.T, isBuyerMaker: d.m };
      if (market === 'spot') row.isBestMatch = true;
      this.restTrades.push(row);
    }
    this.snapshot = frames.find((f) => 'lastUpdateId' in f.json)?.text ?? null;
    this.install();
  }

  /** Trade ids of the recording, in order (the oracle for "every trade once"). */
  recordedTradeIds(): string[] {
    return this.restTrades.map((t) => String(t.id));
  }

  /**
   * Replays frames [cursor, toIndex) to the subscribed sockets, yielding to the event loop every
   * `batch` frames so ccxt reads them as a venue would send them, not as one burst.
   */
  async play(toIndex: number, opts: { only?: (f: RecordedFrame) => boolean; batch?: number } = {}): Promise<void> {
    const batch = opts.batch ?? 50;
    let sent = 0;
    for (; this.cursor < Math.min(toIndex, this.frames.length); this.cursor++) {
      const f = this.frames[this.cursor]!;
      this.noteHappened(f);
      if (opts.only && !opts.only(f)) continue;
      const stream = f.json['stream'];
      if (typeof stream !== 'string') continue;
      this.server.publish(binanceTopic(stream), f.text);
      if (++sent % batch === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Frames [cursor, toIndex) happen at the venue but reach nobody (the socket is down). */
  skip(toIndex: number): void {
    for (; this.cursor < Math.min(toIndex, this.frames.length); this.cursor++) this.noteHappened(this.frames[this.cursor]!);
  }

  /** The whole recording has happened (history tests ask REST about all of it). */
  revealAll(): void {
    this.knownTradeCount = this.restTrades.length;
  }

  /** Index of the frame holding the n-th recorded trade. */
  indexOfTrade(n: number): number {
    return this.frames.indexOf(this.tradeFrames[n]!);
  }

  /** The venue fills (part of) an order: the fill goes to REST history and, if connected, the user stream. */
  fill(clientOrderId: string, qty: number, price: number): SimFill {
    const order = [...this.orders.values()].find((o) => o.clientOrderId === clientOrderId);
    if (!order) throw new Error(`no simulated order ${clientOrderId}`);
    const now = Date.now();
    const prevQty = Number(order.executedQty);
    const newQty = prevQty + qty;
    const priceDp = DECIMALS(order.price) || 2;
    order.executedQty = newQty.toFixed(3);
    order.cumQuote = (Number(order.cumQuote) + qty * price).toFixed(5);
    order.avgPrice = (Number(order.cumQuote) / newQty).toFixed(priceDp);
    order.status = newQty + 1e-12 >= Number(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = now;
    const fill: SimFill = {
      id: this.nextFillId++,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      price: price.toFixed(priceDp),
      qty: qty.toFixed(3),
      quoteQty: (qty * price).toFixed(5),
      commission: (qty * price * 0.0004).toFixed(8),
      commissionAsset: 'USDT',
      realizedPnl: '0',
      marginAsset: 'USDT',
      time: now,
      positionSide: 'BOTH',
      maker: false,
      buyer: order.side === 'BUY',
    };
    this.fills.push(fill);
    this.pushOrderUpdate(order, 'TRADE', fill);
    return fill;
  }

  private noteHappened(f: RecordedFrame): void {
    if ((f.json['data'] as { e?: string } | undefined)?.e === 'trade') this.knownTradeCount += 1;
  }

  private known(): RestTrade[] {
    return this.restTrades.slice(0, this.knownTradeCount);
  }

  private params(req: RecordedRequest): URLSearchParams {
    const p = new URLSearchParams(req.query);
    if (req.body && !req.body.startsWith('{')) for (const [k, v] of new URLSearchParams(req.body)) p.set(k, v);
    return p;
  }

  private install(): void {
    const s = this.server;
    const p = this.prefix;
    if (this.snapshot) s.route('GET', `${p}/depth`, () => ({ body: this.snapshot! }));
    s.route('GET', `${p}/historicalTrades`, (req) => {
      const fromId = Number(req.query.get('fromId') ?? '0');
      const limit = Math.min(Number(req.query.get('limit') ?? '500'), 1000);
      return { body: this.known().filter((t) => t.id >= fromId).slice(0, limit) };
    });
    s.route('GET', `${p}/trades`, (req) => {
      const limit = Math.min(Number(req.query.get('limit') ?? '500'), 1000);
      const known = this.known();
      return { body: known.slice(Math.max(0, known.length - limit)) };
    });
    // History: aggTrades 1:1 from the recorded raw trades (a = t), klines aggregated from them.
    s.route('GET', `${p}/aggTrades`, (req) => {
      const q = req.query;
      const start = Number(q.get('startTime') ?? '0');
      const end = Number(q.get('endTime') ?? String(Number.MAX_SAFE_INTEGER));
      const fromId = q.get('fromId') === null ? -1 : Number(q.get('fromId'));
      if (q.get('startTime') && q.get('endTime') && end - start > 3_600_000) return { status: 400, body: { code: -1127, msg: 'More than 1 hours between startTime and endTime.' } };
      const limit = Math.min(Number(q.get('limit') ?? '500'), 1000);
      const matching = this.known().filter((t) => t.time >= start && t.time <= end && t.id >= fromId);
      // Without startTime or fromId Binance answers the most recent trades.
      const page = q.get('startTime') === null && q.get('fromId') === null ? matching.slice(-limit) : matching.slice(0, limit);
      const rows = page
        .map((t) => ({ a: t.id, p: t.price, q: t.qty, f: t.id, l: t.id, T: t.time, m: t.isBuyerMaker }));
      return { body: rows };
    });
    s.route('GET', `${p}/klines`, (req) => ({ body: this.klines(req.query) }));
    if (this.market !== 'usdm') return;

    s.route('POST', '/fapi/v1/listenKey', () => ({ body: { listenKey: 'fake-listen-key' } }));
    s.route('PUT', '/fapi/v1/listenKey', () => ({ body: {} }));
    s.route('POST', '/fapi/v1/order', (req) => this.createOrder(this.params(req)));
    s.route('GET', '/fapi/v1/order', (req) => {
      const q = this.params(req);
      const order = this.findOrder(q);
      return order ? { body: this.orderBody(order) } : { status: 400, body: { code: -2013, msg: 'Order does not exist.' } };
    });
    s.route('DELETE', '/fapi/v1/order', (req) => {
      const order = this.findOrder(this.params(req));
      if (!order) return { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
      if (order.status === 'FILLED' || order.status === 'CANCELED') return { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
      order.status = 'CANCELED';
      order.updateTime = Date.now();
      this.pushOrderUpdate(order, 'CANCELED', null);
      return { body: this.orderBody(order) };
    });
    s.route('DELETE', '/fapi/v1/allOpenOrders', () => {
      for (const o of this.orders.values()) {
        if (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') {
          o.status = 'CANCELED';
          o.updateTime = Date.now();
          this.pushOrderUpdate(o, 'CANCELED', null);
        }
      }
      return { body: { code: 200, msg: 'The operation of cancel all open order is done.' } };
    });
    s.route('GET', '/fapi/v1/openOrders', () => ({ body: [...this.orders.values()].filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').map((o) => this.orderBody(o)) }));
    s.route('GET', '/fapi/v1/userTrades', (req) => {
      const q = this.params(req);
      const start = Number(q.get('startTime') ?? '0');
      return { body: this.fills.filter((f) => f.time >= start && (!q.get('symbol') || f.symbol === q.get('symbol'))) };
    });
    // Binance's documented leverage brackets (ccxt reads them to parse positions and account updates).
    s.route('GET', '/fapi/v1/leverageBracket', () => ({
      body: [{ symbol: 'BTCUSDT', brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] }],
    }));
    s.route('POST', '/fapi/v1/marginType', () => ({ body: { code: 200, msg: 'success' } }));
    s.route('POST', '/fapi/v1/positionSide/dual', () => ({ body: { code: 200, msg: 'success' } }));
    s.route('POST', '/fapi/v1/leverage', (req) => {
      const q = this.params(req);
      return { body: { leverage: Number(q.get('leverage')), maxNotionalValue: '1000000', symbol: q.get('symbol') } };
    });
    s.onWsConnect((conn: WsConnection) => {
      if (conn.path.includes('listenKey=')) conn.topics.add('user');
    });
  }

  /** 1m klines built from the recorded trades, in Binance's kline row layout. */
  private klines(q: URLSearchParams): unknown[][] {
    if (q.get('interval') !== '1m') return [];
    const start = Number(q.get('startTime') ?? '0');
    const end = Number(q.get('endTime') ?? String(Number.MAX_SAFE_INTEGER));
    const limit = Math.min(Number(q.get('limit') ?? '500'), 1500);
    const byMinute = new Map<number, RestTrade[]>();
    for (const t of this.known()) {
      const m = Math.floor(t.time / 60_000) * 60_000;
      if (m < start || m > end) continue;
      if (!byMinute.has(m)) byMinute.set(m, []);
      byMinute.get(m)!.push(t);
    }
    return [...byMinute.entries()]
      .sort((a, b) => a[0] - b[0])
      .slice(0, limit)
      .map(([m, ts]) => {
        const px = ts.map((t) => Number(t.price));
        const vol = ts.reduce((a, t) => a + Number(t.qty), 0);
        const quote = ts.reduce((a, t) => a + Number(t.price) * Number(t.qty), 0);
        const buys = ts.filter((t) => !t.isBuyerMaker);
        return [
          m,
          ts[0]!.price,
          String(Math.max(...px)),
          String(Math.min(...px)),
          ts.at(-1)!.price,
          vol.toFixed(3),
          m + 59_999,
          quote.toFixed(5),
          ts.length,
          buys.reduce((a, t) => a + Number(t.qty), 0).toFixed(3),
          buys.reduce((a, t) => a + Number(t.price) * Number(t.qty), 0).toFixed(5),
          '0',
        ];
      });
  }

  private findOrder(q: URLSearchParams): SimOrder | undefined {
    const byId = q.get('orderId');
    const byClient = q.get('origClientOrderId') ?? q.get('clientOrderId');
    return [...this.orders.values()].find((o) => (byId && String(o.orderId) === byId) || (byClient && o.clientOrderId === byClient));
  }

  private createOrder(q: URLSearchParams) {
    const fault = this.orderFault;
    if (fault === 'reject-503') return { status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } };
    const clientOrderId = q.get('newClientOrderId') ?? `auto-${this.nextOrderId}`;
    if ([...this.orders.values()].some((o) => o.clientOrderId === clientOrderId)) return { status: 400, body: { code: -4116, msg: 'ClientOrderId is duplicated.' } };
    const now = Date.now();
    const order: SimOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      symbol: q.get('symbol') ?? '',
      side: (q.get('side') ?? 'BUY') as 'BUY' | 'SELL',
      type: q.get('type') ?? 'LIMIT',
      timeInForce: q.get('timeInForce') ?? 'GTC',
      price: q.get('price') ?? '0',
      origQty: q.get('quantity') ?? '0',
      executedQty: '0.000',
      cumQuote: '0.00000',
      avgPrice: '0.00',
      status: 'NEW',
      time: now,
      updateTime: now,
    };
    this.orders.set(order.orderId, order);
    this.pushOrderUpdate(order, 'NEW', null);
    if (fault === 'place-then-stall') return { stall: true };
    if (fault === 'place-then-503') return { status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } };
    return { body: this.orderBody(order) };
  }

  /** ccxt's recorded swap order body (binance.json, "swap open order") with this order's values. */
  private orderBody(o: SimOrder) {
    return {
      orderId: o.orderId,
      symbol: o.symbol,
      status: o.status,
      clientOrderId: o.clientOrderId,
      price: o.price,
      avgPrice: o.avgPrice,
      origQty: o.origQty,
      executedQty: o.executedQty,
      cumQty: o.executedQty,
      cumQuote: o.cumQuote,
      timeInForce: o.timeInForce,
      type: o.type,
      reduceOnly: false,
      closePosition: false,
      side: o.side,
      positionSide: 'BOTH',
      stopPrice: '0.00',
      workingType: 'CONTRACT_PRICE',
      priceProtect: false,
      origType: o.type,
      priceMatch: 'NONE',
      selfTradePreventionMode: 'NONE',
      goodTillDate: 0,
      time: o.time,
      updateTime: o.updateTime,
    };
  }

  /** Binance's documented ORDER_TRADE_UPDATE user-data event. */
  private pushOrderUpdate(o: SimOrder, execType: 'NEW' | 'TRADE' | 'CANCELED', fill: SimFill | null): void {
    const now = Date.now();
    const event = {
      e: 'ORDER_TRADE_UPDATE',
      E: now,
      T: now,
      o: {
        s: o.symbol,
        c: o.clientOrderId,
        S: o.side,
        o: o.type,
        f: o.timeInForce,
        q: o.origQty,
        p: o.price,
        ap: o.avgPrice,
        sp: '0',
        x: execType,
        X: o.status,
        i: o.orderId,
        l: fill ? fill.qty : '0',
        z: o.executedQty,
        L: fill ? fill.price : '0',
        N: 'USDT',
        n: fill ? fill.commission : '0',
        T: fill ? fill.time : o.updateTime,
        t: fill ? fill.id : 0,
        b: '0',
        a: '0',
        m: false,
        R: false,
        wt: 'CONTRACT_PRICE',
        ot: o.type,
        ps: 'BOTH',
        cp: false,
        rp: '0',
        pP: false,
        si: 0,
        ss: 0,
        V: 'NONE',
        pm: 'NONE',
        gtd: 0,
      },
    };
    this.server.publish('user', JSON.stringify(event));
  }
}
