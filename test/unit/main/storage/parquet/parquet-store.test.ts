import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, copyFileSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar, FundingRate, TradeTick } from '../../../../../shared/model/index.js';
import { ParquetStore } from '../../../../../main/storage/parquet/parquet-store.js';
import { tradeColumnsToColumns, type TradeColumns } from '../../../../../main/storage/parquet/model-columns.js';
import { createParquetCodec } from '../../../../../main/storage/parquet/parquet-codec.js';
import { toArrowTable } from '../../../../../main/storage/parquet/columnar.js';
import { TRADES_SCHEMA } from '../../../../../main/storage/parquet/datasets.js';
import type { PremiumIndexBar } from '../../../../../main/marketdata/funding.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 7, 8); // 2024-08-08

let dataDir: string;
let warnings: string[];
let store: ParquetStore;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-pq-test-'));
  warnings = [];
  store = await ParquetStore.open({ dataDir, onWarning: (m) => warnings.push(m) });
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function trades(rows: Array<[ts: number, id: string | number, price: number, qty: number, buyerMaker: boolean]>): TradeColumns {
  const numeric = rows.every((r) => typeof r[1] === 'number');
  return {
    length: rows.length,
    tsMs: Float64Array.from(rows, (r) => r[0]),
    tsInitMs: Float64Array.from(rows, (r) => r[0] + 7),
    tradeId: numeric ? Float64Array.from(rows, (r) => r[1] as number) : rows.map((r) => String(r[1])),
    price: Float64Array.from(rows, (r) => r[2]),
    quantity: Float64Array.from(rows, (r) => r[3]),
    isBuyerMaker: Uint8Array.from(rows, (r) => (r[4] ? 1 : 0)),
  };
}

function partFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function bar(openTime: number, over: Partial<Bar> = {}): Bar {
  return {
    instrumentId: 'BINANCEUSDM:BTC/USDT:USDT',
    interval: '5m',
    openTime,
    closeTime: openTime + 299_999,
    timeLabel: Math.floor((openTime % DAY) / 300_000) + 1,
    open: 100,
    high: 110,
    low: 95,
    close: 105,
    volume: 3,
    quoteVolume: 312,
    tradeCount: 7,
    vwap: 104,
    buyVolume: 2,
    sellVolume: 1,
    buyQuoteVolume: 209,
    sellQuoteVolume: 103,
    final: true,
    ...over,
  };
}

describe('ParquetStore trades', () => {
  it('partitions by venue, encoded symbol and UTC date and reads back every value', async () => {
    const input = trades([
      [D0 + DAY - 2, 101, 61_800.3, 0.006, false],
      [D0 + DAY - 1, 102, 61_800.4, 0.199, true],
      [D0 + DAY, 103, 61_799.9, 1.5, false],
    ]);
    const written = await store.writeTrades({ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', trades: input });
    expect(written).toHaveLength(2);
    const files = partFiles(store.root);
    expect(files.map((f) => path.dirname(f))).toEqual([
      'trades/venue=BINANCEUSDM/symbol=BTC%2FUSDT%3AUSDT/date=2024-08-08',
      'trades/venue=BINANCEUSDM/symbol=BTC%2FUSDT%3AUSDT/date=2024-08-09',
    ]);
    expect(files.every((f) => /part-\d{13}-\d{6}-[0-9a-f]{8}\.parquet$/.test(f))).toBe(true);

    const back = await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' });
    expect(back.length).toBe(3);
    expect([...back.tsMs]).toEqual([D0 + DAY - 2, D0 + DAY - 1, D0 + DAY]);
    expect([...back.tsInitMs]).toEqual([D0 + DAY + 5, D0 + DAY + 6, D0 + DAY + 7]);
    expect(back.tradeId).toBeInstanceOf(Float64Array);
    expect([...back.tradeId]).toEqual([101, 102, 103]);
    expect([...back.price]).toEqual([61_800.3, 61_800.4, 61_799.9]);
    expect([...back.quantity]).toEqual([0.006, 0.199, 1.5]);
    expect([...back.isBuyerMaker]).toEqual([0, 1, 0]);

    const asStrings = await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', tradeIds: 'string' });
    expect(asStrings.tradeId).toEqual(['101', '102', '103']);
  });

  it('reads the half-open range [from, to) across date folders', async () => {
    await store.writeTrades({
      venue: 'SIM',
      symbol: 'X/Y',
      trades: trades([
        [D0 + 10, 1, 1, 1, false],
        [D0 + DAY + 10, 2, 1, 1, false],
        [D0 + 2 * DAY + 10, 3, 1, 1, false],
      ]),
    });
    const mid = await store.readTrades({ venue: 'SIM', symbol: 'X/Y', from: D0 + DAY + 10, to: D0 + 2 * DAY + 10 });
    expect([...mid.tradeId]).toEqual([2]);
    const none = await store.readTrades({ venue: 'SIM', symbol: 'X/Y', from: D0 + 11, to: D0 + DAY + 10 });
    expect(none.length).toBe(0);
    expect(await store.listDates('trades', 'SIM', 'X/Y')).toEqual(['2024-08-08', '2024-08-09', '2024-08-10']);
    expect(await store.listSymbols('trades')).toEqual([{ venue: 'SIM', symbol: 'X/Y' }]);
  });

  it('keeps string ids (UUIDs, leading zeros) as strings', async () => {
    await store.writeTrades({
      venue: 'BYBIT',
      symbol: 'BTC/USDT:USDT',
      trades: trades([
        [D0 + 1, 'a8f1c2d4-0b1e-4f43-9d57-1b2c3d4e5f60', 10, 1, false],
        [D0 + 2, '007', 10, 1, true],
      ]),
    });
    const back = await store.readTrades({ venue: 'BYBIT', symbol: 'BTC/USDT:USDT' });
    expect(back.tradeId).toEqual(['a8f1c2d4-0b1e-4f43-9d57-1b2c3d4e5f60', '007']);
  });

  it('orders unsorted input by time and drops trades written twice (same id and time)', async () => {
    const batch = trades([
      [D0 + 30, 3, 10, 1, false],
      [D0 + 10, 1, 10, 1, false],
      [D0 + 20, 2, 11, 1, true],
      [D0 + 20, 4, 12, 1, true],
    ]);
    await store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: batch });
    await store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: batch }); // e.g. the same file imported twice
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tsMs]).toEqual([D0 + 10, D0 + 20, D0 + 20, D0 + 30]);
    expect([...back.tradeId]).toEqual([1, 2, 4, 3]);
    expect([...back.price]).toEqual([10, 11, 12, 10]);
  });

  it('accepts TradeTick objects (side buy = taker bought = not buyer maker)', async () => {
    const ticks: TradeTick[] = [
      { instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', tradeId: '9001', price: 97_000, quantity: 0.01, side: 'buy', tsEvent: D0 + 5, tsInit: D0 + 9 },
      { instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', tradeId: '9002', price: 97_001, quantity: 0.02, side: 'sell', tsEvent: D0 + 6, tsInit: D0 + 9 },
    ];
    await store.writeTrades(ticks);
    const back = await store.readTrades({ venue: 'HYPERLIQUID', symbol: 'BTC/USDC:USDC', tradeIds: 'string' });
    expect(back.tradeId).toEqual(['9001', '9002']);
    expect([...back.isBuyerMaker]).toEqual([0, 1]);
    expect([...back.tsInitMs]).toEqual([D0 + 9, D0 + 9]);
  });

  it('refuses a non-integer time and a bad venue, naming them', async () => {
    await expect(store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: trades([[D0 + 0.5, 1, 1, 1, false]]) })).rejects.toThrow(
      /ts .* is not an epoch-ms integer/,
    );
    await expect(store.writeTrades({ venue: 'bin ance', symbol: 'X/Y', trades: trades([[D0, 1, 1, 1, false]]) })).rejects.toThrow(
      /venue "bin ance" must be letters/,
    );
  });
});

describe('ParquetStore writers', () => {
  it('buffers appends and writes one part per instrument and date per flush', async () => {
    const writer = store.createTradeWriter({ maxBufferedRows: 4 });
    await writer.append({ venue: 'SIM', symbol: 'A/B', trades: trades([[D0 + 1, 1, 1, 1, false]]) });
    await writer.append({ venue: 'SIM', symbol: 'C/D', trades: trades([[D0 + 2, 1, 1, 1, false]]) });
    await writer.append({ venue: 'SIM', symbol: 'A/B', trades: trades([[D0 + 3, 2, 1, 1, false]]) });
    expect(writer.bufferedRows).toBe(3);
    expect(partFiles(store.root)).toEqual([]);
    await writer.append({ venue: 'SIM', symbol: 'A/B', trades: trades([[D0 + 4, 3, 1, 1, false]]) }); // reaches 4: flush
    expect(writer.bufferedRows).toBe(0);
    expect(partFiles(store.root).map((f) => path.dirname(f))).toEqual([
      'trades/venue=SIM/symbol=A%2FB/date=2024-08-08',
      'trades/venue=SIM/symbol=C%2FD/date=2024-08-08',
    ]);
    await writer.append({ venue: 'SIM', symbol: 'A/B', trades: trades([[D0 + 5, 4, 1, 1, false]]) });
    await writer.close();
    await expect(writer.append([])).rejects.toThrow(/closed/);
    expect(partFiles(store.root)).toHaveLength(3);
    expect(partFiles(store.root).some((f) => f.endsWith('.tmp'))).toBe(false);
    const ab = await store.readTrades({ venue: 'SIM', symbol: 'A/B' });
    expect([...ab.tradeId]).toEqual([1, 2, 3, 4]);
  });
});

describe('ParquetStore writer failures', () => {
  it('keeps the rows buffered when a flush fails, and writes them on the next flush', async () => {
    const writer = store.createTradeWriter({ maxBufferedRows: 100 });
    await writer.append({ venue: 'SIM', symbol: 'A/B', trades: trades([[D0 + 1, 1, 1, 1, false]]) });
    // A plain file where the dataset folder must go makes the write fail.
    mkdirSync(store.root, { recursive: true });
    writeFileSync(path.join(store.root, 'trades'), 'in the way');
    await expect(writer.flush()).rejects.toThrow();
    expect(writer.bufferedRows).toBe(1);
    rmSync(path.join(store.root, 'trades'));
    expect(await writer.flush()).toHaveLength(1);
    expect([...(await store.readTrades({ venue: 'SIM', symbol: 'A/B' })).tradeId]).toEqual([1]);
  });
});

describe('ParquetStore bars, funding and premium index', () => {
  it('stores every seed-004 bar field, an empty bar with NaN vwap, and reads one interval', async () => {
    const empty = bar(D0 + 300_000, { open: 105, high: 105, low: 105, close: 105, volume: 0, quoteVolume: 0, tradeCount: 0, vwap: null, buyVolume: 0, sellVolume: 0, buyQuoteVolume: 0, sellQuoteVolume: 0 });
    const hourly = bar(D0, { interval: '1h', closeTime: D0 + 3_599_999, timeLabel: 1, volume: 30 });
    await store.writeBars([bar(D0), empty, hourly]);
    const fiveMin = await store.readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '5m' });
    expect(fiveMin).toEqual([bar(D0), empty]);
    const oneHour = await store.readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '1h' });
    expect(oneHour).toEqual([hourly]);
  });

  it('lets a corrected bar (written later) replace the first version, and limits to the latest bars', async () => {
    await store.writeBars([bar(D0), bar(D0 + 300_000), bar(D0 + 600_000, { final: false })]);
    await store.writeBars([bar(D0 + 300_000, { close: 999, tradeCount: 8 }), bar(D0 + 600_000, { final: true })]);
    const bars = await store.readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '5m' });
    expect(bars.map((b) => [b.openTime, b.close, b.tradeCount, b.final])).toEqual([
      [D0, 105, 7, true],
      [D0 + 300_000, 999, 8, true],
      [D0 + 600_000, 105, 7, true],
    ]);
    const last2 = await store.readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '5m', limit: 2 });
    expect(last2.map((b) => b.openTime)).toEqual([D0 + 300_000, D0 + 600_000]);
    const ranged = await store.readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '5m', from: D0 + 1, to: D0 + 600_000 });
    expect(ranged.map((b) => b.openTime)).toEqual([D0 + 300_000]);
  });

  it('round-trips funding rates with and without mark price and premium', async () => {
    const rates: FundingRate[] = [
      { instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', rate: 0.0000125, intervalHours: 1, rate24h: 0.0003, fundingTime: D0, premium: 0.00021467 },
      { instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', rate: -0.0001, intervalHours: 1, rate24h: -0.0024, fundingTime: D0 + 3_600_000, markPrice: 61_000.5 },
    ];
    await store.writeFunding(rates);
    expect(await store.readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC' })).toEqual(rates);
    expect(await store.readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC', from: D0 + 1 })).toEqual([rates[1]]);
  });

  it('round-trips premium index bars per interval', async () => {
    const bars: PremiumIndexBar[] = [
      { instrumentId: 'BINANCEUSDM:ETH/USDT:USDT', interval: '5m', openTime: D0, closeTime: D0 + 299_999, open: 0.0001, high: 0.0003, low: -0.0002, close: 0.00005 },
      { instrumentId: 'BINANCEUSDM:ETH/USDT:USDT', interval: '1m', openTime: D0, closeTime: D0 + 59_999, open: 0.0001, high: 0.0002, low: 0, close: 0.0001 },
    ];
    await store.writePremiumIndex(bars);
    expect(await store.readPremiumIndex({ instrumentId: 'BINANCEUSDM:ETH/USDT:USDT', interval: '5m' })).toEqual([bars[0]]);
  });
});

describe('ParquetStore damaged files', () => {
  async function twoParts(): Promise<string[]> {
    const first = await store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: trades([[D0 + 1, 1, 10, 1, false]]) });
    const second = await store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: trades([[D0 + 2, 2, 20, 1, false]]) });
    return [...first, ...second];
  }

  it('skips a truncated file with a warning naming it and returns the other parts', async () => {
    const [first, second] = await twoParts();
    const bytes = readFileSync(second!);
    writeFileSync(second!, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tradeId]).toEqual([1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(second!);
    expect(warnings[0]).toMatch(/skipping unreadable trades Parquet file/);
    expect(first).toBeDefined();
  });

  it('skips a file of zeros and a file with another dataset’s schema', async () => {
    const [, second] = await twoParts();
    const dir = path.dirname(second!);
    writeFileSync(path.join(dir, 'zeros.parquet'), new Uint8Array(4096));
    await store.writeFunding([{ instrumentId: 'SIM:X/Y', rate: 0.0001, intervalHours: 8, rate24h: 0.0003, fundingTime: D0 + 5 }]);
    const fundingFile = partFiles(store.root).find((f) => f.startsWith('funding/'))!;
    copyFileSync(path.join(store.root, fundingFile), path.join(dir, 'wrong-schema.parquet'));
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tradeId]).toEqual([1, 2]);
    expect(warnings.map((w) => path.basename(w.split(': ')[0]!.split(' ').pop()!))).toEqual(['wrong-schema.parquet', 'zeros.parquet']);
    expect(warnings[0]).toMatch(/column "ts" is missing/);
  });

  it('skips a file whose rows do not belong to its date folder', async () => {
    const [, second] = await twoParts();
    const other = await store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: trades([[D0 + DAY + 1, 3, 30, 1, false]]) });
    copyFileSync(other[0]!, path.join(path.dirname(second!), 'misplaced.parquet'));
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tradeId]).toEqual([1, 2, 3]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/misplaced\.parquet: row 0 has ts .* outside its date folder/);
  });

  it('refuses to write a price that is not > 0, and skips a file holding one', async () => {
    await expect(store.writeTrades({ venue: 'SIM', symbol: 'X/Y', trades: { ...trades([[D0 + 4, 4, 1, 1, false]]), price: new Float64Array([-1]) } })).rejects.toThrow(
      /price -1 must be a finite number > 0/,
    );
    const [, second] = await twoParts();
    // A foreign or damaged file: same schema, written by the codec directly.
    const codec = await createParquetCodec();
    const columns = tradeColumnsToColumns({ ...trades([[D0 + 4, 4, 1, 1, false]]), price: new Float64Array([-1]) });
    writeFileSync(path.join(path.dirname(second!), 'negative.parquet'), codec.encode(toArrowTable(TRADES_SCHEMA.columns, columns)));
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tradeId]).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/negative\.parquet: row 0 has price -1, which must be a finite number > 0/);
  });

  it('ignores temporary files of an interrupted write and sweeps old ones', async () => {
    const [first] = await twoParts();
    const temp = path.join(path.dirname(first!), '.part-0000000000000-000000-deadbeef.parquet.tmp');
    writeFileSync(temp, readFileSync(first!).subarray(0, 10));
    const back = await store.readTrades({ venue: 'SIM', symbol: 'X/Y' });
    expect([...back.tradeId]).toEqual([1, 2]);
    expect(warnings).toEqual([]);
    expect(await store.sweepTempFiles()).toEqual([]); // too recent to be an abandoned write
    const old = (Date.now() - 2 * 3_600_000) / 1000;
    utimesSync(temp, old, old);
    expect(await store.sweepTempFiles()).toEqual([temp]);
    expect(partFiles(store.root).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
