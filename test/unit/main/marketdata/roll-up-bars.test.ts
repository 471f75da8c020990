import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../../shared/model/market.js';
import { BarAggregator } from '../../../../main/marketdata/bar-aggregator.js';
import { parseInterval } from '../../../../main/marketdata/bar-interval.js';
import { rollUpBars } from '../../../../main/marketdata/roll-up-bars.js';
import { CollectingBarSink } from '../../../support/collecting-bar-sink.js';
import { readLeanMinuteBars, type LeanMinuteRow } from '../../../support/lean-minute-bars.js';
import { fixture } from '../../../support/paths.js';

// One real day (2022-12-13) of LEAN 1-minute trade bars. BTCUSD coin-M has a real missing minute.
const DAY = Date.UTC(2022, 11, 13);
const SETS = [
  ['BINANCECOINM:BTC/USD:BTC', fixture('lean-binance', 'cryptofuture', 'binance', 'minute', 'btcusd', '20221213_trade.zip')],
  ['BINANCEUSDM:ADA/USDT:USDT', fixture('lean-binance', 'cryptofuture', 'binance', 'minute', 'adausdt', '20221213_trade.zip')],
  ['BINANCE:BTC/BUSD', fixture('lean-binance', 'crypto', 'binance', 'minute', 'btcbusd', '20221213_trade.zip')],
] as const;
const ROLLUPS = ['5m', '15m', '1h', '4h', '8h', '12h', '24h'];

/** LEAN rows carry o/h/l/c/volume only; the other fields are unknown (NaN), and only the five are compared. */
function toBar(instrumentId: string, r: LeanMinuteRow): Bar {
  return {
    instrumentId,
    interval: '1m',
    openTime: r.openTime,
    closeTime: r.openTime + 59_999,
    timeLabel: (r.openTime - DAY) / 60_000 + 1,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    quoteVolume: NaN,
    tradeCount: 0,
    vwap: null,
    buyVolume: NaN,
    sellVolume: NaN,
    buyQuoteVolume: NaN,
    sellQuoteVolume: NaN,
    final: true,
  };
}

interface Ohlcv {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Independent oracle: DuckDB SQL over the LEAN rows. */
async function duckRollUp(rows: LeanMinuteRow[], intervalMs: number): Promise<Ohlcv[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run('CREATE TABLE m (t BIGINT, o DOUBLE, h DOUBLE, l DOUBLE, c DOUBLE, v DOUBLE)');
  const app = await con.createAppender('m');
  for (const r of rows) {
    app.appendBigInt(BigInt(r.openTime));
    app.appendDouble(r.open);
    app.appendDouble(r.high);
    app.appendDouble(r.low);
    app.appendDouble(r.close);
    app.appendDouble(r.volume);
    app.endRow();
  }
  app.closeSync();
  const reader = await con.runAndReadAll(`
    SELECT (t // ${intervalMs}) * ${intervalMs} AS w, arg_min(o, t) AS o, max(h) AS h, min(l) AS l, arg_max(c, t) AS c, sum(v) AS v
    FROM m GROUP BY 1 ORDER BY 1`);
  const out = reader.getRowObjectsJS().map((r) => ({ openTime: Number(r.w), open: Number(r.o), high: Number(r.h), low: Number(r.l), close: Number(r.c), volume: Number(r.v) }));
  con.closeSync();
  return out;
}

function expectOhlcv(actual: Bar[], expected: Ohlcv[], relTol: number): void {
  expect(actual.map((b) => [b.openTime, b.open, b.high, b.low, b.close])).toEqual(expected.map((e) => [e.openTime, e.open, e.high, e.low, e.close]));
  actual.forEach((b, i) => {
    const v = expected[i]!.volume;
    expect(Math.abs(b.volume - v), `volume at ${new Date(b.openTime).toISOString()}`).toBeLessThanOrEqual(relTol * v);
  });
}

describe('roll-ups on the real LEAN day of 1-minute bars', () => {
  it('finds the real missing minute of BTCUSD and fills it with an empty bar at the previous close', () => {
    const rows = readLeanMinuteBars(SETS[0][1], DAY);
    expect(rows.length).toBe(1_439);
    const filled = rollUpBars(
      rows.map((r) => toBar(SETS[0][0], r)),
      '1m',
    );
    expect(filled.length).toBe(1_440);
    const gapAt = DAY + 16_140_000; // 04:29 UTC
    const k = filled.findIndex((b) => b.openTime === gapAt);
    expect(rows.some((r) => r.openTime === gapAt)).toBe(false);
    const prevClose = filled[k - 1]!.close;
    expect(filled[k]).toMatchObject({ open: prevClose, high: prevClose, low: prevClose, close: prevClose, volume: 0, tradeCount: 0, vwap: null, timeLabel: 270 });
    expect(filled[k + 1]!.open).toBe(rows.find((r) => r.openTime === gapAt + 60_000)!.open);
  });

  for (const [id, file] of SETS) {
    it(`rolls ${id} up to ${ROLLUPS.join(', ')} exactly as DuckDB groups the minutes`, async () => {
      const rows = readLeanMinuteBars(file, DAY);
      const bars = rows.map((r) => toBar(id, r));
      for (const label of ROLLUPS) {
        const ms = parseInterval(label).ms;
        const rolled = rollUpBars(bars, label);
        expect(rolled.length).toBe(86_400_000 / ms);
        expectOhlcv(rolled, await duckRollUp(rows, ms), 1e-12);
        expect(rolled.every((b, i) => b.timeLabel === i + 1 && b.closeTime === b.openTime + ms - 1)).toBe(true);
      }
    });
  }

  it('BarAggregator rolls the same day up from trades that reproduce each minute (1m base, all intervals)', async () => {
    const sink = new CollectingBarSink();
    const agg = new BarAggregator({ intervals: ['1m', ...ROLLUPS], graceMs: 0, sink });
    const perSet = SETS.map(([id, file]) => ({ id, rows: readLeanMinuteBars(file, DAY) }));
    // Four prints per minute — open, high, low, close — a quarter of the volume each; instruments interleaved by time.
    let tradeId = 1;
    for (let m = 0; m < 1_440; m++) {
      for (const { id, rows } of perSet) {
        const r = rows.find((x) => x.openTime === DAY + m * 60_000);
        if (!r) continue;
        const q = r.volume / 4;
        [r.open, r.high, r.low, r.close].forEach((p, k) => agg.addTrade(id, tradeId++, r.openTime + k * 10_000, p, q, k % 2 === 0));
      }
    }
    agg.advanceTo(DAY + 86_400_000);
    expect(sink.rejections).toEqual([]);
    for (const { id, rows } of perSet) {
      const minutes = sink.bars('1m', id);
      expect(minutes.length).toBe(1_440);
      expect(minutes.filter((b) => b.tradeCount === 0).length).toBe(1_440 - rows.length);
      for (const label of ROLLUPS) expectOhlcv(sink.bars(label, id), await duckRollUp(rows, parseInterval(label).ms), 1e-12);
      expect(sink.complete.filter((c) => c.interval === '24h')).toEqual([{ interval: '24h', openTime: DAY }]);
    }
  });

  it('refuses what it cannot roll up', () => {
    const rows = readLeanMinuteBars(SETS[1][1], DAY).slice(0, 10);
    const bars = rows.map((r) => toBar(SETS[1][0], r));
    expect(() => rollUpBars([bars[1]!, bars[0]!], '5m')).toThrow(/sorted/);
    expect(() => rollUpBars([bars[0]!, { ...bars[1]!, instrumentId: 'X:Y' }], '5m')).toThrow(/one instrument/);
    expect(() => rollUpBars(rollUpBars(bars, '5m'), '1m')).toThrow(/cannot be rolled up/);
  });
});
