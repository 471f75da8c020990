import { describe, expect, it } from 'vitest';
import type { TradeTick } from '../../../../shared/model/market.js';
import { BarAggregator, numericTradeId, type BarAggregatorOptions } from '../../../../main/marketdata/bar-aggregator.js';
import { CollectingBarSink } from '../../../support/collecting-bar-sink.js';

const DAY = Date.UTC(2024, 0, 1);
const at = (h: number, m: number, s = 0, ms = 0): number => DAY + ((h * 60 + m) * 60 + s) * 1000 + ms;
const A = 'SIM:AAA/USDT';
const B = 'SIM:BBB/USDT';

function make(o: Partial<BarAggregatorOptions> = {}): { agg: BarAggregator; sink: CollectingBarSink } {
  const sink = new CollectingBarSink();
  const agg = new BarAggregator({ intervals: ['5m', '1h'], graceMs: 0, sink, ...o });
  return { agg, sink };
}

describe('BarAggregator: bar fields', () => {
  it('computes every seed-004 field of a 5m bar', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 0, 1), 100, 2, false); // taker buy
    agg.addTrade(A, 2, at(0, 1), 104, 1, true); // taker sell
    agg.addTrade(A, 3, at(0, 2), 98, 3, true);
    agg.addTrade(A, 4, at(0, 4, 59, 999), 101, 4, false);
    agg.advanceTo(at(0, 5));
    const [bar] = sink.bars('5m');
    expect(bar).toEqual({
      instrumentId: A,
      interval: '5m',
      openTime: at(0, 0),
      closeTime: at(0, 5) - 1,
      timeLabel: 1,
      open: 100,
      high: 104,
      low: 98,
      close: 101,
      volume: 10,
      quoteVolume: 200 + 104 + 294 + 404,
      tradeCount: 4,
      vwap: (200 + 104 + 294 + 404) / 10,
      buyVolume: 6,
      sellVolume: 4,
      buyQuoteVolume: 604,
      sellQuoteVolume: 398,
      final: true,
    });
  });

  it('numbers windows within the UTC day (time_label) and ends them 1 ms before the next', () => {
    const { agg, sink } = make({ intervals: ['5m', '1h', '24h'] });
    agg.addTrade(A, 1, at(23, 57), 10, 1, false);
    agg.advanceTo(at(24, 0));
    const last5 = sink.bars('5m')[0]!;
    expect([last5.timeLabel, last5.closeTime - last5.openTime]).toEqual([288, 299_999]);
    expect(sink.bars('1h')[0]!.timeLabel).toBe(24);
    const day = sink.bars('24h')[0]!;
    expect([day.openTime, day.closeTime, day.timeLabel]).toEqual([DAY, DAY + 86_400_000 - 1, 1]);
  });

  it('opens and closes by (time, trade id), whatever the arrival order', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 5, at(0, 2), 50, 1, false);
    agg.addTrade(A, 3, at(0, 1), 30, 1, false); // earlier time: becomes the open
    agg.addTrade(A, 9, at(0, 3), 90, 1, false);
    agg.addTrade(A, 8, at(0, 3), 80, 1, false); // same time, lower id: not the close
    agg.addTrade(A, 2, at(0, 1), 20, 1, false); // same time as the open, lower id: the new open
    agg.advanceTo(at(0, 5));
    const bar = sink.bars('5m')[0]!;
    expect([bar.open, bar.close, bar.high, bar.low, bar.tradeCount]).toEqual([20, 90, 90, 20, 5]);
  });

  it('orders trades without ids by arrival on equal times', () => {
    const { agg, sink } = make();
    agg.addTrade(A, -1, at(0, 1), 10, 1, false);
    agg.addTrade(A, -1, at(0, 1), 11, 1, false);
    agg.addTrade(A, -1, at(0, 1), 12, 1, false);
    agg.addTrade(A, -1, at(0, 1), 12, 1, false); // no id: nothing to de-duplicate on
    agg.advanceTo(at(0, 5));
    const bar = sink.bars('5m')[0]!;
    expect([bar.open, bar.close, bar.tradeCount]).toEqual([10, 12, 4]);
  });
});

describe('BarAggregator: empty windows and gaps', () => {
  it('gives an empty window o=h=l=c=previous close, zero volumes and count, vwap null', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(A, 2, at(0, 3), 105, 1, false);
    agg.addTrade(A, 3, at(0, 17), 99, 1, false);
    agg.advanceTo(at(0, 20));
    const bars = sink.bars('5m');
    expect(bars.map((b) => b.openTime)).toEqual([at(0, 0), at(0, 5), at(0, 10), at(0, 15)]);
    for (const empty of [bars[1]!, bars[2]!]) {
      expect(empty).toMatchObject({ open: 105, high: 105, low: 105, close: 105, volume: 0, quoteVolume: 0, tradeCount: 0, vwap: null, buyVolume: 0, sellVolume: 0, buyQuoteVolume: 0, sellQuoteVolume: 0 });
    }
  });

  it('fills a gap of hours with one empty bar per window and interval', () => {
    const { agg, sink } = make({ intervals: ['5m', '1h', '4h'] });
    agg.addTrade(A, 1, at(0, 30), 100, 1, false);
    agg.addTrade(A, 2, at(5, 10), 120, 2, true); // 4h40m later
    agg.advanceTo(at(8, 0));
    const fives = sink.bars('5m');
    expect(fives.length).toBe(90); // 00:30 .. 07:55
    expect(fives.filter((b) => b.tradeCount > 0).map((b) => b.openTime)).toEqual([at(0, 30), at(5, 10)]);
    expect(fives.filter((b) => b.openTime < at(5, 10) && b.tradeCount === 0).every((b) => b.close === 100 && b.vwap === null)).toBe(true);
    expect(fives.filter((b) => b.openTime > at(5, 10)).every((b) => b.close === 120)).toBe(true);
    const hours = sink.bars('1h');
    expect(hours.map((b) => [b.openTime, b.tradeCount, b.close])).toEqual([
      [at(0, 0), 1, 100],
      [at(1, 0), 0, 100],
      [at(2, 0), 0, 100],
      [at(3, 0), 0, 100],
      [at(4, 0), 0, 100],
      [at(5, 0), 1, 120],
      [at(6, 0), 0, 120],
      [at(7, 0), 0, 120],
    ]);
    expect(sink.bars('4h').map((b) => [b.openTime, b.open, b.close, b.volume])).toEqual([
      [at(0, 0), 100, 100, 1],
      [at(4, 0), 120, 120, 2], // opens at its first trade, not the carried close
    ]);
  });

  it('refuses a trade or heartbeat more than maxGapMs ahead of the venue clock', () => {
    const { agg, sink } = make({ maxGapMs: 3_600_000 });
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(A, 2, at(2, 0), 100, 1, false);
    expect(agg.advanceTo(at(5, 0))).toBe(false);
    expect(sink.rejections.map((r) => r.reason)).toEqual(['implausible_time']);
    expect(sink.events).toEqual([]); // nothing closed: the clock did not move
    expect(agg.venueTimeMs).toBe(at(0, 1));
  });
});

describe('BarAggregator: closing by venue time', () => {
  it('closes a window when venue time reaches its end, never before', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.advanceTo(at(0, 5) - 1);
    expect(sink.events).toEqual([]);
    agg.advanceTo(at(0, 5));
    expect(sink.kinds('final').map((b) => b.interval)).toEqual(['5m']);
  });

  it('closes a window when a later trade of another instrument arrives (one venue clock)', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(B, 1, at(0, 6), 7, 1, false);
    expect(sink.kinds('final').map((b) => [b.instrumentId, b.openTime])).toEqual([[A, at(0, 0)]]);
  });

  it('emits bars in interval order, then the completeness event, at a boundary', () => {
    const { agg, sink } = make({ universe: [A] });
    agg.addTrade(A, 1, at(0, 59), 100, 1, false);
    agg.advanceTo(at(1, 0));
    expect(sink.events.map((e) => e.bar.interval)).toEqual(['5m', '1h']);
    expect(sink.complete).toEqual([
      { interval: '5m', openTime: at(0, 55) },
      { interval: '1h', openTime: at(0, 0) },
    ]);
  });

  it('flush emits the open windows as final; later trades are refused', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(A, 2, at(0, 7), 101, 1, false);
    agg.flush();
    expect(sink.kinds('final').map((b) => [b.interval, b.openTime])).toEqual([
      ['5m', at(0, 0)],
      ['5m', at(0, 5)],
      ['1h', at(0, 0)],
    ]);
    // 00:00–00:05 ended (a later trade); the flushed windows did not, so no event for them.
    expect(sink.complete).toEqual([{ interval: '5m', openTime: at(0, 0) }]);
    agg.addTrade(A, 3, at(0, 8), 101, 1, false);
    expect(sink.rejections.map((r) => r.reason)).toEqual(['after_flush']);
  });
});

describe('BarAggregator: late trades', () => {
  it('re-emits the corrected bar (every interval whose window had closed) for a late trade within grace', () => {
    const { agg, sink } = make({ graceMs: 2_000 });
    agg.addTrade(A, 1, at(0, 59), 100, 1, false);
    agg.addTrade(A, 3, at(1, 0, 1), 103, 1, false); // closes 00:55 and 00:00-01:00
    agg.addTrade(A, 2, at(0, 59, 59, 900), 90, 5, true); // late by 1.1 s of venue time
    const corrections = sink.kinds('correction');
    expect(corrections.map((b) => b.interval)).toEqual(['5m', '1h']);
    for (const c of corrections) expect(c).toMatchObject({ low: 90, close: 90, volume: 6, tradeCount: 2, sellVolume: 5 });
    expect(agg.stats().corrections).toBe(2);
  });

  it('refuses a trade whose window ended more than graceMs ago and emits nothing', () => {
    const { agg, sink } = make({ graceMs: 2_000 });
    agg.addTrade(A, 1, at(0, 4), 100, 1, false);
    agg.addTrade(A, 3, at(0, 5, 2), 103, 1, false);
    agg.addTrade(A, 2, at(0, 4, 30), 90, 1, false);
    expect(sink.rejections.map((r) => r.reason)).toEqual(['late']);
    expect(sink.kinds('correction')).toEqual([]);
    expect(sink.bars('5m')[0]!.tradeCount).toBe(1);
  });

  it('adds a late trade to the still-open rolled window without a correction of it', () => {
    const { agg, sink } = make({ graceMs: 5_000 });
    agg.addTrade(A, 1, at(0, 4), 100, 1, false);
    agg.addTrade(A, 3, at(0, 5, 1), 103, 1, false);
    agg.addTrade(A, 2, at(0, 4, 59), 95, 1, false);
    expect(sink.kinds('correction').map((b) => b.interval)).toEqual(['5m']);
    agg.advanceTo(at(1, 0));
    const hour = sink.bars('1h')[0]!;
    expect([hour.open, hour.low, hour.close, hour.tradeCount]).toEqual([100, 95, 103, 3]);
  });

  it('carries a late close into the empty windows after it, and to the next empty bar', () => {
    const { agg, sink } = make({ intervals: ['1m'], graceMs: 180_000 });
    agg.addTrade(A, 1, at(0, 0, 10), 100, 1, false);
    agg.advanceTo(at(0, 3)); // 00:00 (trade), 00:01 and 00:02 (empty, close 100)
    agg.addTrade(A, 2, at(0, 0, 50), 111, 1, false); // late: the new close of 00:00
    expect(sink.kinds('correction').map((b) => [b.openTime, b.close])).toEqual([
      [at(0, 0), 111],
      [at(0, 1), 111],
      [at(0, 2), 111],
    ]);
    agg.advanceTo(at(0, 4));
    expect(sink.bars('1m').at(-1)).toMatchObject({ openTime: at(0, 3), open: 111, close: 111, tradeCount: 0 });
  });

  it('refuses a trade from before the first window it ever opened', () => {
    const { agg, sink } = make({ graceMs: 60_000 });
    agg.addTrade(A, 10, at(0, 5, 1), 100, 1, false);
    agg.addTrade(A, 9, at(0, 4, 59), 100, 1, false);
    expect(sink.rejections.map((r) => r.reason)).toEqual(['before_start']);
  });
});

describe('BarAggregator: duplicates and bad input', () => {
  it('drops trades repeated by id (a reconnect replay), in or out of order', () => {
    const { agg, sink } = make({ graceMs: 60_000 });
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(A, 2, at(0, 1, 1), 101, 1, false);
    agg.addTrade(A, 4, at(0, 1, 3), 103, 1, false); // 3 missing so far
    agg.addTrade(A, 2, at(0, 1, 1), 101, 1, false); // replay
    agg.addTrade(A, 3, at(0, 1, 2), 102, 1, false); // the gap: accepted
    agg.addTrade(A, 3, at(0, 1, 2), 102, 1, false); // replay of it
    agg.addTrade(A, 4, at(0, 1, 3), 103, 1, false);
    agg.addTrade(B, 4, at(0, 1, 3), 7, 1, false); // same id on another instrument is a different trade
    agg.advanceTo(at(0, 5));
    expect(sink.rejections.map((r) => [r.reason, r.tradeId])).toEqual([
      ['duplicate', 2],
      ['duplicate', 3],
      ['duplicate', 4],
    ]);
    expect(sink.bars('5m', A)[0]).toMatchObject({ tradeCount: 4, volume: 4, close: 103 });
  });

  it('remembers ids across window boundaries (a replay straddling the close is still dropped)', () => {
    for (const graceMs of [0, 30_000]) {
      const { agg, sink } = make({ graceMs });
      agg.addTrade(A, 1, at(0, 4, 58), 100, 1, false);
      agg.addTrade(A, 2, at(0, 4, 59), 101, 1, false);
      agg.addTrade(A, 3, at(0, 5, 1), 102, 1, false); // rolls the window
      agg.addTrade(A, 4, at(0, 5, 2), 103, 1, false);
      agg.addTrade(A, 3, at(0, 5, 1), 102, 1, false); // replay inside the open window
      agg.addTrade(A, 2, at(0, 4, 59), 101, 1, false); // replay of the closed window: late or duplicate
      agg.advanceTo(at(0, 10));
      expect(sink.rejections.map((r) => r.reason)).toEqual(['duplicate', graceMs > 0 ? 'duplicate' : 'late']);
      expect(sink.bars('5m').map((b) => b.tradeCount)).toEqual([2, 2]);
    }
  });

  it.each([
    ['price 0', 0, 1, at(0, 1)],
    ['negative price', -5, 1, at(0, 1)],
    ['NaN price', NaN, 1, at(0, 1)],
    ['infinite price', Infinity, 1, at(0, 1)],
    ['quantity 0', 100, 0, at(0, 1)],
    ['NaN quantity', 100, NaN, at(0, 1)],
    ['NaN time', 100, 1, NaN],
    ['negative time', 100, 1, -1],
  ])('refuses a trade with %s and leaves the bar untouched', (_what, price, qty, ts) => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 0, 5), 100, 1, false);
    agg.addTrade(A, 2, ts, price, qty, false);
    agg.addTrade(A, 3, at(0, 2), 101, 1, false);
    agg.advanceTo(at(0, 5));
    expect(sink.rejections.map((r) => r.reason)).toEqual(['invalid']);
    expect(sink.bars('5m')[0]).toMatchObject({ open: 100, high: 101, low: 100, close: 101, volume: 2, tradeCount: 2 });
    expect(agg.stats().rejected.invalid).toBe(1);
  });

  it('rejects interval lists it cannot align to UTC days', () => {
    const sink = new CollectingBarSink();
    expect(() => new BarAggregator({ intervals: ['7m'], graceMs: 0, sink })).toThrow(/divide a UTC day/);
    expect(() => new BarAggregator({ intervals: ['5m', '5m'], graceMs: 0, sink })).toThrow(/twice/);
    expect(() => new BarAggregator({ intervals: ['1w'], graceMs: 0, sink })).toThrow(/must look like/);
    expect(() => new BarAggregator({ intervals: ['5m'], graceMs: -1, sink })).toThrow(/graceMs/);
  });
});

describe('BarAggregator: completeness', () => {
  it('waits for every universe instrument, then fires once per window', () => {
    const { agg, sink } = make({ universe: [A, B], graceMs: 10_000 });
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.advanceTo(at(0, 5));
    expect(sink.complete).toEqual([]); // B has no price, hence no bar
    agg.addTrade(B, 1, at(0, 4, 59), 7, 1, false); // late, within grace: B's first bar
    expect(sink.complete).toEqual([{ interval: '5m', openTime: at(0, 0) }]);
    agg.addTrade(B, 2, at(0, 4, 59, 500), 7.5, 1, false); // more late data: a correction, no second event
    agg.addTrade(A, 2, at(0, 4, 59, 600), 101, 1, false);
    expect(sink.kinds('correction').length).toBe(3);
    agg.advanceTo(at(0, 10));
    expect(sink.complete).toEqual([
      { interval: '5m', openTime: at(0, 0) },
      { interval: '5m', openTime: at(0, 5) },
    ]);
  });

  it('counts a seeded previous close as a bar (empty window), so a quiet instrument does not block', () => {
    const { agg, sink } = make({ universe: [A, B] });
    agg.seedClose(B, 7);
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.advanceTo(at(0, 5));
    expect(sink.complete).toEqual([{ interval: '5m', openTime: at(0, 0) }]);
    expect(sink.bars('5m', B)[0]).toMatchObject({ open: 7, close: 7, tradeCount: 0, vwap: null });
  });

  it('never completes a window when an instrument stays without a bar past grace', () => {
    const { agg, sink } = make({ universe: [A, B], graceMs: 1_000 });
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.advanceTo(at(0, 6));
    agg.addTrade(B, 1, at(0, 4), 7, 1, false);
    expect(sink.rejections.map((r) => r.reason)).toEqual(['late']);
    expect(sink.complete).toEqual([]);
  });
});

describe('BarAggregator: live use', () => {
  it('shows the forming bar of every interval, folding the open base window into the rolled one', () => {
    const { agg } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.addTrade(A, 2, at(0, 7), 104, 2, true);
    expect(agg.partialBar(A, '5m')).toMatchObject({ openTime: at(0, 5), open: 104, close: 104, volume: 2, final: false });
    expect(agg.partialBar(A, '1h')).toMatchObject({ openTime: at(0, 0), open: 100, high: 104, close: 104, volume: 3, tradeCount: 2, final: false });
    agg.advanceTo(at(0, 12));
    expect(agg.partialBar(A, '5m')).toMatchObject({ openTime: at(0, 10), open: 104, tradeCount: 0, vwap: null, final: false });
    expect(agg.partialBar(B, '5m')).toBeUndefined();
    expect(agg.partialBar(A, '4h')).toBeUndefined();
  });

  it('emitPartials sends the forming bars of instruments that traded in the open window', () => {
    const { agg, sink } = make();
    agg.addTrade(A, 1, at(0, 1), 100, 1, false);
    agg.emitPartials();
    expect(sink.kinds('partial').map((b) => [b.interval, b.final])).toEqual([
      ['5m', false],
      ['1h', false],
    ]);
  });

  it('takes TradeTicks: numeric string ids de-duplicate as numbers, other ids by their text', () => {
    const { agg, sink } = make();
    const tick = (tradeId: string, tsEvent: number, price: number, side: 'buy' | 'sell', instrumentId = A): TradeTick => ({
      instrumentId,
      tradeId,
      price,
      quantity: 1,
      side,
      tsEvent,
      tsInit: tsEvent,
    });
    agg.addTicks([tick('10', at(0, 1), 100, 'buy'), tick('11', at(0, 2), 101, 'sell'), tick('10', at(0, 1), 100, 'buy')]);
    agg.addTicks([tick('a1f3-uuid', at(0, 1), 5, 'buy', B), tick('b7c2-uuid', at(0, 2), 6, 'sell', B), tick('a1f3-uuid', at(0, 1), 5, 'buy', B)]);
    agg.advanceTo(at(0, 5));
    expect(sink.rejections.map((r) => [r.instrumentId, r.reason])).toEqual([
      [A, 'duplicate'],
      [B, 'duplicate'],
    ]);
    expect(sink.bars('5m', A)[0]).toMatchObject({ buyVolume: 1, sellVolume: 1, tradeCount: 2, close: 101 });
    expect(sink.bars('5m', B)[0]).toMatchObject({ tradeCount: 2, open: 5, close: 6 });
  });

  it('reads numeric trade ids of up to 15 digits and nothing else', () => {
    expect(numericTradeId('5266583935')).toBe(5266583935);
    expect(numericTradeId('999999999999999')).toBe(999999999999999);
    expect([numericTradeId(''), numericTradeId('12a'), numericTradeId('-3'), numericTradeId('1234567890123456')]).toEqual([-1, -1, -1, -1]);
  });

  it('keeps working when instruments keep arriving (slot arrays grow)', () => {
    const { agg, sink } = make();
    for (let k = 0; k < 100; k++) agg.addTrade(`SIM:I${k}/USDT`, 1, at(0, 1, k), 10 + k, 1, false);
    agg.addTrade(A, 1, at(0, 2), 100, 1, false);
    agg.advanceTo(at(0, 5));
    const bars = sink.bars('5m');
    expect(bars.length).toBe(101);
    expect(bars.find((b) => b.instrumentId === 'SIM:I42/USDT')).toMatchObject({ open: 52, tradeCount: 1 });
  });
});
