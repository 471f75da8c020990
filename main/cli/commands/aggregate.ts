import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { chooseBaseInterval, parseInterval, type ParsedInterval } from '../../marketdata/bar-interval.js';
import { BAR_CSV_HEADER, barCsvRow } from '../aggtrades/bar-csv.js';
import { ProgressBar } from '../aggtrades/progress-bar.js';
import { scanAggTradesFile, type AggTradesScan } from '../aggtrades/scan-agg-trades-file.js';
import { CliUsageError, type CliCommand } from '../command.js';

const DEFAULT_INTERVALS = '5m,1h,4h,8h,12h,24h';
/** Below this a scan takes well under a second: no bar unless asked for. */
const PROGRESS_MIN_BYTES = 32 << 20;

const USAGE = `kestrel aggregate --input FILE --symbol SYM --out FILE.csv [--intervals ${DEFAULT_INTERVALS}] [--skip-bad] [--threads 1|2] [--progress|--no-progress]

Builds bars from a Binance aggTrades CSV (agg_trade_id,price,quantity,first_trade_id,last_trade_id,
transact_time,is_buyer_maker[,is_best_match]; header optional; transact_time in ms or µs), or from a
trades Parquet file of Kestrel's store (…/parquet/trades/venue=…/symbol=…/date=…/part-….parquet).
Writes one row per window per interval, empty windows included (o=h=l=c=previous close, vwap NaN):
  ${BAR_CSV_HEADER}
  --symbol     written in the symbol column as given
  --intervals  comma-separated, each dividing a UTC day (1m 5m 15m 1h 4h 8h 12h 24h 1d ...);
               written as given; rows are grouped by interval in this order, oldest first
  --skip-bad   count and skip malformed rows instead of stopping at the first one
  --threads    2 scans the second half of a large file on another core (default: the core count, max 2)
  --progress   progress bar on stderr (default: on a terminal, for inputs over 32 MB)
Trades repeated by agg_trade_id are dropped and counted. The input may be in any order.`;

const Args = z.object({
  input: z.string({ error: '--input FILE is required' }).min(1, '--input FILE is required'),
  symbol: z.string({ error: '--symbol SYM is required (written in the symbol column)' }).trim().min(1, '--symbol must not be empty'),
  out: z.string({ error: '--out FILE.csv is required' }).min(1, '--out FILE.csv is required'),
  intervals: z.string().default(DEFAULT_INTERVALS),
  skipBad: z.boolean().default(false),
  threads: z.coerce.number({ error: '--threads must be 1 or 2' }).int('--threads must be 1 or 2').min(1, '--threads must be 1 or 2').max(2, '--threads must be 1 or 2').optional(),
  progress: z.boolean().optional(),
});

function parseIntervals(text: string): ParsedInterval[] {
  const labels = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (labels.length === 0) throw new CliUsageError('--intervals needs at least one interval, e.g. 5m,1h');
  const out: ParsedInterval[] = [];
  for (const label of labels) {
    let iv: ParsedInterval;
    try {
      iv = parseInterval(label);
    } catch (err) {
      throw new CliUsageError(`--intervals: ${(err as Error).message}`);
    }
    const same = out.find((o) => o.ms === iv.ms);
    if (same) throw new CliUsageError(`--intervals lists the same window twice (${same.label} and ${label})`);
    out.push(iv);
  }
  return out;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Parquet starts with "PAR1"; a .parquet name counts too, so a damaged one is reported as such. */
function isParquetFile(file: string): boolean {
  if (/\.parquet$/i.test(file)) return true;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    closeSync(fd);
  }
}

export const aggregateCommand: CliCommand = {
  name: 'aggregate',
  summary: 'build 5m/1h/…/24h bars from a Binance aggTrades CSV into a CSV',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        symbol: { type: 'string' },
        out: { type: 'string' },
        intervals: { type: 'string' },
        'skip-bad': { type: 'boolean' },
        threads: { type: 'string' },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"; the file goes after --input`);
    const parsed = Args.safeParse({
      input: values.input,
      symbol: values.symbol,
      out: values.out,
      intervals: values.intervals,
      skipBad: values['skip-bad'],
      threads: values.threads,
      progress: values['no-progress'] ? false : values.progress,
    });
    if (!parsed.success) throw new CliUsageError(parsed.error.issues.map((i) => i.message).join('; '));
    const a = parsed.data;
    const intervals = parseIntervals(a.intervals);
    const input = path.resolve(a.input);
    if (!existsSync(input) || !statSync(input).isFile()) throw new CliUsageError(`--input ${a.input}: no such file`);
    const out = path.resolve(a.out);
    if (!existsSync(path.dirname(out))) throw new CliUsageError(`--out ${a.out}: folder ${path.dirname(out)} does not exist`);
    if (out === input) throw new CliUsageError('--out must not be the input file');

    const size = statSync(input).size;
    const base = chooseBaseInterval(intervals, parseInterval('5m'));
    const started = performance.now();
    const parquet = isParquetFile(input);
    let scan: AggTradesScan;
    if (parquet) {
      // Lazy: parquet-wasm compiles its WebAssembly on import, which CSV runs should not pay for.
      const { scanTradesParquetFile } = await import('../aggtrades/scan-trades-parquet-file.js');
      scan = await scanTradesParquetFile(input, { baseIntervalMs: base.ms, skipBad: a.skipBad });
    } else {
      const showProgress = a.progress ?? (process.stderr.isTTY === true && size >= PROGRESS_MIN_BYTES);
      const bar = showProgress ? new ProgressBar(process.stderr, 'aggregate', size) : null;
      try {
        scan = await scanAggTradesFile(input, {
          baseIntervalMs: base.ms,
          skipBad: a.skipBad,
          ...(a.threads !== undefined ? { threads: a.threads } : {}),
          ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
        });
      } finally {
        bar?.finish();
      }
    }
    const { store } = scan;
    if (store.accepted === 0) {
      throw new Error(`no valid trades in ${a.input}${scan.badRows ? ` (${count(scan.badRows)} bad rows skipped)` : ''}; nothing written`);
    }

    const bars = store.toBars(a.symbol, intervals);
    let rows = 0;
    // Write beside the target and rename, so a failed run never leaves half a file.
    const tmp = `${out}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    let open = true;
    try {
      writeSync(fd, `${BAR_CSV_HEADER}\n`);
      for (const iv of intervals) {
        const list = bars.get(iv.label) ?? [];
        for (let k = 0; k < list.length; k += 10_000) {
          writeSync(fd, `${list.slice(k, k + 10_000).map((b) => barCsvRow(a.symbol, b)).join('\n')}\n`);
        }
        rows += list.length;
      }
      closeSync(fd);
      open = false;
      renameSync(tmp, out);
    } catch (err) {
      if (open) closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }

    const secs = ((performance.now() - started) / 1000).toFixed(2);
    const unit = parquet ? 'Parquet, ts in ms' : `transact_time in ${scan.usRows && scan.msRows ? 'ms and µs' : scan.usRows ? 'µs' : 'ms'}`;
    const perInterval = intervals.map((iv) => `${iv.label} ${count(bars.get(iv.label)?.length ?? 0)}`).join(', ');
    process.stderr.write(
      `aggregate: ${count(store.accepted)} trades (${unit}) → ${count(rows)} bars (${perInterval}) in ${a.out}, ${secs} s` +
        `${store.duplicates ? `; ${count(store.duplicates)} repeated trade ids dropped` : ''}` +
        `${scan.badRows ? `; ${count(scan.badRows)} bad rows skipped` : ''}\n`,
    );
    for (const s of scan.badSamples.slice(0, 5)) process.stderr.write(`  ${parquet ? 'row' : 'line'} ${s.line}: ${s.reason}\n`);
    if (scan.badRows > 5) process.stderr.write(`  … and ${count(scan.badRows - 5)} more\n`);
    return 0;
  },
};
