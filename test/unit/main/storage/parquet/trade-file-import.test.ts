import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParquetStore } from '../../../../../main/storage/parquet/parquet-store.js';
import { BadTradeRowError, detectTradeFileFormat, importTradeFile } from '../../../../../main/storage/parquet/trade-file-import.js';
import { fixture } from '../../../../support/paths.js';

/** The oracle: trade frames of a recording, read with nothing but JSON.parse. */
function recordedTrades(file: string): Array<{ t: number; p: string; q: string; T: number; m: boolean; localNs: string }> {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.includes('@trade'))
    .map((l) => {
      const space = l.indexOf(' ');
      const d = JSON.parse(l.slice(space + 1)).data;
      return { t: d.t, p: d.p, q: d.q, T: d.T, m: d.m, localNs: l.slice(0, space) };
    });
}

const USDM_BTC = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const SPOT_BTC = fixture('hftbacktest-binance-ws', 'spot_btcusdt_20240808.gz');

let dir: string;
let store: ParquetStore;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-import-'));
  store = await ParquetStore.open({ dataDir: path.join(dir, 'data') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('importTradeFile: hftbacktest recordings (real Binance frames)', () => {
  it('imports every USDⓈ-M BTCUSDT trade frame with exchange time, local receive time, id, price, size and side', async () => {
    const expected = recordedTrades(USDM_BTC);
    expect(expected).toHaveLength(21_313);
    const result = await importTradeFile(store, { input: USDM_BTC, format: 'auto', venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' });
    expect(result).toMatchObject({ format: 'hftbacktest', rows: 21_313, badRows: 0, skippedNonMarket: 0, otherSymbols: {} });
    expect(result.skippedFrames).toBe(66_089 + 6_551 + 1); // bookTicker + depth + the REST snapshot line
    const back = await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' });
    expect(back.length).toBe(expected.length);
    // The recording is in arrival order; the store returns exchange-time order. Compare by id.
    const byId = new Map(expected.map((e) => [e.t, e]));
    for (let i = 0; i < back.length; i++) {
      const e = byId.get((back.tradeId as Float64Array)[i]!)!;
      expect([back.tsMs[i], back.tsInitMs[i], back.price[i], back.quantity[i], back.isBuyerMaker[i]]).toEqual([
        e.T,
        Math.floor(Number(BigInt(e.localNs) / 1_000_000n)),
        Number(e.p),
        Number(e.q),
        e.m ? 1 : 0,
      ]);
    }
  });

  it('fails on a truncated gzip recording without leaving part files', async () => {
    const bytes = readFileSync(USDM_BTC);
    const cut = path.join(dir, 'cut.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expect(importTradeFile(store, { input: cut, format: 'hftbacktest', venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', batchRows: 1_000 })).rejects.toThrow(
      /unexpected end of file/,
    );
    expect((await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' })).length).toBe(0);
  });

  it('imports spot frames (which carry no X field) and refuses a symbol the file does not hold', async () => {
    const result = await importTradeFile(store, { input: SPOT_BTC, format: 'hftbacktest', venue: 'BINANCE', symbol: 'BTC/USDT' });
    expect(result.rows).toBe(9_757);
    await expect(importTradeFile(store, { input: SPOT_BTC, format: 'hftbacktest', venue: 'BINANCE', symbol: 'ETH/USDT' })).rejects.toThrow(
      /no ETH\/USDT trades .* holds trades of BTCUSDT/,
    );
  });

  it('stops at a bad trade frame with its line number, leaving the store as it was', async () => {
    const lines = gunzipSync(readFileSync(USDM_BTC)).toString('utf8').split('\n');
    const target = lines.map((l, i) => (l.includes('@trade') ? i : -1)).filter((i) => i >= 0)[2_500]!; // after two 1,000-row parts were written
    lines[target] = lines[target]!.replace(/"p":"[^"]+"/, '"p":"-1"');
    const bad = path.join(dir, 'bad.gz');
    writeFileSync(bad, gzipSync(lines.join('\n')));
    const err = await importTradeFile(store, { input: bad, format: 'auto', venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', batchRows: 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadTradeRowError);
    expect((err as BadTradeRowError).line).toBe(target + 1);
    expect((err as BadTradeRowError).reason).toMatch(/p: must be a decimal number/);
    expect((await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' })).length).toBe(0);

    const skipped = await importTradeFile(store, { input: bad, format: 'auto', venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', skipBad: true });
    expect(skipped.rows).toBe(21_312);
    expect(skipped.badRowSamples).toEqual([{ line: target + 1, reason: expect.stringMatching(/trade frame: p:/) }]);
  });
});

describe('importTradeFile: Binance aggTrades CSV', () => {
  // Real prints, written in the aggTrades dump's column order (each trade its own aggregate).
  function csvFromRecording(opts: { header: boolean; micros: boolean }): { text: string; trades: ReturnType<typeof recordedTrades> } {
    const trades = recordedTrades(SPOT_BTC).slice(0, 3_000);
    const rows = trades.map((t) => [t.t, t.p, t.q, t.t, t.t, opts.micros ? t.T * 1000 + 123 : t.T, t.m ? 'true' : 'false', 'true'].join(','));
    const header = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match';
    return { text: `${opts.header ? `${header}\n` : ''}${rows.join('\n')}\n`, trades };
  }

  for (const variant of [
    { header: true, micros: false, gzip: false },
    { header: false, micros: true, gzip: false },
    { header: false, micros: false, gzip: true },
  ]) {
    it(`reads ${variant.header ? 'with' : 'without'} header, ${variant.micros ? 'µs' : 'ms'} times, ${variant.gzip ? 'gzip' : 'plain'}`, async () => {
      const { text, trades } = csvFromRecording(variant);
      const file = path.join(dir, variant.gzip ? 'agg.csv.gz' : 'agg.csv');
      writeFileSync(file, variant.gzip ? gzipSync(text) : text);
      expect(await detectTradeFileFormat(file)).toBe('aggtrades-csv');
      const result = await importTradeFile(store, { input: file, format: 'auto', venue: 'BINANCE', symbol: 'BTC/USDT' });
      expect(result.rows).toBe(trades.length);
      const back = await store.readTrades({ venue: 'BINANCE', symbol: 'BTC/USDT' });
      const sorted = [...trades].sort((a, b) => a.T - b.T || a.t - b.t);
      expect([...back.tsMs]).toEqual(sorted.map((t) => t.T));
      expect([...back.tsInitMs]).toEqual(sorted.map((t) => t.T));
      expect([...back.tradeId]).toEqual(sorted.map((t) => t.t));
      expect([...back.price]).toEqual(sorted.map((t) => Number(t.p)));
      expect([...back.isBuyerMaker]).toEqual(sorted.map((t) => (t.m ? 1 : 0)));
    });
  }

  it('reports each kind of bad row by line number', async () => {
    const good = '1,100.5,0.1,1,1,1723161255342,true';
    const cases: Array<[string, RegExp]> = [
      ['2,abc,0.1,2,2,1723161255342,true', /price "abc" must be a number greater than 0/],
      ['2,0,0.1,2,2,1723161255342,true', /price "0" must be a number greater than 0/],
      ['2,100,NaN,2,2,1723161255342,true', /quantity "NaN"/],
      ['2,100,0.1,2,2,1723161255,true', /transact_time "1723161255" is not an epoch time in ms or µs/],
      ['2,100,0.1,2,2,1723161255342,maybe', /is_buyer_maker "maybe" must be true or false/],
      ['2,100,0.1,2,2', /expected 7 or 8 comma-separated fields, got 5/],
      ['x2,100,0.1,2,2,1723161255342,true', /agg_trade_id "x2" must be a non-negative integer/],
    ];
    for (const [row, reason] of cases) {
      const file = path.join(dir, 'bad.csv');
      writeFileSync(file, `${good}\n${good.replace(/^1,/, '3,')}\n${row}\n`);
      const err = await importTradeFile(store, { input: file, format: 'aggtrades-csv', venue: 'BINANCE', symbol: 'BTC/USDT' }).catch((e: unknown) => e);
      expect(err, row).toBeInstanceOf(BadTradeRowError);
      expect((err as BadTradeRowError).line).toBe(3);
      expect((err as BadTradeRowError).reason).toMatch(reason);
    }
    expect(existsSync(path.join(store.root, 'trades')) ? readdirSync(path.join(store.root, 'trades'), { recursive: true }).filter((f) => String(f).endsWith('.parquet')) : []).toEqual([]);
  });

  it('refuses a header of another CSV layout and a file it cannot recognise', async () => {
    const trades = path.join(dir, 'trades.csv');
    writeFileSync(trades, 'id,price,qty,quote_qty,time,is_buyer_maker\n1,100,1,100,1723161255342,true\n');
    await expect(importTradeFile(store, { input: trades, format: 'auto', venue: 'BINANCE', symbol: 'BTC/USDT' })).rejects.toThrow(
      /cannot tell the format/,
    );
    await expect(importTradeFile(store, { input: trades, format: 'aggtrades-csv', venue: 'BINANCE', symbol: 'BTC/USDT' })).rejects.toThrow(
      /line 1: header must start agg_trade_id,price/,
    );
  });
});
