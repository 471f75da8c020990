import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TradeWindowStore } from '../../marketdata/trade-window-store.js';
import {
  AGG_TRADES_HEADER,
  isAggTradesHeader,
  newAggTradeColumns,
  newAggTradeParseState,
  parseAggTradeLines,
  type AggTradeColumns,
  type AggTradeParseState,
} from '../../storage/csv/agg-trades.js';

/** A row or file the aggregate command cannot use; `line` is 1-based (0: the file as a whole). */
export class AggTradesInputError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'AggTradesInputError';
  }
}

export interface ScanOptions {
  /** Base window the trades are grouped into (every output interval is a multiple of it). */
  baseIntervalMs: number;
  skipBad: boolean;
  /** 1, or 2 to scan the second half of a large file in a worker thread. Default: 2 when the machine has 2 cores. */
  threads?: number;
  /** Files smaller than this are scanned on one thread (the worker costs ~30 ms to start). */
  parallelMinBytes?: number;
  onProgress?: (bytesDone: number, totalBytes: number) => void;
}

export interface AggTradesScan {
  store: TradeWindowStore;
  header: boolean;
  badRows: number;
  badSamples: { line: number; reason: string }[];
  msRows: number;
  usRows: number;
  bytes: number;
  threads: number;
}

const CHUNK_BYTES = 8 << 20;
const ROWS_PER_FLUSH = 1 << 17;
/** Chunks the worker may have posted and main not yet folded in (bounds memory on huge files). */
const MAX_IN_FLIGHT = 4;

/** Reads a Binance aggTrades CSV into base windows, checking every row. */
export async function scanAggTradesFile(file: string, o: ScanOptions): Promise<AggTradesScan> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const { dataStart, header } = readHeader(fd, size);
    const threads = Math.max(1, Math.min(2, o.threads ?? availableParallelism()));
    const parallel = threads >= 2 && size - dataStart >= (o.parallelMinBytes ?? 32 << 20);
    if (parallel) {
      const split = lineStartNear(fd, dataStart + Math.floor((size - dataStart) / 2), size);
      if (split > dataStart && split < size) {
        const result = await scanInTwo(file, fd, dataStart, split, size, header, o);
        if (result) return result;
        // The halves saw the same trade ids (an overlapping concatenation): only one pass can drop them exactly.
      }
    }
    const st = newAggTradeParseState(o.skipBad, header ? 2 : 1);
    const store = new TradeWindowStore(o.baseIntervalMs);
    scanRange(fd, dataStart, size, st, newAggTradeColumns(ROWS_PER_FLUSH), store, (done) => o.onProgress?.(dataStart + done, size));
    throwIfStopped(st, st.errorLine);
    return { store, header, badRows: st.badRows, badSamples: st.badSamples, msRows: st.msRows, usRows: st.usRows, bytes: size, threads: 1 };
  } finally {
    closeSync(fd);
  }
}

function throwIfStopped(st: AggTradeParseState, line: number): void {
  if (st.errorReason) throw new AggTradesInputError(line, `bad row at line ${line}: ${st.errorReason} (use --skip-bad to count and skip bad rows)`);
}

function readHeader(fd: number, size: number): { dataStart: number; header: boolean } {
  const head = Buffer.alloc(Math.min(size, 4096));
  readSync(fd, head, 0, head.length, 0);
  if (head[0] === 0x1f && head[1] === 0x8b) throw new AggTradesInputError(0, 'the input is gzip-compressed; decompress it first (gunzip FILE)');
  if (head[0] === 0x50 && head[1] === 0x4b) throw new AggTradesInputError(0, 'the input is a zip archive; unzip it first (Binance ships one CSV per zip)');
  let start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const first = head[start];
  if (first === undefined || (first >= 48 && first <= 57)) return { dataStart: start, header: false };
  const nl = head.indexOf(10, start);
  if (nl < 0 && head.length < size) throw new AggTradesInputError(1, 'line 1 is not an aggTrades row or header');
  const text = head.toString('utf8', start, nl < 0 ? head.length : nl).trim();
  if (!isAggTradesHeader(text)) {
    throw new AggTradesInputError(1, `line 1 is a header, but not the aggTrades one: expected "${AGG_TRADES_HEADER.join(',')}[,is_best_match]", got "${text.slice(0, 200)}"`);
  }
  start = nl < 0 ? head.length : nl + 1;
  return { dataStart: start, header: true };
}

/** The first line start at or after `at`. */
function lineStartNear(fd: number, at: number, size: number): number {
  const buf = Buffer.alloc(1 << 16);
  for (let pos = at; pos < size; pos += buf.length) {
    const got = readSync(fd, buf, 0, buf.length, pos);
    const k = buf.subarray(0, got).indexOf(10);
    if (k >= 0) return pos + k + 1;
  }
  return size;
}

function flushColumns(cols: AggTradeColumns, store: TradeWindowStore): void {
  if (cols.n > 0) store.addColumns(cols.ts, cols.id, cols.price, cols.qty, cols.side, 0, cols.n);
  cols.n = 0;
}

/**
 * Parses [from, to) chunk by chunk. `onChunk` gets the bytes done so far after each chunk (the
 * parallel scan polls its worker there).
 */
function scanRange(fd: number, from: number, to: number, st: AggTradeParseState, cols: AggTradeColumns, store: TradeWindowStore, onChunk: (bytesDone: number) => void): void {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES + 1);
  let carry = 0;
  let pos = from;
  for (;;) {
    const want = Math.min(CHUNK_BYTES - carry, to - pos);
    const got = want > 0 ? readSync(fd, buf, carry, want, pos) : 0;
    pos += got;
    let len = carry + got;
    if (len === 0) break;
    let lineEnd: number;
    if (pos >= to) {
      // The range's last line may lack its newline (end of file): give it one.
      if (buf[len - 1] !== 10) buf[len++] = 10;
      lineEnd = len;
    } else {
      lineEnd = buf.lastIndexOf(10, len - 1) + 1;
      if (lineEnd === 0) throw new AggTradesInputError(st.line, `line ${st.line} is longer than ${CHUNK_BYTES >> 20} MB; this is not an aggTrades CSV`);
    }
    let at = 0;
    while (at < lineEnd) {
      at = parseAggTradeLines(buf, at, lineEnd, cols, st);
      if (cols.n === cols.id.length || at >= lineEnd || st.errorReason) flushColumns(cols, store);
      if (st.errorReason) return;
    }
    carry = len - lineEnd;
    if (carry > 0) buf.copy(buf, 0, lineEnd, len);
    onChunk(Math.min(pos, to) - from - carry);
    if (pos >= to && carry === 0) break;
  }
}

// ───────────────────────────── two threads ─────────────────────────────

type WorkerMessage =
  | { type: 'rows'; n: number; id: Float64Array; ts: Float64Array; price: Float64Array; qty: Float64Array; side: Uint8Array; bytesDone: number }
  | { type: 'done'; st: AggTradeParseState; bytesDone: number }
  | { type: 'fail'; message: string };

/**
 * The worker runs the same parse function (its source text, so no build step or loader is needed)
 * over the second half of the file and posts the parsed columns; the main thread parses the first
 * half and folds both into window stores, which merge exactly.
 */
function workerSource(): string {
  return `
var __name = function (f) { return f; }; // esbuild's keepNames helper, when the source came through tsx
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const parseAggTradeLines = (${parseAggTradeLines.toString()});
const { file, from, to, chunkBytes, capacity, skipBad, port, ctrl } = workerData;
const flags = new Int32Array(ctrl);
function cols() {
  return { n: 0, id: new Float64Array(capacity), ts: new Float64Array(capacity), price: new Float64Array(capacity), qty: new Float64Array(capacity), side: new Uint8Array(capacity) };
}
function post(msg, transfer) {
  while (Atomics.load(flags, 0) >= ${MAX_IN_FLIGHT}) Atomics.wait(flags, 0, Atomics.load(flags, 0), 50);
  Atomics.add(flags, 0, 1);
  port.postMessage(msg, transfer);
}
try {
  const st = { line: 1, skipBad, badRows: 0, badSamples: [], errorLine: 0, errorReason: '', errorColumn: 0, msRows: 0, usRows: 0 };
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(chunkBytes + 1);
  let out = cols();
  let carry = 0, pos = from, done = 0;
  const ship = () => {
    if (out.n === 0) return;
    post({ type: 'rows', n: out.n, id: out.id, ts: out.ts, price: out.price, qty: out.qty, side: out.side, bytesDone: done },
      [out.id.buffer, out.ts.buffer, out.price.buffer, out.qty.buffer, out.side.buffer]);
    out = cols();
  };
  outer: for (;;) {
    const want = Math.min(chunkBytes - carry, to - pos);
    const got = want > 0 ? fs.readSync(fd, buf, carry, want, pos) : 0;
    pos += got;
    let len = carry + got;
    if (len === 0) break;
    let lineEnd;
    if (pos >= to) { if (buf[len - 1] !== 10) buf[len++] = 10; lineEnd = len; }
    else {
      lineEnd = buf.lastIndexOf(10, len - 1) + 1;
      if (lineEnd === 0) { st.errorLine = st.line; st.errorReason = 'line longer than ' + (chunkBytes >> 20) + ' MB; this is not an aggTrades CSV'; break; }
    }
    let at = 0;
    while (at < lineEnd) {
      at = parseAggTradeLines(buf, at, lineEnd, out, st);
      if (st.errorReason) break outer;
      if (out.n === capacity) ship();
    }
    carry = len - lineEnd;
    if (carry > 0) buf.copy(buf, 0, lineEnd, len);
    done = Math.min(pos, to) - from - carry;
    ship();
    if (pos >= to && carry === 0) break;
  }
  ship();
  fs.closeSync(fd);
  port.postMessage({ type: 'done', st, bytesDone: to - from });
} catch (e) {
  port.postMessage({ type: 'fail', message: String((e && e.message) || e) });
}
`;
}

async function scanInTwo(file: string, fd: number, dataStart: number, split: number, size: number, header: boolean, o: ScanOptions): Promise<AggTradesScan | null> {
  const { port1, port2 } = new MessageChannel();
  const ctrl = new SharedArrayBuffer(8);
  const flags = new Int32Array(ctrl);
  const worker = new Worker(workerSource(), {
    eval: true,
    workerData: { file, from: split, to: size, chunkBytes: CHUNK_BYTES, capacity: ROWS_PER_FLUSH, skipBad: o.skipBad, port: port2, ctrl },
    transferList: [port2],
  });
  const storeA = new TradeWindowStore(o.baseIntervalMs);
  const storeB = new TradeWindowStore(o.baseIntervalMs);
  let mainDone = 0;
  let workerDone = 0;
  let workerSt: AggTradeParseState | null = null;
  let failure: Error | null = null;
  const report = () => o.onProgress?.(dataStart + mainDone + workerDone, size);
  const handle = (m: WorkerMessage): void => {
    if (m.type === 'rows') {
      storeB.addColumns(m.ts, m.id, m.price, m.qty, m.side, 0, m.n);
      workerDone = m.bytesDone;
      Atomics.sub(flags, 0, 1);
      Atomics.notify(flags, 0);
    } else if (m.type === 'done') {
      workerSt = m.st;
      workerDone = m.bytesDone;
    } else failure = new Error(`the scanning worker failed: ${m.message}`);
  };
  const poll = (port: MessagePort): void => {
    for (let r = receiveMessageOnPort(port); r; r = receiveMessageOnPort(port)) handle(r.message as WorkerMessage);
  };
  try {
    const st = newAggTradeParseState(o.skipBad, header ? 2 : 1);
    scanRange(fd, dataStart, split, st, newAggTradeColumns(ROWS_PER_FLUSH), storeA, (done) => {
      mainDone = done;
      poll(port1);
      report();
    });
    // The first half's error comes first in the file.
    throwIfStopped(st, st.errorLine);
    if (!workerSt && !failure) {
      await new Promise<void>((resolve, reject) => {
        port1.on('message', (m: WorkerMessage) => {
          handle(m);
          report();
          if (failure) reject(failure);
          else if (workerSt) resolve();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          // Its last messages may still sit in the port when the exit event comes first.
          poll(port1);
          if (workerSt) resolve();
          else reject(failure ?? new Error(`the scanning worker stopped (exit code ${code})`));
        });
      });
    }
    if (failure) throw failure;
    const ws = workerSt as AggTradeParseState | null;
    if (!ws) throw new Error('the scanning worker ended without a result');
    // Worker lines count from 1 at the split; st.line is the split's line number.
    const offset = st.line - 1;
    throwIfStopped(ws, ws.errorLine + offset);
    const a = storeA.idRange();
    const b = storeB.idRange();
    if (a.min <= b.max && b.min <= a.max) return null;
    storeA.merge(storeB);
    const samples = [...st.badSamples, ...ws.badSamples.map((s) => ({ line: s.line + offset, reason: s.reason }))].slice(0, 20);
    return {
      store: storeA,
      header,
      badRows: st.badRows + ws.badRows,
      badSamples: samples,
      msRows: st.msRows + ws.msRows,
      usRows: st.usRows + ws.usRows,
      bytes: size,
      threads: 2,
    };
  } finally {
    port1.close();
    await worker.terminate();
  }
}
