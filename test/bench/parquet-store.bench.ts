/**
 * Parquet store throughput: writes and reads generated trades through ParquetStore and prints
 * rows/s as JSON. Data goes to os.tmpdir() and is removed afterwards.
 *   npx tsx test/bench/parquet-store.bench.ts [rows=2000000] [runs=3]
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ParquetStore } from '../../main/storage/parquet/parquet-store.js';
import { tradeColumnsToColumns, type TradeColumns } from '../../main/storage/parquet/model-columns.js';
import { toArrowTable } from '../../main/storage/parquet/columnar.js';
import { TRADES_SCHEMA } from '../../main/storage/parquet/datasets.js';
import { createParquetCodec } from '../../main/storage/parquet/parquet-codec.js';

function generateTrades(n: number, startMs: number): TradeColumns {
  const t: TradeColumns = {
    length: n,
    tsMs: new Float64Array(n),
    tsInitMs: new Float64Array(n),
    tradeId: new Array<string>(n),
    price: new Float64Array(n),
    quantity: new Float64Array(n),
    isBuyerMaker: new Uint8Array(n),
  };
  let price = 60_000;
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 4_294_967_296);
  // n trades spread over 12 hours of one UTC day, several per millisecond at times, like a busy perp.
  const stepMs = (12 * 3_600_000) / n;
  for (let i = 0; i < n; i++) {
    const ts = startMs + Math.floor(i * stepMs);
    price = Math.max(1, price + (rnd() - 0.5) * 5);
    t.tsMs[i] = ts;
    t.tsInitMs[i] = ts + 3;
    t.tradeId[i] = String(5_000_000_000 + i);
    t.price[i] = Math.round(price * 10) / 10;
    t.quantity[i] = Math.round(rnd() * 1000) / 1000 + 0.001;
    t.isBuyerMaker[i] = rnd() < 0.5 ? 1 : 0;
  }
  return t;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

const rows = Number(process.argv[2] ?? 2_000_000);
const runs = Number(process.argv[3] ?? 3);
const trades = generateTrades(rows, Date.UTC(2024, 7, 8));
type Run = { writeRowsPerSec: number; readRowsPerSec: number; readStringIdsRowsPerSec: number; codecWriteRowsPerSec: number; codecReadRowsPerSec: number; bytesPerRow: number };
const results: Run[] = [];
const codec = await createParquetCodec();
const rate = (t0: number, t1: number) => Math.round(rows / ((t1 - t0) / 1000));
for (let run = 0; run < runs; run++) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-pq-bench-'));
  try {
    const store = await ParquetStore.open({ dataDir });
    const w0 = performance.now();
    await store.writeTrades({ venue: 'BENCH', symbol: 'BTC/USDT:USDT', trades });
    const w1 = performance.now();
    const back = await store.readTrades({ venue: 'BENCH', symbol: 'BTC/USDT:USDT' });
    const r1 = performance.now();
    if (back.length !== rows) throw new Error(`read ${back.length} rows, wrote ${rows}`);
    const r2 = performance.now();
    await store.readTrades({ venue: 'BENCH', symbol: 'BTC/USDT:USDT', tradeIds: 'string' });
    const r3 = performance.now();
    // Reference in the same run: parquet-wasm alone on the same Arrow table, as BASELINES.md measured it
    // (no partitioning, no file IO, no conversion to typed arrays).
    const table = toArrowTable(TRADES_SCHEMA.columns, tradeColumnsToColumns(trades));
    const c0 = performance.now();
    const bytes = codec.encode(table, TRADES_SCHEMA.columns);
    const c1 = performance.now();
    const decoded = codec.decode(bytes);
    const c2 = performance.now();
    if (decoded.numRows !== rows) throw new Error('codec round trip lost rows');
    results.push({
      writeRowsPerSec: rate(w0, w1),
      readRowsPerSec: rate(w1, r1),
      readStringIdsRowsPerSec: rate(r2, r3),
      codecWriteRowsPerSec: rate(c0, c1),
      codecReadRowsPerSec: rate(c1, c2),
      bytesPerRow: Math.round((dirBytes(store.root) / rows) * 10) / 10,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify(
    {
      rows,
      runs,
      writeRowsPerSec: median(results.map((r) => r.writeRowsPerSec)),
      readRowsPerSec: median(results.map((r) => r.readRowsPerSec)),
      readStringIdsRowsPerSec: median(results.map((r) => r.readStringIdsRowsPerSec)),
      codecWriteRowsPerSec: median(results.map((r) => r.codecWriteRowsPerSec)),
      codecReadRowsPerSec: median(results.map((r) => r.codecReadRowsPerSec)),
      writeVsCodec: Math.round((median(results.map((r) => r.writeRowsPerSec / r.codecWriteRowsPerSec)) ) * 100) / 100,
      readVsCodec: Math.round(median(results.map((r) => r.readRowsPerSec / r.codecReadRowsPerSec)) * 100) / 100,
      bytesPerRow: median(results.map((r) => r.bytesPerRow)),
      perRun: results,
    },
    null,
    2,
  ),
);
