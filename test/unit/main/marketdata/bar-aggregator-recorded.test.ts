import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarAggregator } from '../../../../main/marketdata/bar-aggregator.js';
import { parseInterval } from '../../../../main/marketdata/bar-interval.js';
import { TradeBatchBuilder } from '../../../../main/marketdata/trade-batch.js';
import { readRecordedTrades, type RecordedTrade } from '../../../support/binance-ws-trades.js';
import { CollectingBarSink } from '../../../support/collecting-bar-sink.js';
import { DuckDbBarOracle, diffBars } from '../../../support/duckdb-bar-oracle.js';
import { fixture } from '../../../support/paths.js';

// Real Binance prints, 2024-08-08 23:54:15–23:59:59 UTC, checked against DuckDB SQL over the same trades.
const FILES = [
  ['usdm_btcusdt_20240808.gz', 'BINANCEUSDM:BTC/USDT:USDT'],
  ['usdm_ethusdt_20240808.gz', 'BINANCEUSDM:ETH/USDT:USDT'],
  ['spot_btcusdt_20240808.gz', 'BINANCE:BTC/USDT'],
] as const;
const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '8h', '12h', '24h'];

let trades: RecordedTrade[] = [];
let oracle: DuckDbBarOracle;

beforeAll(async () => {
  const perFile = FILES.map(([f, id]) => readRecordedTrades(fixture('hftbacktest-binance-ws', f), id));
  // The three streams interleaved as the recorder received them: venue times step back across instruments.
  trades = perFile.flat().sort((a, b) => a.recvUs - b.recvUs);
  oracle = await DuckDbBarOracle.withTrades(trades);
});
afterAll(() => oracle?.close());

async function checkAgainstOracle(sink: CollectingBarSink, intervals: string[]): Promise<void> {
  for (const label of intervals) {
    const ms = parseInterval(label).ms;
    const expected = await oracle.bars(ms);
    const actual = sink.bars(label);
    expect(actual.length, `${label} bar count`).toBeGreaterThan(0);
    expect(diffBars(actual, expected), `${label} bars differ from DuckDB`).toEqual([]);
    for (const b of actual) expect(b.interval).toBe(label);
  }
}

describe('BarAggregator on recorded Binance trades', () => {
  it('has the trade counts the provenance states', () => {
    const count = (id: string) => trades.filter((t) => t.instrumentId === id).length;
    expect([count(FILES[0][1]), count(FILES[1][1]), count(FILES[2][1])]).toEqual([21_313, 14_076, 9_757]);
  });

  it('matches DuckDB field by field at every interval (addTrade, arrival order, grace 5 s)', async () => {
    const sink = new CollectingBarSink();
    const agg = new BarAggregator({ intervals: INTERVALS, graceMs: 5_000, sink });
    for (const t of trades) agg.addTrade(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker);
    agg.flush();
    expect(sink.rejections).toEqual([]);
    expect(agg.stats().accepted).toBe(trades.length);
    await checkAgainstOracle(sink, INTERVALS);
  });

  it('matches DuckDB through columnar batches with a 5m base and roll-ups', async () => {
    const sink = new CollectingBarSink();
    const intervals = ['5m', '1h', '4h', '8h', '12h', '24h'];
    const agg = new BarAggregator({ intervals, graceMs: 5_000, sink });
    const builder = new TradeBatchBuilder(4096);
    for (const t of trades) {
      if (!builder.push(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker)) {
        agg.addBatch(builder.take());
        builder.push(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker);
      }
    }
    agg.addBatch(builder.take());
    agg.flush();
    expect(sink.rejections).toEqual([]);
    await checkAgainstOracle(sink, intervals);
  });

  it('drops a reconnect replay of the last 2,000 frames and still matches DuckDB', async () => {
    const sink = new CollectingBarSink();
    const agg = new BarAggregator({ intervals: ['1m', '5m'], graceMs: 5_000, sink });
    const replayFrom = trades.length - 2_000;
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i]!;
      agg.addTrade(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker);
      if (i === trades.length - 1) {
        for (const r of trades.slice(replayFrom)) agg.addTrade(r.instrumentId, r.tradeId, r.tsMs, r.price, r.qty, r.isBuyerMaker);
      }
    }
    agg.flush();
    expect(sink.rejections.length).toBe(2_000);
    expect(new Set(sink.rejections.map((r) => r.reason))).toEqual(new Set(['duplicate']));
    await checkAgainstOracle(sink, ['1m', '5m']);
  });

  it('emits one completeness event per window once all three instruments have their bar', () => {
    const sink = new CollectingBarSink();
    const agg = new BarAggregator({ intervals: ['1m', '5m'], graceMs: 2_000, sink, universe: FILES.map(([, id]) => id) });
    for (const t of trades) agg.addTrade(t.instrumentId, t.tradeId, t.tsMs, t.price, t.qty, t.isBuyerMaker);
    // The venue clock passes midnight: the 23:59 and 23:55 windows close.
    agg.advanceTo(Date.UTC(2024, 7, 9, 0, 0, 0, 1));
    const minutes = sink.complete.filter((c) => c.interval === '1m').map((c) => new Date(c.openTime).toISOString().slice(11, 16));
    expect(minutes).toEqual(['23:54', '23:55', '23:56', '23:57', '23:58', '23:59']);
    const fives = sink.complete.filter((c) => c.interval === '5m').map((c) => new Date(c.openTime).toISOString().slice(11, 16));
    expect(fives).toEqual(['23:50', '23:55']);
    // Each event came after all three instruments' bars of that window.
    for (const c of sink.complete) {
      const at = sink.events.findIndex((e) => e.kind === 'final' && e.bar.interval === c.interval && e.bar.openTime === c.openTime && e.bar.instrumentId === FILES[2][1]);
      expect(at).toBeGreaterThanOrEqual(0);
    }
  });
});
