import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../../../shared/model/market.js';
import { BarAggregator } from '../../../../../main/marketdata/bar-aggregator.js';
import type { BarEventKind } from '../../../../../main/marketdata/bar-events.js';
import { generateTradeBatches } from '../../../../../main/cli/aggtrades/bench-data.js';
import { ShardedAggregatorRunner, shardTradesBySymbol } from '../../../../../main/cli/aggtrades/bench-sharded.js';

const INTERVALS = ['5m', '1h', '4h', '8h', '12h', '24h'];
const key = ([b, kind]: [Bar, BarEventKind]): string => JSON.stringify([kind, b.instrumentId, b.interval, b.openTime, b.open, b.high, b.low, b.close, b.tradeCount, b.volume, b.quoteVolume, b.buyVolume, b.sellVolume, b.buyQuoteVolume, b.sellQuoteVolume, b.vwap]);

describe('sharded benchmark aggregation', () => {
  it('splits every trade into exactly one shard, by symbol', () => {
    const data = generateTradeBatches(5_000, 7, 1_000);
    const shards = shardTradesBySymbol(data, 2, 700);
    expect(shards.map((s) => s.count).reduce((a, b) => a + b)).toBe(5_000);
    for (const [k, s] of shards.entries()) {
      const slots = new Uint16Array(s.slotSide);
      for (const ss of slots) expect((ss >>> 1) % 2).toBe(k);
    }
  });

  it('gives the single-threaded bars, empty windows included, when two workers aggregate half the symbols each', async () => {
    // Sparse trades over a day: many empty windows, so the carried closes and the shared end clock matter.
    const data = generateTradeBatches(4_000, 9, 512);
    const single: [Bar, BarEventKind][] = [];
    const agg = new BarAggregator({ intervals: INTERVALS, graceMs: 2_000, sink: { onBar: (b, k) => void single.push([b, k]) } });
    for (const b of data.batches) agg.addBatch(b);
    agg.flush();
    expect(single.some(([b]) => b.tradeCount === 0)).toBe(true);

    const runner = await ShardedAggregatorRunner.start(shardTradesBySymbol(data, 2, 300), INTERVALS, 2_000, data.lastTsMs);
    try {
      const { results } = await runner.run(true);
      expect(results).toHaveLength(2);
      expect(results.map((r) => r.accepted).reduce((a, b) => a + b)).toBe(4_000);
      expect(results.every((r) => r.bars!.length > 0)).toBe(true);
      const sharded = results.flatMap((r) => r.bars!);
      expect(sharded.map(key).sort()).toEqual(single.map(key).sort());
    } finally {
      await runner.stop();
    }
  });
});
