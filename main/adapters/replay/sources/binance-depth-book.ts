import type { BinanceMarket } from './binance-symbols.js';
import type { BinanceDepthSnapshot, BinanceDepthUpdateFrame } from './binance-frames.js';

/**
 * A Binance L2 book rebuilt from a REST snapshot and the diff stream, by Binance's own rules:
 * diffs seen before the snapshot are buffered; diffs older than the snapshot are dropped; the first
 * one applied must straddle it (spot: U ≤ lastUpdateId+1 ≤ u; USDⓈ-M: U ≤ lastUpdateId ≤ u); after
 * that each diff must follow on (spot: U = previous u + 1; USDⓈ-M: pu = previous u). A break makes
 * the book unusable until the next snapshot — it is never guessed across a gap.
 */
export class BinanceDepthBook {
  private readonly bids = new BookSide('desc');
  private readonly asks = new BookSide('asc');
  private lastUpdateId: number | null = null;
  private previousU: number | null = null;
  private synced = false;
  private buffered: BinanceDepthUpdateFrame[] = [];
  /** Diffs that did not follow on from the previous one. */
  gaps = 0;

  constructor(
    private readonly market: BinanceMarket,
    private readonly maxBuffered = 10_000,
  ) {}

  isSynced(): boolean {
    return this.synced;
  }

  applySnapshot(snapshot: BinanceDepthSnapshot): boolean {
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
    this.lastUpdateId = snapshot.lastUpdateId;
    this.previousU = null;
    this.synced = false;
    const pending = this.buffered;
    this.buffered = [];
    for (const diff of pending) this.applyDiff(diff);
    return this.synced;
  }

  /** Returns true when the diff changed a synced book. */
  applyDiff(diff: BinanceDepthUpdateFrame): boolean {
    if (this.lastUpdateId === null) {
      this.buffered.push(diff);
      if (this.buffered.length > this.maxBuffered) this.buffered.shift();
      return false;
    }
    const first = this.market === 'spot' ? this.lastUpdateId + 1 : this.lastUpdateId;
    if (this.previousU === null) {
      if (diff.u < first) return false;
      if (diff.U > first) {
        this.breakSync();
        return false;
      }
    } else {
      const follows = this.market === 'spot' ? diff.U === this.previousU + 1 : (diff.pu ?? diff.U - 1) === this.previousU;
      if (!follows) {
        this.breakSync();
        return false;
      }
    }
    for (const [p, q] of diff.b) this.bids.set(p, q);
    for (const [p, q] of diff.a) this.asks.set(p, q);
    this.previousU = diff.u;
    this.synced = true;
    return true;
  }

  /** The best `depth` levels a side: bids highest first, asks lowest first. */
  top(depth: number): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return { bids: this.bids.top(depth), asks: this.asks.top(depth) };
  }

  private breakSync(): void {
    this.gaps += 1;
    this.synced = false;
    this.lastUpdateId = null;
    this.previousU = null;
  }
}

/** One side's levels: sizes by price, plus the prices kept sorted best first for cheap top-N reads. */
class BookSide {
  private readonly sizes = new Map<number, number>();
  private readonly prices: number[] = [];

  constructor(private readonly order: 'asc' | 'desc') {}

  clear(): void {
    this.sizes.clear();
    this.prices.length = 0;
  }

  /** Size 0 removes the level, as in Binance's diffs. */
  set(price: number, size: number): void {
    const known = this.sizes.has(price);
    if (size > 0) {
      this.sizes.set(price, size);
      if (!known) this.prices.splice(this.indexFor(price), 0, price);
    } else if (known) {
      this.sizes.delete(price);
      this.prices.splice(this.indexFor(price), 1);
    }
  }

  top(depth: number): Array<[number, number]> {
    return this.prices.slice(0, depth).map((p) => [p, this.sizes.get(p)!]);
  }

  /** First index whose price is not better than `price` (binary search). */
  private indexFor(price: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.prices[mid]!;
      if (this.order === 'asc' ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
