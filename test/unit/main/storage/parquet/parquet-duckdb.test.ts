import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar, FundingRate } from '../../../../../shared/model/index.js';
import { ParquetStore } from '../../../../../main/storage/parquet/parquet-store.js';

// DuckDB is the independent reader: it must see Kestrel's files, hive folders and all, with the
// values that were written (not the values Kestrel's own reader returns).

const D0 = Date.UTC(2024, 7, 8);
const DAY = 86_400_000;
let dataDir: string;
let store: ParquetStore;
let db: DuckDBConnection;

const rows = (q: string) => db.runAndReadAll(q).then((r) => r.getRowObjectsJS());
const glob = (dataset: string) => `read_parquet('${path.join(store.root, dataset).replaceAll("'", "''")}/**/*.parquet', hive_partitioning = true)`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-pq-duckdb-'));
  store = await ParquetStore.open({ dataDir });
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('Parquet files read by DuckDB with hive partitioning', () => {
  it('trades: venue, decoded ccxt symbol, date and every column', async () => {
    const n = 5_000;
    const tsMs = Float64Array.from({ length: n }, (_, i) => D0 + DAY - 2_500 + i); // crosses midnight
    const trades = {
      length: n,
      tsMs,
      tsInitMs: tsMs.map((t) => t + 1_200),
      tradeId: Float64Array.from({ length: n }, (_, i) => 5_266_583_935 + i),
      price: Float64Array.from({ length: n }, (_, i) => 61_800.3 + (i % 17) / 10),
      quantity: Float64Array.from({ length: n }, (_, i) => ((i % 13) + 1) / 1000),
      isBuyerMaker: Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0),
    };
    await store.writeTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', trades });
    await store.writeTrades({ venue: 'BINANCE', symbol: 'BTC/USDT', trades: { ...trades, length: 1, tsMs: tsMs.slice(0, 1), tsInitMs: tsMs.slice(0, 1), tradeId: ['x-1'], price: new Float64Array([1]), quantity: new Float64Array([2]), isBuyerMaker: new Uint8Array([1]) } });

    const got = await rows(`
      SELECT venue, symbol, strftime(date, '%Y-%m-%d') AS day, ts, ts_init, trade_id, price, quantity, is_buyer_maker
      FROM ${glob('trades')} WHERE venue = 'BINANCEUSDM' ORDER BY ts`);
    expect(got).toHaveLength(n);
    got.forEach((r, i) => {
      expect(r).toEqual({
        venue: 'BINANCEUSDM',
        symbol: 'BTC/USDT:USDT',
        day: tsMs[i]! < D0 + DAY ? '2024-08-08' : '2024-08-09',
        ts: BigInt(tsMs[i]!),
        ts_init: BigInt(tsMs[i]! + 1_200),
        trade_id: String(5_266_583_935 + i),
        price: trades.price[i],
        quantity: trades.quantity[i],
        is_buyer_maker: trades.isBuyerMaker[i] === 1,
      });
    });
    const spot = await rows(`SELECT symbol, trade_id FROM ${glob('trades')} WHERE venue = 'BINANCE'`);
    expect(spot).toEqual([{ symbol: 'BTC/USDT', trade_id: 'x-1' }]);
  });

  it('bars: every seed-004 field in snake_case, NaN vwap for an empty window', async () => {
    const base: Bar = {
      instrumentId: 'BINANCEUSDM:ETH/USDT:USDT',
      interval: '5m',
      openTime: D0 + 300_000,
      closeTime: D0 + 599_999,
      timeLabel: 2,
      open: 2_600.1,
      high: 2_601.5,
      low: 2_599.8,
      close: 2_600.9,
      volume: 12.5,
      quoteVolume: 32_511.25,
      tradeCount: 42,
      vwap: 2_600.9,
      buyVolume: 7.5,
      sellVolume: 5,
      buyQuoteVolume: 19_507,
      sellQuoteVolume: 13_004.25,
      final: true,
    };
    const empty: Bar = { ...base, openTime: D0 + 600_000, closeTime: D0 + 899_999, timeLabel: 3, open: 2_600.9, high: 2_600.9, low: 2_600.9, volume: 0, quoteVolume: 0, tradeCount: 0, vwap: null, buyVolume: 0, sellVolume: 0, buyQuoteVolume: 0, sellQuoteVolume: 0 };
    await store.writeBars([base, empty]);
    const got = await rows(`
      SELECT symbol, "interval", open_time, close_time, time_label, open, high, low, close, volume, quote_volume, trade_count,
             isnan(vwap) AS vwap_is_nan, vwap, buy_volume, sell_volume, buy_quote_volume, sell_quote_volume, final
      FROM ${glob('bars')} ORDER BY open_time`);
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual({
      symbol: 'ETH/USDT:USDT', interval: '5m', open_time: BigInt(D0 + 300_000), close_time: BigInt(D0 + 599_999), time_label: 2,
      open: 2_600.1, high: 2_601.5, low: 2_599.8, close: 2_600.9, volume: 12.5, quote_volume: 32_511.25, trade_count: 42n,
      vwap_is_nan: false, vwap: 2_600.9, buy_volume: 7.5, sell_volume: 5, buy_quote_volume: 19_507, sell_quote_volume: 13_004.25, final: true,
    });
    expect(got[1]).toMatchObject({ open_time: BigInt(D0 + 600_000), trade_count: 0n, vwap_is_nan: true, volume: 0, close: 2_600.9 });
  });

  it('funding: NULL where mark price or premium is unknown', async () => {
    const rates: FundingRate[] = [
      { instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', rate: 0.0000125, intervalHours: 1, rate24h: 0.0003, fundingTime: D0 + 3_600_000, premium: 0.0002 },
      { instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', rate: 0.0001, intervalHours: 8, rate24h: 0.0003, fundingTime: D0 + 8 * 3_600_000, markPrice: 61_000 },
    ];
    await store.writeFunding(rates);
    const got = await rows(`SELECT venue, symbol, funding_time, rate, interval_hours, rate_24h, mark_price, premium FROM ${glob('funding')} ORDER BY funding_time`);
    expect(got).toEqual([
      { venue: 'HYPERLIQUID', symbol: 'BTC/USDC:USDC', funding_time: BigInt(D0 + 3_600_000), rate: 0.0000125, interval_hours: 1, rate_24h: 0.0003, mark_price: null, premium: 0.0002 },
      { venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', funding_time: BigInt(D0 + 8 * 3_600_000), rate: 0.0001, interval_hours: 8, rate_24h: 0.0003, mark_price: 61_000, premium: null },
    ]);
  });
});
