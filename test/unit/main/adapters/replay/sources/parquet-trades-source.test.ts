import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetTradesSource } from '../../../../../../main/adapters/replay/sources/parquet-trades-source.js';
import { ParquetStore } from '../../../../../../main/storage/parquet/parquet-store.js';
import type { TradeTick } from '../../../../../../shared/model/index.js';
import { fixture } from '../../../../../support/paths.js';

const ETH = 'BINANCEUSDM:ETH/USDT:USDT';
const dataDir = mkdtempSync(path.join(tmpdir(), 'kestrel-replay-parquet-'));
let store: ParquetStore;
let recorded: TradeTick[] = [];

beforeAll(async () => {
  // The real ETHUSDT prints, which run past 00:00 UTC: two date partitions.
  for (const line of gunzipSync(readFileSync(fixture('hftbacktest-binance-ws', 'usdm_ethusdt_20240808.gz'))).toString('utf8').split('\n')) {
    if (!line.includes('"e":"trade"')) continue;
    const d = (JSON.parse(line.slice(line.indexOf(' ') + 1)) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    recorded.push({ instrumentId: ETH, tradeId: String(d.t), price: Number(d.p), quantity: Number(d.q), side: d.m ? 'sell' : 'buy', tsEvent: d.T, tsInit: d.T });
  }
  store = await ParquetStore.open({ dataDir });
  await store.writeTrades(recorded);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function replay(source: ParquetTradesSource): Promise<TradeTick[]> {
  const out: TradeTick[] = [];
  for await (const e of source.open()) if (e.kind === 'trade') out.push(e.trade);
  return out;
}

describe('ParquetTradesSource', () => {
  it('replays the trades Kestrel stored, across day partitions, in time order', async () => {
    expect(await store.listDates('trades', 'BINANCEUSDM', 'ETH/USDT:USDT')).toEqual(['2024-08-08', '2024-08-09']);
    const got = await replay(new ParquetTradesSource({ store, instrumentId: ETH }));
    const key = (t: TradeTick) => [t.tradeId, t.price, t.quantity, t.side, t.tsEvent];
    const expected = [...recorded].sort((a, b) => a.tsEvent - b.tsEvent || Number(a.tradeId) - Number(b.tradeId));
    expect(got.length).toBe(14_076);
    expect(got.map(key)).toEqual(expected.map(key));
  });

  it('keeps to the half-open range asked for', async () => {
    const from = Date.UTC(2024, 7, 8, 23, 58);
    const to = Date.UTC(2024, 7, 9, 0, 0, 0, 500);
    const got = await replay(new ParquetTradesSource({ store, instrumentId: ETH, fromMs: from, toMs: to }));
    expect(got.length).toBe(recorded.filter((t) => t.tsEvent >= from && t.tsEvent < to).length);
    expect(got.every((t) => t.tsEvent >= from && t.tsEvent < to)).toBe(true);
  });
});
