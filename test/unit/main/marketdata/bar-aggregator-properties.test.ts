import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../../shared/model/market.js';
import { BarAggregator } from '../../../../main/marketdata/bar-aggregator.js';
import { parseInterval } from '../../../../main/marketdata/bar-interval.js';
import { rollUpBars } from '../../../../main/marketdata/roll-up-bars.js';
import { TradeWindowStore } from '../../../../main/marketdata/trade-window-store.js';
import { CollectingBarSink } from '../../../support/collecting-bar-sink.js';

// Prices are multiples of 1/4 and quantities of 1/16, so every product and sum is exact in a double
// and bars can be compared with toEqual whatever order the additions happened in.
interface T {
  instrumentId: string;
  tradeId: number;
  tsMs: number;
  price: number;
  qty: number;
  isBuyerMaker: boolean;
}

const DAY = Date.UTC(2024, 2, 1);
const SPAN_MS = 9 * 3_600_000;
const INSTRUMENTS = ['SIM:A/USDT', 'SIM:B/USDT', 'SIM:C/USDT'];

const tradesArb = fc
  .array(
    fc.record({
      inst: fc.integer({ min: 0, max: 2 }),
      // Many trades share a millisecond or sit exactly on a window boundary: ties are where order rules bite.
      dt: fc.oneof(
        fc.integer({ min: 0, max: SPAN_MS }),
        fc.integer({ min: 0, max: 12 }).map((k) => k * 300_000),
        fc.integer({ min: 0, max: SPAN_MS / 60_000 }).map((k) => k * 60_000 - (k % 2)),
      ),
      k: fc.integer({ min: 4, max: 4000 }),
      j: fc.integer({ min: 1, max: 1600 }),
      m: fc.boolean(),
    }),
    { minLength: 1, maxLength: 300, size: 'medium' },
  )
  .map((raw) => {
    const sorted = [...raw].sort((a, b) => a.dt - b.dt);
    const nextId = [1000, 5000, 9000];
    return sorted.map<T>((r) => ({
      instrumentId: INSTRUMENTS[r.inst]!,
      tradeId: nextId[r.inst]!++,
      tsMs: DAY + r.dt,
      price: r.k / 4,
      qty: r.j / 16,
      isBuyerMaker: r.m,
    }));
  });

function run(trades: readonly T[], intervals: string[], opts: { baseInterval?: string; graceMs?: number } = {}): CollectingBarSink {
  const sink = new CollectingBarSink();
  const agg = new BarAggregator({ intervals, graceMs: opts.graceMs ?? 0, sink, ...(opts.baseInterval ? { baseInterval: opts.baseInterval } : {}) });
  for (const t of trades) agg.addTrade(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker);
  agg.flush();
  expect(sink.rejections).toEqual([]);
  return sink;
}

const sum = (bars: Bar[], f: (b: Bar) => number): number => bars.reduce((a, b) => a + f(b), 0);

describe('BarAggregator properties', () => {
  it('rolled-up 1h and 4h bars equal bars aggregated directly from the trades at 1h and 4h', () => {
    fc.assert(
      fc.property(tradesArb, (trades) => {
        const rolled = run(trades, ['5m', '1h', '4h']);
        const direct1h = run(trades, ['1h'], { baseInterval: '1h' });
        const direct4h = run(trades, ['4h'], { baseInterval: '4h' });
        expect(rolled.bars('1h')).toEqual(direct1h.bars('1h'));
        expect(rolled.bars('4h')).toEqual(direct4h.bars('4h'));
        // And rolling the emitted 5m bars as objects gives the same again.
        for (const id of INSTRUMENTS) {
          expect(rollUpBars(rolled.bars('5m', id), '1h')).toEqual(rolled.bars('1h', id));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same bars when trades arrive permuted within their window', () => {
    fc.assert(
      fc.property(tradesArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 300, maxLength: 300 }), (trades, keys) => {
        const w = (t: T) => Math.floor(t.tsMs / 300_000);
        const permuted = trades.map((t, i) => ({ t, k: keys[i]! })).sort((a, b) => w(a.t) - w(b.t) || a.k - b.k).map((x) => x.t);
        const intervals = ['5m', '15m', '1h', '4h'];
        const inOrder = run(trades, intervals);
        const shuffled = run(permuted, intervals);
        for (const i of intervals) expect(shuffled.bars(i)).toEqual(inOrder.bars(i));
      }),
      { numRuns: 150 },
    );
  });

  it('conserves volumes, quote volumes and counts across intervals', () => {
    fc.assert(
      fc.property(tradesArb, (trades) => {
        const sink = run(trades, ['1m', '5m', '1h', '8h', '24h']);
        for (const id of INSTRUMENTS) {
          const mine = trades.filter((t) => t.instrumentId === id);
          const expected = {
            volume: mine.reduce((a, t) => a + t.qty, 0),
            quote: mine.reduce((a, t) => a + t.price * t.qty, 0),
            buy: mine.filter((t) => !t.isBuyerMaker).reduce((a, t) => a + t.qty, 0),
            count: mine.length,
          };
          for (const i of ['1m', '5m', '1h', '8h', '24h']) {
            const bars = sink.bars(i, id);
            expect({
              volume: sum(bars, (b) => b.volume),
              quote: sum(bars, (b) => b.quoteVolume),
              buy: sum(bars, (b) => b.buyVolume),
              count: sum(bars, (b) => b.tradeCount),
            }).toEqual(expected);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('ends with the in-order bars when trades arrive up to D ms late and grace ≥ D (corrections applied)', () => {
    fc.assert(
      fc.property(tradesArb, fc.integer({ min: 1, max: 600_000 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 300, maxLength: 300 }), (trades, delayMs, u) => {
        // Arrival = venue time + a delay up to delayMs; the earliest trade arrives first so no window predates the start.
        const arrivals = trades.map((t, i) => ({ t, at: t.tsMs + (i === 0 ? 0 : u[i]! * delayMs) })).sort((a, b) => a.at - b.at);
        const intervals = ['1m', '5m', '1h'];
        const late = run(
          arrivals.map((a) => a.t),
          intervals,
          { graceMs: delayMs },
        );
        const inOrder = run(trades, intervals);
        for (const i of intervals) expect(late.bars(i)).toEqual(inOrder.bars(i));
      }),
      { numRuns: 150 },
    );
  });

  it('a file store gives the streaming bars for any arrival order, and merges parts exactly', () => {
    fc.assert(
      fc.property(tradesArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 300, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (all, keys, cutAt) => {
        const trades = all.filter((t) => t.instrumentId === INSTRUMENTS[0]);
        fc.pre(trades.length > 0);
        const cut = Math.floor(cutAt * trades.length);
        const intervals = ['5m', '1h', '4h'].map(parseInterval);
        const shuffled = trades.map((t, i) => ({ t, k: keys[i]! })).sort((a, b) => a.k - b.k).map((x) => x.t);
        const fill = (store: TradeWindowStore, list: readonly T[]) =>
          store.addColumns(
            Float64Array.from(list, (t) => t.tsMs),
            Float64Array.from(list, (t) => t.tradeId),
            Float64Array.from(list, (t) => t.price),
            Float64Array.from(list, (t) => t.qty),
            Uint8Array.from(list, (t) => (t.isBuyerMaker ? 1 : 0)),
            0,
            list.length,
          );
        const one = new TradeWindowStore(300_000);
        fill(one, shuffled);
        const a = new TradeWindowStore(300_000);
        const b = new TradeWindowStore(300_000);
        fill(a, shuffled.slice(0, cut));
        fill(b, shuffled.slice(cut));
        a.merge(b);
        // The stream ends at the instrument's last trade here, so both cover the same windows.
        const streamed = run(trades, ['5m', '1h', '4h']);
        const fromOne = one.toBars(INSTRUMENTS[0]!, intervals);
        const fromMerged = a.toBars(INSTRUMENTS[0]!, intervals);
        for (const i of intervals) {
          expect(fromOne.get(i.label)).toEqual(streamed.bars(i.label));
          expect(fromMerged.get(i.label)).toEqual(streamed.bars(i.label));
        }
      }),
      { numRuns: 150 },
    );
  });
});
