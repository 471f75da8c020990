/**
 * Which trade ids each instrument has already seen, so trades repeated by a reconnect replay are
 * dropped. Venue ids rise by one per trade (Binance trade and aggTrade ids), so the seen set is kept
 * as [min, max] minus a short list of gaps: in-order trades cost one comparison (`id === max + 1`,
 * done inline by the callers' hot loops, which keep `max` next to their other per-instrument state
 * and pass it in); only out-of-order ids touch the gap list.
 *
 * Gaps are bounded per instrument (`maxGaps`). When a venue's ids are sparse every trade opens a
 * gap; past the bound the oldest (lowest) gaps are forgotten, and a trade later arriving into a
 * forgotten gap is treated as a duplicate. That trade would be far older than any grace period.
 */
export class TradeIdLedger {
  private min: Float64Array;
  /** Sorted, disjoint [lo, hi] pairs of unseen ids inside [min, max], flattened. */
  private gaps: (number[] | undefined)[] = [];
  forgottenGaps = 0;

  constructor(
    capacity: number,
    private readonly maxGaps = 4096,
  ) {
    this.min = new Float64Array(capacity).fill(Infinity);
  }

  grow(capacity: number): void {
    const min = new Float64Array(capacity).fill(Infinity);
    min.set(this.min);
    this.min = min;
  }

  get byteLength(): number {
    return this.min.byteLength;
  }

  /**
   * Records `id` for `slot`, whose highest id so far is `max` (-Infinity: none); false when it was
   * seen before. When `id > max` the caller makes `id` its new max. Ids must be integers ≥ 0.
   */
  admit(slot: number, id: number, max: number): boolean {
    if (id > max) {
      if (max === -Infinity) this.min[slot] = id;
      else if (id > max + 1) this.addGap(slot, max + 1, id - 1, true);
      return true;
    }
    const min = this.min[slot]!;
    if (id < min) {
      if (id < min - 1) this.addGap(slot, id + 1, min - 1, false);
      this.min[slot] = id;
      return true;
    }
    return this.fillGap(slot, id);
  }

  private addGap(slot: number, lo: number, hi: number, atTop: boolean): void {
    let g = this.gaps[slot];
    if (!g) this.gaps[slot] = g = [];
    if (atTop) g.push(lo, hi);
    else g.unshift(lo, hi);
    if (g.length > this.maxGaps * 2) {
      const drop = this.maxGaps; // half the pairs: amortised O(1) per gap
      g.splice(0, drop);
      this.forgottenGaps += drop / 2;
    }
  }

  /** True (and the id marked seen) when `id` lies in a gap. */
  private fillGap(slot: number, id: number): boolean {
    const g = this.gaps[slot];
    if (!g || g.length === 0) return false;
    // Binary search on the pair whose lo ≤ id.
    let a = 0;
    let b = g.length / 2 - 1;
    let found = -1;
    while (a <= b) {
      const mid = (a + b) >> 1;
      if (g[mid * 2]! <= id) {
        found = mid;
        a = mid + 1;
      } else b = mid - 1;
    }
    if (found < 0) return false;
    const lo = g[found * 2]!;
    const hi = g[found * 2 + 1]!;
    if (id > hi) return false;
    if (lo === hi) g.splice(found * 2, 2);
    else if (id === lo) g[found * 2] = lo + 1;
    else if (id === hi) g[found * 2 + 1] = hi - 1;
    else g.splice(found * 2, 2, lo, id - 1, id + 1, hi);
    return true;
  }

  /** Lowest id seen for `slot` (Infinity when none). */
  minOf(slot: number): number {
    return this.min[slot]!;
  }

  /** Number of unseen ids remembered for `slot` (tests and diagnostics). */
  gapCount(slot: number): number {
    return (this.gaps[slot]?.length ?? 0) / 2;
  }
}
