import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../system/data-dir.js';
import { ParquetStore } from '../../storage/parquet/parquet-store.js';
import { BadTradeRowError, importTradeFile, TRADE_FILE_FORMATS, type ImportProgress, type TradeFileFormat } from '../../storage/parquet/trade-file-import.js';
import { normaliseVenue } from '../../storage/parquet/dataset-io.js';
import { CliUsageError, type CliCommand } from '../command.js';

const USAGE = `kestrel import --input FILE --venue VENUE --symbol SYMBOL [--format auto|aggtrades-csv|hftbacktest] [--data-dir DIR] [--skip-bad]

Imports recorded trades into the Parquet store (<data-dir>/parquet/trades/venue=…/symbol=…/date=…).
  --input     Binance aggTrades CSV (agg_trade_id,price,quantity,first_trade_id,last_trade_id,
              transact_time,is_buyer_maker[,is_best_match]; header optional; ms or µs; plain or .gz)
              or an hftbacktest websocket recording (gzip, "<local_ns> <json>" per line)
  --venue     venue id as in instrument ids, e.g. BINANCEUSDM
  --symbol    ccxt unified symbol, e.g. BTC/USDT:USDT
  --format    default auto (told apart by the first line)
  --data-dir  default: $KESTREL_DATA_DIR or the OS app-data folder
  --skip-bad  count and skip malformed rows instead of stopping at the first one`;

function formatBytes(n: number): string {
  return `${(n / 1_048_576).toFixed(1)} MB`;
}

/** One progress line on stderr, redrawn in place on a terminal, printed every ~10 % otherwise. */
function progressPrinter(): { update: (p: ImportProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let lastText = '';
  let printed = false;
  return {
    update(p) {
      const pct = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytesRead / p.totalBytes) * 100)) : 100;
      const text = `import: ${p.rows.toLocaleString('en-US')} trades, ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)} (${pct}%)`;
      if (tty) {
        process.stderr.write(`\r${text}`);
        printed = true;
      } else if ((p.done && text !== lastText) || Math.floor(pct / 10) !== lastDecile) {
        lastDecile = Math.floor(pct / 10);
        lastText = text;
        process.stderr.write(`${text}\n`);
      }
    },
    done() {
      if (tty && printed) process.stderr.write('\n');
    },
  };
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import recorded trade files (Binance aggTrades CSV, hftbacktest recordings) into the Parquet store',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        input: { type: 'string' },
        format: { type: 'string', default: 'auto' },
        venue: { type: 'string' },
        symbol: { type: 'string' },
        'data-dir': { type: 'string' },
        'skip-bad': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"; the file goes after --input`);
    if (!values.input) throw new CliUsageError('--input FILE is required');
    if (!values.venue) throw new CliUsageError('--venue is required, e.g. --venue BINANCEUSDM');
    if (!values.symbol) throw new CliUsageError('--symbol is required, e.g. --symbol BTC/USDT:USDT');
    const format = values.format!;
    if (format !== 'auto' && !(TRADE_FILE_FORMATS as readonly string[]).includes(format)) {
      throw new CliUsageError(`--format must be auto, ${TRADE_FILE_FORMATS.join(' or ')}; got "${format}"`);
    }
    const input = path.resolve(values.input);
    if (!existsSync(input) || !statSync(input).isFile()) throw new CliUsageError(`--input ${values.input}: no such file`);
    let venue: string;
    try {
      venue = normaliseVenue(values.venue);
    } catch (err) {
      throw new CliUsageError(`--venue: ${(err as Error).message}`);
    }
    const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());

    const store = await ParquetStore.open({ dataDir, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
    const progress = progressPrinter();
    let result;
    try {
      result = await importTradeFile(store, {
        input,
        format: format as TradeFileFormat | 'auto',
        venue,
        symbol: values.symbol,
        skipBad: values['skip-bad'],
        onProgress: progress.update,
      });
    } catch (err) {
      progress.done();
      if (err instanceof BadTradeRowError) {
        process.stderr.write(`kestrel import: ${input} ${err.message}\nnothing was imported; fix the row or pass --skip-bad to skip bad rows\n`);
        return 1;
      }
      throw err;
    }
    progress.done();

    const span = result.firstTsMs === null ? '' : ` from ${new Date(result.firstTsMs).toISOString()} to ${new Date(result.lastTsMs!).toISOString()}`;
    process.stdout.write(`imported ${result.rows.toLocaleString('en-US')} ${venue}:${values.symbol} trades (${result.format})${span} into ${store.root} (${result.files.length} part file${result.files.length === 1 ? '' : 's'})\n`);
    if (result.skippedFrames > 0) process.stdout.write(`skipped ${result.skippedFrames.toLocaleString('en-US')} frames that are not trades\n`);
    if (result.skippedNonMarket > 0) process.stdout.write(`skipped ${result.skippedNonMarket.toLocaleString('en-US')} non-MARKET trades (insurance fund, ADL)\n`);
    for (const [sym, n] of Object.entries(result.otherSymbols)) process.stdout.write(`skipped ${n.toLocaleString('en-US')} trades of ${sym}, another symbol\n`);
    if (result.badRows > 0) {
      process.stderr.write(`skipped ${result.badRows.toLocaleString('en-US')} bad rows:\n`);
      for (const b of result.badRowSamples) process.stderr.write(`  line ${b.line}: ${b.reason}\n`);
      if (result.badRows > result.badRowSamples.length) process.stderr.write(`  … and ${result.badRows - result.badRowSamples.length} more\n`);
    }
    return 0;
  },
};
