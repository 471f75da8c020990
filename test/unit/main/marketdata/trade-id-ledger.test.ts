import { describe, expect, it } from 'vitest';
import { TradeIdLedger } from '../../../../main/marketdata/trade-id-ledger.js';

/** Feeds ids the way the aggregator does: the caller keeps max. */
const maxOf = new WeakMap<TradeIdLedger, number>();
function feed(ledger: TradeIdLedger, ids: number[]): boolean[] {
  return ids.map((id) => {
    const max = maxOf.get(ledger) ?? -Infinity;
    const ok = ledger.admit(0, id, max);
    if (ok && id > max) maxOf.set(ledger, id);
    return ok;
  });
}

describe('TradeIdLedger', () => {
  it('accepts each id once in any order and remembers the holes', () => {
    const l = new TradeIdLedger(1);
    expect(feed(l, [10, 12, 15, 11, 11, 8, 9, 14, 13, 15, 7, 10])).toEqual([true, true, true, true, false, true, true, true, true, false, true, false]);
    expect(l.gapCount(0)).toBe(0);
    expect(l.minOf(0)).toBe(7);
  });

  it('forgets the oldest holes past its bound, counting them, so sparse ids stay cheap', () => {
    const l = new TradeIdLedger(1, 4);
    feed(l, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]); // every odd id is a hole
    expect(l.forgottenGaps).toBeGreaterThan(0);
    expect(l.gapCount(0)).toBeLessThanOrEqual(4 * 2);
    expect(feed(l, [19])).toEqual([true]); // a recent hole: still accepted
    expect(feed(l, [1, 17])).toEqual([false, true]); // an old, forgotten hole is treated as seen; a kept one is not
  });
});
