import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { ParquetStore } from './parquet-store.js';
import type { TradeColumns } from './model-columns.js';

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

// Times outside this window are seconds or nanoseconds in disguise, not real trade times.
const MIN_TS_MS = Date.UTC(2000, 0, 1);
const MAX_TS_MS = Date.UTC(2100, 0, 1);
const AGG_HEADER = ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'];

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

/**
 * Lines of a (possibly gzip) file as latin1 strings, a chunk at a time (one await per ~1 MB, not
 * per line: per-line async iteration costs more than parsing the line). `firstLine` is 1-based.
 */
async function* readLineChunks(file: string, gzip: boolean, progress: { bytesRead: number }): AsyncGenerator<{ firstLine: number; lines: string[] }> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => {
    progress.bytesRead += chunk.length;
  });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => stream.destroy(err));
  let carry = '';
  let next = 1;
  // latin1 keeps one char per byte (all these formats are ASCII); a stray multi-byte char just
  // fails validation on its row rather than corrupting the split.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = carry + chunk.toString('latin1');
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
    if (lines.length > 0) yield { firstLine: next, lines };
    next += lines.length;
  }
  if (carry.length > 0) yield { firstLine: next, lines: [carry.endsWith('\r') ? carry.slice(0, -1) : carry] };
}

export async function detectTradeFileFormat(file: string): Promise<TradeFileFormat> {
  const progress = { bytesRead: 0 };
  for await (const { lines } of readLineChunks(file, await isGzip(file), progress)) {
    const text = lines.find((l) => l.trim() !== '');
    if (text === undefined) continue;
    if (/^\d{10,} [[{]/.test(text)) return 'hftbacktest';
    if (/^(agg_trade_id|\d+),/.test(text)) return 'aggtrades-csv';
    throw new Error(`cannot tell the format of ${file} from its first line "${text.slice(0, 60)}"; pass --format aggtrades-csv or hftbacktest`);
  }
  throw new Error(`${file} is empty`);
}

type RowSink = (tsMs: number, tsInitMs: number, tradeId: number, price: number, quantity: number, isBuyerMaker: boolean) => void;
type LineParser = (line: number, text: string, sink: RowSink) => void;

class RowError extends Error {}

function positiveNumber(s: string, what: string): number {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v <= 0) throw new RowError(`${what} "${s}" must be a number greater than 0`);
  return v;
}

function tradeIdNumber(s: string | number, what: string): number {
  const v = typeof s === 'number' ? s : /^\d{1,15}$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < 0) throw new RowError(`${what} "${s}" must be a non-negative integer`);
  return v;
}

function tradeTimeMs(raw: number, what: string): number {
  // Binance's dumps switched transact_time from ms to µs (spot, 2025); µs values are 1000× larger.
  const ms = raw >= MAX_TS_MS ? Math.floor(raw / 1000) : raw;
  if (!Number.isInteger(raw) || ms < MIN_TS_MS || ms >= MAX_TS_MS) throw new RowError(`${what} "${raw}" is not an epoch time in ms or µs`);
  return ms;
}

function aggTradesCsvParser(): LineParser {
  let sawFirst = false;
  return (line, text, sink) => {
    if (text.trim() === '') return;
    const f = text.split(',');
    if (!sawFirst) {
      sawFirst = true;
      if (!/^\d/.test(f[0] ?? '')) {
        const names = f.map((n) => n.trim().toLowerCase());
        if (AGG_HEADER.some((n, i) => names[i] !== n)) throw new RowError(`header must start ${AGG_HEADER.join(',')}, got "${text.slice(0, 120)}"`);
        return;
      }
    }
    if (f.length !== 7 && f.length !== 8) throw new RowError(`expected 7 or 8 comma-separated fields, got ${f.length}`);
    const id = tradeIdNumber(f[0]!, 'agg_trade_id');
    const price = positiveNumber(f[1]!, 'price');
    const quantity = positiveNumber(f[2]!, 'quantity');
    const ts = tradeTimeMs(/^\d+$/.test(f[5]!) ? Number(f[5]) : Number.NaN, 'transact_time');
    const m = f[6]!.trim().toLowerCase();
    if (m !== 'true' && m !== 'false') throw new RowError(`is_buyer_maker "${f[6]}" must be true or false`);
    sink(ts, ts, id, price, quantity, m === 'true');
  };
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
  return (line, text, sink) => {
    if (text.trim() === '') return;
    // Most frames are depth and bookTicker: skip them without paying for JSON.parse.
    if (!text.includes('"e":"trade"') && !text.includes('"e":"aggTrade"')) {
      counts.skippedFrames++;
      return;
    }
    const space = text.indexOf(' ');
    const localNs = text.slice(0, space);
    if (space < 7 || !/^\d+$/.test(localNs)) throw new RowError('expected "<local_ns> <json>"');
    let json: unknown;
    try {
      json = JSON.parse(text.slice(space + 1));
    } catch {
      throw new RowError('frame is not valid JSON');
    }
    const data = json && typeof json === 'object' && 'data' in json ? (json as { data: unknown }).data : json;
    const kind = (data as { e?: unknown } | null)?.e;
    const parsed = kind === 'aggTrade' ? AggTradeFrame.safeParse(data) : TradeFrame.safeParse(data);
    if (!parsed.success) throw new RowError(`${String(kind)} frame: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
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
  const parse = format === 'aggtrades-csv' ? aggTradesCsvParser() : hftbacktestParser(options.symbol, counts);
  const batch = new Batch(options.batchRows ?? 1 << 20);
  const progress = { bytesRead: 0 };
  const result: ImportTradeFileResult = { format, rows: 0, badRows: 0, badRowSamples: [], ...counts, firstTsMs: null, lastTsMs: null, files: [] };
  let lastReport = 0;

  const sink: RowSink = (tsMs, tsInitMs, tradeId, price, quantity, isBuyerMaker) => {
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
    for await (const { firstLine, lines } of readLineChunks(options.input, gzip, progress)) {
      for (let k = 0; k < lines.length; k++) {
        const line = firstLine + k;
        try {
          parse(line, lines[k]!, sink);
        } catch (err) {
          if (!(err instanceof RowError)) throw err;
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
