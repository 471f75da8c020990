import type { Instrument, OrderBook, OrderSide, QuoteTick } from '../../../shared/model/index.js';
import { Steps } from './steps.js';

/** [price, size]; bids best (highest) first, asks best (lowest) first. */
type Level = [number, number];

export interface BookSlice {
  price: number;
  quantity: number;
}

export interface WalkResult {
  slices: BookSlice[];
  quantity: number;
  notional: number;
}

export interface SyntheticDepth {
  levelTicks: number;
  maxLevels: number;
}

/**
 * The paper venue's view of one instrument's market: the last L2 book and/or top of book, and the
 * last trade price. Takers consume liquidity here, and what they took stays gone until the next
 * book or quote replaces it — two market orders in a row do not both get the touch.
 *
 * With a full book (an `OrderBook` was seen), a taker only ever fills at levels that existed; a quote
 * arriving later refreshes the top of that book and keeps the deeper levels. With only quotes, the
 * levels beyond the touch are synthetic (see `SyntheticDepth`): that is the documented guess.
 */
export class PaperBook {
  private bids: Level[] = [];
  private asks: Level[] = [];
  private depthKnown = false;
  private syntheticBids = false;
  private syntheticAsks = false;
  private lastTrade: number | null = null;
  readonly ticks: Steps;
  readonly lots: Steps;

  constructor(
    readonly instrument: Instrument,
    private readonly synthetic: SyntheticDepth,
  ) {
    this.ticks = new Steps(instrument.tickSize);
    this.lots = new Steps(instrument.lotSize);
  }

  /** True once a quote or book gave at least one side: what a market order needs. */
  hasQuote(): boolean {
    return this.bids.length > 0 || this.asks.length > 0;
  }

  hasDepth(): boolean {
    return this.depthKnown;
  }

  lastTradePrice(): number | null {
    return this.lastTrade;
  }

  bestBid(): number | null {
    return this.bids[0]?.[0] ?? null;
  }

  bestAsk(): number | null {
    return this.asks[0]?.[0] ?? null;
  }

  /** Mark price for PnL: last trade, else mid, else the one side known. */
  markPrice(): number | null {
    if (this.lastTrade !== null) return this.lastTrade;
    const bid = this.bestBid();
    const ask = this.bestAsk();
    if (bid !== null && ask !== null) return (bid + ask) / 2;
    return bid ?? ask;
  }

  applyTrade(price: number): void {
    this.lastTrade = price;
  }

  applyBook(book: OrderBook): void {
    this.bids = book.bids.filter(([p, s]) => p > 0 && s > 0).map(([p, s]): Level => [p, s]).sort((a, b) => b[0] - a[0]);
    this.asks = book.asks.filter(([p, s]) => p > 0 && s > 0).map(([p, s]): Level => [p, s]).sort((a, b) => a[0] - b[0]);
    this.depthKnown = true;
    this.syntheticBids = false;
    this.syntheticAsks = false;
  }

  applyQuote(q: QuoteTick): void {
    if (this.depthKnown) {
      this.mergeTop(this.bids, q.bid, q.bidSize, 'bid');
      this.mergeTop(this.asks, q.ask, q.askSize, 'ask');
      return;
    }
    this.bids = q.bid > 0 && q.bidSize > 0 ? [[q.bid, q.bidSize]] : [];
    this.asks = q.ask > 0 && q.askSize > 0 ? [[q.ask, q.askSize]] : [];
    this.syntheticBids = false;
    this.syntheticAsks = false;
  }

  /**
   * Displayed size at `price` on the side a resting order of `side` joins — the queue ahead of it.
   * Zero when the price improves the market or lies beyond the known top of book.
   */
  displayedAt(side: OrderSide, price: number): number {
    const levels = side === 'buy' ? this.bids : this.asks;
    const limit = side === 'buy' ? this.syntheticBids : this.syntheticAsks;
    const known = limit ? levels.slice(0, 1) : levels;
    const level = known.find(([p]) => this.ticks.equal(p, price));
    return level ? level[1] : 0;
  }

  /** What a taker on `side` would get for `quantity` (up to `limitPrice`), without consuming it. */
  preview(side: OrderSide, quantity: number, limitPrice?: number): WalkResult {
    return this.walk(side, quantity, limitPrice, false);
  }

  /** Take liquidity: the levels consumed stay consumed until the next book or quote. */
  take(side: OrderSide, quantity: number, limitPrice?: number): WalkResult {
    return this.walk(side, quantity, limitPrice, true);
  }

  private walk(side: OrderSide, quantity: number, limitPrice: number | undefined, consume: boolean): WalkResult {
    const levels = side === 'buy' ? this.asks : this.bids;
    this.ensureSynthetic(side);
    const slices: BookSlice[] = [];
    let remaining = this.lots.floor(quantity);
    let filled = 0;
    let notional = 0;
    for (const level of levels) {
      if (remaining <= 0) break;
      const [price, size] = level;
      if (limitPrice !== undefined && (side === 'buy' ? price > limitPrice + this.ticks.tolerance : price < limitPrice - this.ticks.tolerance)) break;
      const take = Math.min(remaining, this.lots.floor(size));
      if (take <= 0) continue;
      slices.push({ price, quantity: take });
      filled = this.lots.round(filled + take);
      notional += take * price;
      remaining = this.lots.round(remaining - take);
      if (consume) level[1] = size - take;
    }
    if (consume) {
      const rest = levels.filter(([, size]) => this.lots.floor(size) > 0);
      if (side === 'buy') this.asks = rest;
      else this.bids = rest;
    }
    return { slices, quantity: filled, notional };
  }

  /** Only-top-of-book: lay the documented synthetic levels behind the touch the first time a taker needs them. */
  private ensureSynthetic(side: OrderSide): void {
    if (this.depthKnown) return;
    const levels = side === 'buy' ? this.asks : this.bids;
    const done = side === 'buy' ? this.syntheticAsks : this.syntheticBids;
    if (done || levels.length === 0) return;
    const [touchPrice, touchSize] = levels[0]!;
    const size = Math.max(touchSize, this.instrument.lotSize);
    const direction = side === 'buy' ? 1 : -1;
    for (let k = 1; k <= this.synthetic.maxLevels; k += 1) {
      const price = this.ticks.round(touchPrice + direction * k * this.synthetic.levelTicks * this.instrument.tickSize);
      if (price <= 0) break;
      levels.push([price, size]);
    }
    if (side === 'buy') this.syntheticAsks = true;
    else this.syntheticBids = true;
  }

  private mergeTop(levels: Level[], price: number, size: number, kind: 'bid' | 'ask'): void {
    if (!(price > 0)) return;
    const better = (p: number): boolean => (kind === 'bid' ? p > price : p < price);
    while (levels.length > 0 && better(levels[0]![0]) && !this.ticks.equal(levels[0]![0], price)) levels.shift();
    const top = levels[0];
    if (top && this.ticks.equal(top[0], price)) {
      if (size > 0) top[1] = size;
      else levels.shift();
    } else if (size > 0) {
      levels.unshift([price, size]);
    }
  }
}
