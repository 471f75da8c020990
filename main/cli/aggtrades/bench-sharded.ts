import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Bar } from '../../../shared/model/market.js';
import type { BarEventKind } from '../../marketdata/bar-events.js';
import type { TradeBatch } from '../../marketdata/trade-batch.js';
import type { SyntheticTrades } from './bench-data.js';

/** One shard's trades: the benchmark's columns for its symbols, in SharedArrayBuffers (not copied to the worker). */
export interface ShardColumns {
  count: number;
  batchSize: number;
  instrumentIds: string[];
  tsBaseMs: number;
  idBase: SharedArrayBuffer;
  slotSide: SharedArrayBuffer;
  price: SharedArrayBuffer;
  qty: SharedArrayBuffer;
  tsOffsetMs: SharedArrayBuffer;
  idOffset: SharedArrayBuffer;
}

export interface ShardWorkerData {
  shard: ShardColumns;
  intervals: string[];
  graceMs: number;
  /** Venue time of the feed's last trade: every shard closes the same windows. */
  lastTsMs: number;
}

export interface ShardRequest {
  type: 'run';
  collectBars: boolean;
}

export interface ShardResult {
  seconds: number;
  accepted: number;
  /** Every bar event (collectBars only: the equivalence test, never a timed run). */
  bars: [Bar, BarEventKind][] | null;
  barCount: number;
}

/**
 * Splits the benchmark trades by symbol (symbol index mod `shards`) into SharedArrayBuffer columns,
 * keeping each symbol's trades in feed order, so each shard's bars are exactly that symbol's bars of
 * the single-threaded run. A feed handler would route trades to a shard's TradeBatchBuilder the same
 * way as they arrive, so the split is not timed.
 */
export function shardTradesBySymbol(data: SyntheticTrades, shards: number, batchSize = 65_536): ShardColumns[] {
  const first = data.batches[0];
  if (!first) throw new Error('no trades to shard');
  // The generator shares one instrument list, id bases and time base across its batches.
  for (const b of data.batches) {
    if (b.instrumentIds !== first.instrumentIds || b.idBase !== first.idBase || b.tsBaseMs !== first.tsBaseMs) {
      throw new Error('sharding needs batches that share instruments, id bases and time base (as generateTradeBatches makes)');
    }
  }
  const counts = new Array<number>(shards).fill(0);
  for (const b of data.batches) for (let i = 0; i < b.length; i++) counts[(b.slotSide[i]! >>> 1) % shards]!++;
  const out = counts.map((count): ShardColumns => {
    const idBase = new SharedArrayBuffer(first.idBase.byteLength);
    new Float64Array(idBase).set(first.idBase);
    return {
      count,
      batchSize,
      instrumentIds: first.instrumentIds,
      tsBaseMs: first.tsBaseMs,
      idBase,
      slotSide: new SharedArrayBuffer(count * 2),
      price: new SharedArrayBuffer(count * 8),
      qty: new SharedArrayBuffer(count * 8),
      tsOffsetMs: new SharedArrayBuffer(count * 4),
      idOffset: new SharedArrayBuffer(count * 4),
    };
  });
  const views = out.map((c) => ({
    slotSide: new Uint16Array(c.slotSide),
    price: new Float64Array(c.price),
    qty: new Float64Array(c.qty),
    tsOffsetMs: new Uint32Array(c.tsOffsetMs),
    idOffset: new Uint32Array(c.idOffset),
    n: 0,
  }));
  for (const b of data.batches) {
    for (let i = 0; i < b.length; i++) {
      const v = views[(b.slotSide[i]! >>> 1) % shards]!;
      const k = v.n++;
      v.slotSide[k] = b.slotSide[i]!;
      v.price[k] = b.price[i]!;
      v.qty[k] = b.qty[i]!;
      v.tsOffsetMs[k] = b.tsOffsetMs[i]!;
      v.idOffset[k] = b.idOffset[i]!;
    }
  }
  return out;
}

/** A shard's columns as TradeBatches (views on the shared memory, no copy). */
export function shardBatches(c: ShardColumns): TradeBatch[] {
  const idBase = new Float64Array(c.idBase);
  const slotSide = new Uint16Array(c.slotSide);
  const price = new Float64Array(c.price);
  const qty = new Float64Array(c.qty);
  const tsOffsetMs = new Uint32Array(c.tsOffsetMs);
  const idOffset = new Uint32Array(c.idOffset);
  const batches: TradeBatch[] = [];
  for (let from = 0; from < c.count; from += c.batchSize) {
    const to = Math.min(c.count, from + c.batchSize);
    batches.push({
      length: to - from,
      instrumentIds: c.instrumentIds,
      idBase,
      tsBaseMs: c.tsBaseMs,
      slotSide: slotSide.subarray(from, to),
      price: price.subarray(from, to),
      qty: qty.subarray(from, to),
      tsOffsetMs: tsOffsetMs.subarray(from, to),
      idOffset: idOffset.subarray(from, to),
    });
  }
  return batches;
}

/** Running from TypeScript sources (dev, tests) or from the esbuild bundle in dist/main/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

function spawnShardWorker(wd: ShardWorkerData): Worker {
  if (FROM_SOURCE) {
    const entry = new URL('./bench-shard-worker.ts', import.meta.url).href;
    return new Worker(fileURLToPath(new URL('../../workers/bootstrap.mjs', import.meta.url)), { workerData: { ...wd, __entry: entry } });
  }
  const bundled = new URL('./workers/bench-shard.worker.js', import.meta.url);
  if (!existsSync(bundled)) throw new Error('the sharded benchmark needs dist/main/workers/bench-shard.worker.js, which this build does not have');
  return new Worker(bundled, { workerData: wd });
}

/**
 * Worker threads, one per shard, each holding a BarAggregator over its shard's columns. `run()`
 * starts all of them at once and resolves when the last one is done; its time is wall-clock from
 * the start message to the last result (the workers' start-up is not in it).
 */
export class ShardedAggregatorRunner {
  private constructor(private readonly workers: Worker[]) {}

  static async start(shards: ShardColumns[], intervals: string[], graceMs: number, lastTsMs: number): Promise<ShardedAggregatorRunner> {
    const workers: Worker[] = [];
    try {
      for (const shard of shards) workers.push(spawnShardWorker({ shard, intervals, graceMs, lastTsMs }));
      await Promise.all(workers.map((w) => nextMessage(w)));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ShardedAggregatorRunner(workers);
  }

  async run(collectBars = false): Promise<{ seconds: number; results: ShardResult[] }> {
    const t0 = performance.now();
    const pending = this.workers.map((w) => nextMessage(w) as Promise<ShardResult>);
    for (const w of this.workers) w.postMessage({ type: 'run', collectBars } satisfies ShardRequest);
    const results = await Promise.all(pending);
    return { seconds: (performance.now() - t0) / 1000, results };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function nextMessage(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      w.off('error', onError);
      w.off('exit', onExit);
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      w.off('exit', onExit);
      reject(new Error(`a benchmark shard worker failed: ${e.message}`));
    };
    const onExit = (code: number): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      reject(new Error(`a benchmark shard worker stopped (exit code ${code})`));
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.once('exit', onExit);
  });
}
