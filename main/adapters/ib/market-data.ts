import type { OrderBook, QuoteTick, TradeTick } from '../../../shared/model/index.js';

export interface MarketDataSink {
  quote(q: QuoteTick): void;
  trade(t: TradeTick): void;
  book(b: OrderBook): void;
}

/** IB tick types (TickType in @stoqey/ib); the delayed ones arrive when marketDataType is 3/4. */
const TICK = { BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_SIZE: 5, D_BID: 66, D_ASK: 67, D_LAST: 68, D_BID_SIZE: 69, D_ASK_SIZE: 70, D_LAST_SIZE: 71 } as const;

interface QuoteLine {
  kind: 'quote';
  instrumentId: string;
  bid: number | null;
  ask: number | null;
  bidSize: number;
  askSize: number;
  last: number | null;
  prevTradePrice: number | null;
  prevSide: 'buy' | 'sell';
  quoteDirty: boolean;
  /** A LAST price waiting for the LAST_SIZE that @stoqey/ib emits right after it for the same message. */
  tradePrice: number | null;
  flushQueued: boolean;
}

interface DepthLine {
  kind: 'depth';
  instrumentId: string;
  rows: number;
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
  sequence: number;
  flushQueued: boolean;
}

/**
 * Assembles IB's field-by-field ticks into QuoteTicks, TradeTicks and OrderBooks.
 * @stoqey/ib turns one TICK_PRICE message into a tickPrice and a tickSize event, emitted in the
 * same turn; quotes and books are flushed in a microtask so one message yields one quote, not
 * two halves (ticks read in one socket chunk coalesce into the latest state).
 *
 * reqMktData has no trade ids, aggressor side or exchange time: a TradeTick is made from each
 * LAST price that carries its size (size-only LAST_SIZE updates are not new prints), its side by
 * the quote rule then the tick rule, its time the receive time, its id a per-gateway sequence.
 */
export class IbMarketData {
  private readonly lines = new Map<number, QuoteLine | DepthLine>();
  private tradeSeq = 0;

  constructor(
    private readonly sink: MarketDataSink,
    private readonly now: () => number,
    private readonly tradeIdPrefix: string,
  ) {}

  openQuotes(tickerId: number, instrumentId: string): void {
    this.lines.set(tickerId, {
      kind: 'quote', instrumentId, bid: null, ask: null, bidSize: 0, askSize: 0, last: null,
      prevTradePrice: null, prevSide: 'buy', quoteDirty: false, tradePrice: null, flushQueued: false,
    });
  }

  openDepth(tickerId: number, instrumentId: string, rows: number): void {
    this.lines.set(tickerId, { kind: 'depth', instrumentId, rows, bids: [], asks: [], sequence: 0, flushQueued: false });
  }

  close(tickerId: number): void {
    this.lines.delete(tickerId);
  }

  clear(): void {
    this.lines.clear();
  }

  instrumentOf(tickerId: number): string | undefined {
    return this.lines.get(tickerId)?.instrumentId;
  }

  tickPrice(tickerId: number, tickType: number, price: number | undefined): void {
    const line = this.quoteLine(tickerId);
    if (!line || price === undefined) return;
    // IB sends -1 (or 0) when a side has no price; that side is unknown, not zero.
    const value = price > 0 ? price : null;
    switch (tickType) {
      case TICK.BID:
      case TICK.D_BID:
        line.bid = value;
        line.quoteDirty = true;
        break;
      case TICK.ASK:
      case TICK.D_ASK:
        line.ask = value;
        line.quoteDirty = true;
        break;
      case TICK.LAST:
      case TICK.D_LAST:
        if (value === null) return;
        line.last = value;
        line.tradePrice = value;
        return;
      default:
        return;
    }
    this.queueFlush(tickerId, line);
  }

  tickSize(tickerId: number, tickType: number | undefined, size: number | undefined): void {
    const line = this.quoteLine(tickerId);
    if (!line || size === undefined || tickType === undefined) return;
    switch (tickType) {
      case TICK.BID_SIZE:
      case TICK.D_BID_SIZE:
        line.bidSize = Math.max(0, size);
        line.quoteDirty = true;
        break;
      case TICK.ASK_SIZE:
      case TICK.D_ASK_SIZE:
        line.askSize = Math.max(0, size);
        line.quoteDirty = true;
        break;
      case TICK.LAST_SIZE:
      case TICK.D_LAST_SIZE:
        // Emitted at once, not in the flush: several prints may arrive in one socket read.
        if (line.tradePrice !== null && size > 0) this.emitTrade(line, line.tradePrice, size);
        line.tradePrice = null;
        return;
      default:
        return;
    }
    this.queueFlush(tickerId, line);
  }

  /** MARKET_DEPTH / MARKET_DEPTH_L2 row operation: 0 insert, 1 update, 2 delete; side 0 ask, 1 bid. */
  depth(tickerId: number, position: number, operation: number, side: number, price: number, size: number | undefined): void {
    const line = this.lines.get(tickerId);
    if (!line || line.kind !== 'depth' || position < 0) return;
    const rows = side === 1 ? line.bids : line.asks;
    const row: [number, number] = [price, size ?? 0];
    if (operation === 0) rows.splice(Math.min(position, rows.length), 0, row);
    else if (operation === 1) rows[Math.min(position, rows.length)] = row;
    else if (operation === 2) rows.splice(position, 1);
    else return;
    if (rows.length > line.rows) rows.length = line.rows;
    this.queueFlush(tickerId, line);
  }

  /** TWS reset the book (error 317): start it again from empty. */
  resetDepth(tickerId: number): void {
    const line = this.lines.get(tickerId);
    if (!line || line.kind !== 'depth') return;
    line.bids = [];
    line.asks = [];
    this.queueFlush(tickerId, line);
  }

  private quoteLine(tickerId: number): QuoteLine | undefined {
    const line = this.lines.get(tickerId);
    return line?.kind === 'quote' ? line : undefined;
  }

  private queueFlush(tickerId: number, line: QuoteLine | DepthLine): void {
    if (line.flushQueued) return;
    line.flushQueued = true;
    queueMicrotask(() => {
      line.flushQueued = false;
      if (this.lines.get(tickerId) !== line) return;
      if (line.kind === 'quote') this.flushQuote(line);
      else this.flushDepth(line);
    });
  }

  private emitTrade(line: QuoteLine, price: number, quantity: number): void {
    const tsInit = this.now();
    const side = this.aggressor(line, price);
    line.prevTradePrice = price;
    line.prevSide = side;
    this.sink.trade({ instrumentId: line.instrumentId, tradeId: `${this.tradeIdPrefix}-${++this.tradeSeq}`, price, quantity, side, tsEvent: tsInit, tsInit });
  }

  private flushQuote(line: QuoteLine): void {
    const tsInit = this.now();
    if (line.quoteDirty && line.bid !== null && line.ask !== null) {
      line.quoteDirty = false;
      this.sink.quote({
        instrumentId: line.instrumentId,
        bid: line.bid,
        bidSize: line.bidSize,
        ask: line.ask,
        askSize: line.askSize,
        ...(line.last !== null ? { last: line.last } : {}),
        tsEvent: tsInit,
        tsInit,
      });
    }
  }

  private aggressor(line: QuoteLine, price: number): 'buy' | 'sell' {
    if (line.ask !== null && price >= line.ask) return 'buy';
    if (line.bid !== null && price <= line.bid) return 'sell';
    if (line.prevTradePrice !== null && price !== line.prevTradePrice) return price > line.prevTradePrice ? 'buy' : 'sell';
    return line.prevSide;
  }

  private flushDepth(line: DepthLine): void {
    this.sink.book({
      instrumentId: line.instrumentId,
      bids: line.bids.map(([p, s]) => [p, s] as [number, number]),
      asks: line.asks.map(([p, s]) => [p, s] as [number, number]),
      sequence: ++line.sequence,
      tsEvent: this.now(),
    });
  }
}
