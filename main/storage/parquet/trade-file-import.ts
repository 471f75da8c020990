import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { ParquetStore } from './parquet-store.js';
import type { TradeColumns } from './model-columns.js';
import { AggTradesCsvParser, TradeRowError, type TradeRowSink } from './agg-trades-csv.js';

/**
 * Brings recorded trade files into the Parquet trades store:
 * - `aggtrades-csv`: Binance's aggTrades dump (data.binance.vision), columns
 *   `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]`,
 *   with or without a header, transact_time in ms or µs, plain or gzip;
 * - `hftbacktest`: gzip websocket recordings, one `<local_ns> <json>` frame per line; `trade` and
 *   `aggTrade` frames are imported (futures trades only when `X` is MARKET), every other frame skipped.
 */

export const TRADE_FILE_FORMATS = ['aggtrades-csv', 'hftbacktest'] as const;
export type TradeFileFormat = (typeof TRADE_FILE_FORMATS)[number];

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  /** Set on the last report, once every row is written. */
  done: boolean;
}

export interface ImportTradeFileOptions {
  input: string;
  format: TradeFileFormat | 'auto';
  venue: string;
  /** ccxt unified symbol the trades are stored under, e.g. `BTC/USDT:USDT`. */
  symbol: string;
  /** Count and skip bad rows instead of stopping at the first. */
  skipBad?: boolean;
  /** Rows per part file written (default 1 048 576: one row group). */
  batchRows?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportTradeFileResult {
  format: TradeFileFormat;
  rows: number;
  badRows: number;
  /** Up to 20 bad rows, for the report. */
  badRowSamples: Array<{ line: number; reason: string }>;
  /** hftbacktest: frames that are not trades (depth, bookTicker, snapshots). */
  skippedFrames: number;
  /** hftbacktest: trades not executed as MARKET (insurance fund, ADL). */
  skippedNonMarket: number;
  /** Trades of another symbol than the one asked for, by venue symbol. */
  otherSymbols: Record<string, number>;
  firstTsMs: number | null;
  lastTsMs: number | null;
  files: string[];
}

/** A row that stops an import (without skipBad): its 1-based line number and what was wrong. */
export class BadTradeRowError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'BadTradeRowError';
  }
}

class Batch {
  readonly t: TradeColumns;
  constructor(readonly capacity: number) {
    this.t = {
      length: 0,
      tsMs: new Float64Array(capacity),
      tsInitMs: new Float64Array(capacity),
      tradeId: new Float64Array(capacity),
      price: new Float64Array(capacity),
      quantity: new Float64Array(capacity),
      isBuyerMaker: new Uint8Array(capacity),
    };
  }
  push(tsMs: number, tsInitMs: number, tradeId: number, price: number, quantity: number, isBuyerMaker: boolean): void {
    const i = this.t.length++;
    this.t.tsMs[i] = tsMs;
    this.t.tsInitMs[i] = tsInitMs;
    (this.t.tradeId as Float64Array)[i] = tradeId;
    this.t.price[i] = price;
    this.t.quantity[i] = quantity;
    this.t.isBuyerMaker[i] = isBuyerMaker ? 1 : 0;
  }
  get full(): boolean {
    return this.t.length === this.capacity;
  }
  view(): TradeColumns {
    const n = this.t.length;
    const t = this.t;
    return {
      length: n,
      tsMs: t.tsMs.subarray(0, n),
      tsInitMs: t.tsInitMs.subarray(0, n),
      tradeId: (t.tradeId as Float64Array).subarray(0, n),
      price: t.price.subarray(0, n),
      quantity: t.quantity.subarray(0, n),
      isBuyerMaker: t.isBuyerMaker.subarray(0, n),
    };
  }
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** One chunk of whole lines: line k spans `buf[starts[k], ends[k])`, without its \r\n. */
interface LineChunk {
  firstLine: number;
  buf: Buffer;
  starts: number[];
  ends: number[];
}

/**
 * Lines of a (possibly gzip) file, a ~1 MB chunk at a time: one await per chunk rather than per
 * line, and no string per line unless a parser asks for one.
 */
async function* readLineChunks(file: string, gzip: boolean, progress: { bytesRead: number }): AsyncGenerator<LineChunk> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => {
    progress.bytesRead += chunk.length;
  });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => stream.destroy(err));
  let carry: Buffer = Buffer.alloc(0);
  let next = 1;
  const cut = (buf: Buffer, a: number, b: number): [number, number] => [a, b > a && buf[b - 1] === 13 ? b - 1 : b];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const starts: number[] = [];
    const ends: number[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const [a, b] = cut(buf, start, nl);
      starts.push(a);
      ends.push(b);
      start = nl + 1;
    }
    carry = buf.subarray(start);
    if (starts.length > 0) yield { firstLine: next, buf, starts, ends };
    next += starts.length;
  }
  if (carry.length > 0) {
    const [a, b] = cut(carry, 0, carry.length);
    yield { firstLine: next, buf: carry, starts: [a], ends: [b] };
  }
}

export async function detectTradeFileFormat(file: string): Promise<TradeFileFormat> {
  const progress = { bytesRead: 0 };
  for await (const { buf, starts, ends } of readLineChunks(file, await isGzip(file), progress)) {
    const text = starts.map((a, k) => buf.toString('latin1', a, ends[k])).find((l) => l.trim() !== '');
    if (text === undefined) continue;
    if (/^\d{10,} [[{]/.test(text)) return 'hftbacktest';
    if (/^(agg_trade_id|\d+),/.test(text)) return 'aggtrades-csv';
    throw new Error(`cannot tell the format of ${file} from its first line "${text.slice(0, 60)}"; pass --format aggtrades-csv or hftbacktest`);
  }
  throw new Error(`${file} is empty`);
}

type LineParser = (buf: Buffer, start: number, end: number, sink: TradeRowSink) => void;

// Times outside this window are seconds or nanoseconds in disguise, not real trade times.
const MIN_TRADE_TS_MS = Date.UTC(2000, 0, 1);
const MAX_TRADE_TS_MS = Date.UTC(2100, 0, 1);

/** Epoch ms from a frame's time in ms or µs. */
function tradeTimeMs(raw: number, what: string): number {
  const ms = raw >= MAX_TRADE_TS_MS ? Math.floor(raw / 1000) : raw;
  if (!Number.isInteger(raw) || ms < MIN_TRADE_TS_MS || ms >= MAX_TRADE_TS_MS) throw new TradeRowError(`${what} "${raw}" is not an epoch time in ms or µs`);
  return ms;
}

function positiveNumber(s: string, what: string): number {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v <= 0) throw new TradeRowError(`${what} "${s}" must be a number greater than 0`);
  return v;
}

function tradeIdNumber(s: string | number, what: string): number {
  const v = typeof s === 'number' ? s : /^\d{1,15}$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < 0) throw new TradeRowError(`${what} "${s}" must be a non-negative integer`);
  return v;
}

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal number in a string');
const TradeFrame = z.object({ e: z.literal('trade'), s: z.string(), t: z.number(), p: decimal, q: decimal, T: z.number(), m: z.boolean(), X: z.string().optional() });
const AggTradeFrame = z.object({ e: z.literal('aggTrade'), s: z.string(), a: z.number(), p: decimal, q: decimal, T: z.number(), m: z.boolean() });

function compactSymbol(symbol: string): string {
  // BTC/USDT:USDT → BTCUSDT, the venue's own spelling in Binance frames.
  return symbol.split(':')[0]!.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

function hftbacktestParser(symbol: string, counts: { skippedFrames: number; skippedNonMarket: number; otherSymbols: Record<string, number> }): LineParser {
  const wanted = compactSymbol(symbol);
  return (buf, start, end, sink) => {
    const text = buf.toString('latin1', start, end);
    if (text.trim() === '') return;
    // Most frames are depth and bookTicker: skip them without paying for JSON.parse.
    if (!text.includes('"e":"trade"') && !text.includes('"e":"aggTrade"')) {
      counts.skippedFrames++;
      return;
    }
    const space = text.indexOf(' ');
    const localNs = text.slice(0, space);
    if (space < 7 || !/^\d+$/.test(localNs)) throw new TradeRowError('expected "<local_ns> <json>"');
    let json: unknown;
    try {
      json = JSON.parse(text.slice(space + 1));
    } catch {
      throw new TradeRowError('frame is not valid JSON');
    }
    const data = json && typeof json === 'object' && 'data' in json ? (json as { data: unknown }).data : json;
    const kind = (data as { e?: unknown } | null)?.e;
    const parsed = kind === 'aggTrade' ? AggTradeFrame.safeParse(data) : TradeFrame.safeParse(data);
    if (!parsed.success) throw new TradeRowError(`${String(kind)} frame: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const d = parsed.data;
    if (d.s.toUpperCase() !== wanted) {
      counts.otherSymbols[d.s] = (counts.otherSymbols[d.s] ?? 0) + 1;
      return;
    }
    if ('X' in d && d.X !== undefined && d.X !== 'MARKET') {
      counts.skippedNonMarket++;
      return;
    }
    const id = tradeIdNumber('a' in d ? d.a : d.t, 'a' in d ? 'aggregate trade id a' : 'trade id t');
    const ts = tradeTimeMs(d.T, 'trade time T');
    // local_ns has 19 digits, past float precision: cut the ns digits off as text.
    const tsInit = localNs.length > 6 ? Number(localNs.slice(0, -6)) : 0;
    sink(ts, tsInit, id, positiveNumber(d.p, 'price p'), positiveNumber(d.q, 'quantity q'), d.m);
  };
}

/**
 * Reads the file and writes its trades to the store in batches. Without `skipBad` the first bad row
 * throws BadTradeRowError and every part file this import wrote is removed again, so a failed import
 * leaves the store as it was. Re-importing the same file is harmless: readers drop repeated trades.
 */
export async function importTradeFile(store: ParquetStore, options: ImportTradeFileOptions): Promise<ImportTradeFileResult> {
  const stat = await fs.stat(options.input);
  if (!stat.isFile()) throw new Error(`${options.input} is not a file`);
  const format = options.format === 'auto' ? await detectTradeFileFormat(options.input) : options.format;
  const counts = { skippedFrames: 0, skippedNonMarket: 0, otherSymbols: {} as Record<string, number> };
  let parse: LineParser;
  if (format === 'aggtrades-csv') {
    const csv = new AggTradesCsvParser();
    parse = (buf, start, end, sink) => csv.parseLine(buf, start, end, sink);
  } else parse = hftbacktestParser(options.symbol, counts);
  const batch = new Batch(options.batchRows ?? 1 << 20);
  const progress = { bytesRead: 0 };
  const result: ImportTradeFileResult = { format, rows: 0, badRows: 0, badRowSamples: [], ...counts, firstTsMs: null, lastTsMs: null, files: [] };
  let lastReport = 0;

  const sink: TradeRowSink = (tsMs, tsInitMs, tradeId, price, quantity, isBuyerMaker) => {
    batch.push(tsMs, tsInitMs, tradeId, price, quantity, isBuyerMaker);
    result.rows++;
    result.firstTsMs = result.firstTsMs === null ? tsMs : Math.min(result.firstTsMs, tsMs);
    result.lastTsMs = result.lastTsMs === null ? tsMs : Math.max(result.lastTsMs, tsMs);
  };
  const writeBatch = async (): Promise<void> => {
    if (batch.t.length === 0) return;
    result.files.push(...(await store.writeTrades({ venue: options.venue, symbol: options.symbol, trades: batch.view() })));
    batch.t.length = 0;
  };

  try {
    const gzip = await isGzip(options.input);
    for await (const { firstLine, buf, starts, ends } of readLineChunks(options.input, gzip, progress)) {
      for (let k = 0; k < starts.length; k++) {
        const line = firstLine + k;
        try {
          parse(buf, starts[k]!, ends[k]!, sink);
        } catch (err) {
          if (!(err instanceof TradeRowError)) throw err;
          if (!options.skipBad) throw new BadTradeRowError(line, err.message);
          result.badRows++;
          if (result.badRowSamples.length < 20) result.badRowSamples.push({ line, reason: err.message });
        }
        if (batch.full) await writeBatch();
      }
      if (options.onProgress && progress.bytesRead !== lastReport) {
        lastReport = progress.bytesRead;
        options.onProgress({ bytesRead: progress.bytesRead, totalBytes: stat.size, rows: result.rows, done: false });
      }
    }
    await writeBatch();
    Object.assign(result, counts);
    if (result.rows === 0 && Object.keys(counts.otherSymbols).length > 0) {
      throw new Error(`no ${options.symbol} trades in ${options.input}; it holds trades of ${Object.keys(counts.otherSymbols).join(', ')}`);
    }
  } catch (err) {
    await Promise.all(result.files.map((f) => fs.rm(f, { force: true })));
    throw err;
  }
  options.onProgress?.({ bytesRead: stat.size, totalBytes: stat.size, rows: result.rows, done: true });
  return result;
}
