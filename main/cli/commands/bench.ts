import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Bar } from '../../../shared/model/market.js';
import { BarAggregator } from '../../marketdata/bar-aggregator.js';
import type { BarEventKind } from '../../marketdata/bar-events.js';
import { aggTradesCsvBlocks, generateTradeBatches, scanFloor, type SyntheticTrades } from '../aggtrades/bench-data.js';
import { ShardedAggregatorRunner, shardTradesBySymbol } from '../aggtrades/bench-sharded.js';
import { aggTradesCsvSource, barsSql, loadTradesIntoDuckDb } from '../aggtrades/duckdb-bench.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { aggregateCommand } from './aggregate.js';

const USAGE = `kestrel bench [--trades N] [--symbols N] [--csv-rows N] [--runs N] [--skip-csv] [--skip-sharded]

Measures the bar aggregator and prints JSON (figures are medians of --runs, each ratio paired within a run):
  aggregator   trades/s of BarAggregator over columnar batches (26 B per trade held), of a memory-scan
               floor over the same arrays, and of DuckDB's GROUP BY on the same trades; their ratios
  sharded      the same trades split by symbol into SharedArrayBuffer columns, two worker threads
               aggregating one half of the symbols each, timed from start to both done, against the
               same one-thread floor (labelled: 2 threads vs 1)
  endToEnd     \`kestrel aggregate\` on a generated aggTrades CSV vs DuckDB read_csv + GROUP BY of it
               (the CSV is written to the OS temp folder and deleted after)
  --trades     default 10,000,000 (over --symbols, default 20)
  --csv-rows   default 5,000,000
  --runs       default 3`;

const Args = z.object({
  trades: z.coerce.number().int().min(1_000, '--trades must be at least 1000').max(100_000_000),
  symbols: z.coerce.number().int().min(1).max(1_000),
  csvRows: z.coerce.number().int().min(1_000, '--csv-rows must be at least 1000').max(100_000_000),
  runs: z.coerce.number().int().min(1).max(20),
  skipCsv: z.boolean(),
  skipSharded: z.boolean(),
});

const INTERVALS = ['5m', '1h', '4h', '8h', '12h', '24h'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));
const log = (msg: string): void => void process.stderr.write(`bench: ${msg}\n`);

/** Keeps what the DuckDB cross-check needs from the 5m bars and nothing else. */
class CheckingSink {
  bars = 0;
  readonly fiveMinute = new Map<string, [number, number, number, number]>();
  onBar(bar: Bar, kind: BarEventKind): void {
    if (kind === 'partial') return;
    this.bars++;
    if (bar.interval === '5m' && bar.tradeCount > 0) this.fiveMinute.set(`${bar.instrumentId}|${bar.openTime}`, [bar.open, bar.close, bar.tradeCount, bar.volume]);
  }
}

function runAggregator(data: SyntheticTrades): { seconds: number; sink: CheckingSink; stateBytes: number } {
  const sink = new CheckingSink();
  const agg = new BarAggregator({ intervals: INTERVALS, graceMs: 2_000, sink });
  const t0 = performance.now();
  for (const b of data.batches) agg.addBatch(b);
  agg.flush();
  const seconds = (performance.now() - t0) / 1000;
  if (agg.stats().accepted !== data.count) throw new Error(`aggregator accepted ${agg.stats().accepted} of ${data.count} trades`);
  return { seconds, sink, stateBytes: agg.stateBytes() };
}

/** The per-trade string API (addTrade), on a prefix: what a caller pays without batches. */
function runAddTrade(data: SyntheticTrades, limit: number): number {
  const agg = new BarAggregator({ intervals: INTERVALS, graceMs: 2_000, sink: { onBar: () => {} } });
  let n = 0;
  const t0 = performance.now();
  for (const b of data.batches) {
    for (let i = 0; i < b.length && n < limit; i++, n++) {
      const ss = b.slotSide[i]!;
      const s = ss >>> 1;
      agg.addTrade(b.instrumentIds[s]!, b.idBase[s]! + b.idOffset[i]!, b.tsBaseMs + b.tsOffsetMs[i]!, b.price[i]!, b.qty[i]!, (ss & 1) === 1);
    }
    if (n >= limit) break;
  }
  agg.flush();
  return n / ((performance.now() - t0) / 1000);
}

const SHARDS = 2;

/**
 * The sharded mode: floor (1 thread) then both shards, paired per run like the single-thread figures.
 * A failure to start the workers is reported in the JSON rather than failing the whole benchmark.
 */
async function runSharded(data: SyntheticTrades, runs: number): Promise<Record<string, unknown>> {
  log(`sharded: ${SHARDS} worker threads, trades split by symbol`);
  const shards = shardTradesBySymbol(data, SHARDS);
  let runner: ShardedAggregatorRunner;
  try {
    runner = await ShardedAggregatorRunner.start(shards, INTERVALS, 2_000, data.lastTsMs);
  } catch (e) {
    return { threads: SHARDS, skipped: e instanceof Error ? e.message : String(e) };
  }
  try {
    const secs: number[] = [];
    const ratios: number[] = [];
    let shardSecs: number[] = [];
    let bars = 0;
    for (let r = 0; r <= runs; r++) {
      const t0 = performance.now();
      const checksum = scanFloor(data.batches);
      const floor = (performance.now() - t0) / 1000;
      if (!Number.isFinite(checksum)) throw new Error('floor checksum is not finite');
      const run = await runner.run();
      const accepted = run.results.reduce((n, x) => n + x.accepted, 0);
      if (accepted !== data.count) throw new Error(`the shards accepted ${accepted} of ${data.count} trades`);
      if (r === 0) continue;
      secs.push(run.seconds);
      ratios.push(floor / run.seconds);
      shardSecs = run.results.map((x) => round(x.seconds));
      bars = run.results.reduce((n, x) => n + x.barCount, 0);
    }
    const ratio = median(ratios);
    return {
      threads: SHARDS,
      floorThreads: 1,
      tradesPerSec: round(data.count / median(secs)),
      ratioToFloor: round(ratio),
      goalAggregatorToFloor: { goal: 0.5, met: ratio >= 0.5 },
      shardTrades: shards.map((s) => s.count),
      lastRunShardSec: shardSecs,
      barsEmitted: bars,
      note:
        `${SHARDS} worker threads each aggregate the symbols with index mod ${SHARDS} = their number, from SharedArrayBuffer columns ` +
        'split by symbol before timing (as a feed handler would route them); timed from the start message to the last shard done; ' +
        'the floor it is compared with runs on 1 thread. Sharded bars equal the single-thread bars (test/unit/main/cli/aggtrades/bench-sharded.test.ts).',
    };
  } finally {
    await runner.stop();
  }
}

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  for (const block of aggTradesCsvBlocks(rows)) {
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Runs `aggregate` in-process with its summary line kept off the benchmark's stderr. */
async function timeAggregateCommand(args: string[]): Promise<number> {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  const t0 = performance.now();
  try {
    const code = await aggregateCommand.run(args);
    if (code !== 0) throw new Error(`kestrel aggregate exited with ${code}`);
  } finally {
    process.stderr.write = write;
  }
  return (performance.now() - t0) / 1000;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'benchmark the bar aggregator against a memory-scan floor and DuckDB (prints JSON)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        trades: { type: 'string', default: '10000000' },
        symbols: { type: 'string', default: '20' },
        'csv-rows': { type: 'string', default: '5000000' },
        runs: { type: 'string', default: '3' },
        'skip-csv': { type: 'boolean', default: false },
        'skip-sharded': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
    const parsed = Args.safeParse({ trades: values.trades, symbols: values.symbols, csvRows: values['csv-rows'], runs: values.runs, skipCsv: values['skip-csv'], skipSharded: values['skip-sharded'] });
    if (!parsed.success) throw new CliUsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const a = parsed.data;
    const { DuckDBInstance, version: duckdbVersion } = await import('@duckdb/node-api');

    log(`generating ${a.trades.toLocaleString('en-US')} trades over ${a.symbols} symbols`);
    const data = generateTradeBatches(a.trades, a.symbols);

    // Paired runs: floor then aggregator, once to warm the JIT, then --runs times.
    const floorSecs: number[] = [];
    const aggSecs: number[] = [];
    const pairRatios: number[] = [];
    let last: ReturnType<typeof runAggregator> | null = null;
    for (let r = 0; r <= a.runs; r++) {
      const t0 = performance.now();
      const checksum = scanFloor(data.batches);
      const floor = (performance.now() - t0) / 1000;
      if (!Number.isFinite(checksum)) throw new Error('floor checksum is not finite');
      const run = runAggregator(data);
      if (r === 0) continue;
      floorSecs.push(floor);
      aggSecs.push(run.seconds);
      pairRatios.push(floor / run.seconds);
      last = run;
    }
    const sharded = a.skipSharded ? null : await runSharded(data, a.runs);
    log('per-trade addTrade() API');
    const addTradeRate = runAddTrade(data, Math.min(a.trades, 2_000_000));

    log('loading the same trades into DuckDB');
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await loadTradesIntoDuckDb(con, data);
    // Like for like is open/close by (time, id), as the aggregator does; DuckDB runs the by-time-only
    // variant faster, so both are timed and the ratio to the faster one is reported too.
    const duckSecs: number[] = [];
    const duckTimeOnlySecs: number[] = [];
    let duckRows: Record<string, unknown>[] = [];
    for (let r = 0; r <= a.runs; r++) {
      for (const byTimeOnly of [false, true]) {
        const t0 = performance.now();
        const reader = await con.runAndReadAll(barsSql('t', byTimeOnly));
        const secs = (performance.now() - t0) / 1000;
        if (!byTimeOnly && r === a.runs) duckRows = reader.getRowObjectsJS() as Record<string, unknown>[];
        if (r > 0) (byTimeOnly ? duckTimeOnlySecs : duckSecs).push(secs);
      }
    }

    // The aggregator's 5m bars must be DuckDB's.
    const sink = last!.sink;
    let mismatches = 0;
    let checked = 0;
    for (const row of duckRows) {
      if (row.i !== '5m') continue;
      checked++;
      const got = sink.fiveMinute.get(`${data.instrumentIds[Number(row.sym)]}|${Number(row.w)}`);
      const volume = Number(row.v);
      if (!got || got[0] !== row.o || got[1] !== row.c || got[2] !== Number(row.n) || Math.abs(got[3] - volume) > 1e-9 * volume) mismatches++;
    }
    if (checked !== sink.fiveMinute.size || mismatches > 0) throw new Error(`aggregator and DuckDB disagree on ${mismatches} of ${checked} 5m bars`);

    const aggregatorRate = a.trades / median(aggSecs);
    const floorRate = a.trades / median(floorSecs);
    const duckRate = a.trades / median(duckSecs);
    const duckTimeOnlyRate = a.trades / median(duckTimeOnlySecs);
    const bytesPerTrade = data.bytesHeld / a.trades;
    const result: Record<string, unknown> = {
      machine: { cpus: os.availableParallelism(), node: process.version, duckdb: duckdbVersion() },
      aggregator: {
        trades: a.trades,
        symbols: a.symbols,
        intervals: INTERVALS,
        runs: a.runs,
        tradesPerSec: {
          aggregator: round(aggregatorRate),
          floor: round(floorRate),
          duckdbGroupBy: round(duckRate),
          duckdbGroupByTimeOnly: round(duckTimeOnlyRate),
          addTradeApi: round(addTradeRate),
        },
        ratios: {
          aggregatorToFloor: round(median(pairRatios)),
          aggregatorToDuckdb: round(aggregatorRate / duckRate),
          aggregatorToDuckdbTimeOnly: round(aggregatorRate / duckTimeOnlyRate),
        },
        duckdbQuery: 'GROUP BY symbol and 5m window, open/close by (time, id), rolled up to 1h…24h; TimeOnly: open/close by time',
        duckdbThreads: os.availableParallelism(),
        bytesPerTradeHeld: round(bytesPerTrade),
        bytesPerInstrumentHeld: 8,
        aggregatorStateBytes: last!.stateBytes,
        barsEmitted: sink.bars,
        checkedAgainstDuckdb: `${checked} 5m bars identical (open, close, count; volume to 1e-9)`,
        goals: {
          aggregatorToFloor: { goal: 0.5, met: median(pairRatios) >= 0.5 },
          aggregatorToDuckdb: { goal: 6, met: aggregatorRate / duckRate >= 6 },
          bytesPerTradeHeld: { goal: 26, met: bytesPerTrade <= 26 },
        },
        ...(sharded ? { sharded } : {}),
      },
    };
    con.closeSync();

    if (!a.skipCsv) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-bench-'));
      try {
        const csv = path.join(dir, 'aggTrades.csv');
        log(`writing a ${a.csvRows.toLocaleString('en-US')}-row aggTrades CSV to ${dir}`);
        await writeCsv(csv, a.csvRows);
        const csvCon = await (await DuckDBInstance.create(':memory:')).connect();
        const sqlLike = barsSql(aggTradesCsvSource(csv));
        const sqlTimeOnly = barsSql(aggTradesCsvSource(csv), true);
        const kestrelSecs: number[] = [];
        const duckCsvSecs: number[] = [];
        const duckCsvTimeOnlySecs: number[] = [];
        const pairs: number[] = [];
        for (let r = 0; r <= a.runs; r++) {
          const k = await timeAggregateCommand(['--input', csv, '--symbol', 'BENCH', '--out', path.join(dir, 'bars.csv'), '--no-progress']);
          let t0 = performance.now();
          await csvCon.runAndReadAll(sqlLike);
          const d = (performance.now() - t0) / 1000;
          t0 = performance.now();
          await csvCon.runAndReadAll(sqlTimeOnly);
          const dt = (performance.now() - t0) / 1000;
          if (r === 0) continue;
          kestrelSecs.push(k);
          duckCsvSecs.push(d);
          duckCsvTimeOnlySecs.push(dt);
          // Against DuckDB's faster variant: the conservative ratio.
          pairs.push(k / Math.min(d, dt));
        }
        csvCon.closeSync();
        result.endToEnd = {
          rows: a.csvRows,
          csvBytes: statSync(csv).size,
          kestrelAggregateSec: round(median(kestrelSecs)),
          duckdbReadCsvGroupBySec: round(median(duckCsvSecs)),
          duckdbReadCsvGroupByTimeOnlySec: round(median(duckCsvTimeOnlySecs)),
          kestrelToDuckdbTime: round(median(pairs)),
          threads: Math.min(2, os.availableParallelism()),
          goal: { kestrelToDuckdbTime: 1, met: median(pairs) <= 1 },
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
};
