import path from 'node:path';
import { parseArgs } from 'node:util';
import { CCXT_VENUE_IDS } from '../../adapters/ccxt/config.js';
import { parseInterval } from '../../marketdata/bar-interval.js';
import { ParquetStore } from '../../storage/parquet/parquet-store.js';
import { CcxtHistorySource } from '../../system/ccxt-history-source.js';
import { defaultDataDir } from '../../system/data-dir.js';
import { HistorySync, type HistoryTaskResult } from '../../system/history-sync.js';
import type { HistoryKind } from '../../system/market-data-services-config.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { openCliVenue, processIo, resolveCliInstrument, type CcxtCommandIo } from '../history/cli-venue.js';
import { JobProgress } from '../history/job-progress.js';
import { parseTimeArg } from '../history/time-arg.js';

const KINDS: Record<string, HistoryKind> = {
  trades: 'trades',
  bars: 'bars',
  funding: 'funding',
  premium: 'premiumIndex',
  'premium-index': 'premiumIndex',
  premiumindex: 'premiumIndex',
};

const USAGE = `kestrel backfill --venue ID --symbol SYM --from TIME [--to TIME] [--kind trades|bars|funding|premium] [options]

Fetches history from a crypto venue's REST API (through ccxt, within its rate limits) into the
Parquet store (<data-dir>/parquet/<dataset>/venue=…/symbol=…/date=…). Rows the store already holds
are not written again, so a range can be run twice or widened; holes inside it are filled.

  --venue ID          ${CCXT_VENUE_IDS.join(', ')}
  --symbol SYM        ccxt unified symbol (BTC/USDT:USDT) or instrument id (BINANCEUSDM:BTC/USDT:USDT)
  --kind K            trades (default): every public trade (aggTrades on Binance)
                      bars: the venue's klines with every bar field (Binance family only)
                      funding: funding payments of a perpetual, with the rate normalised to 24h
                      premium: premium index klines (Binance USDⓈ-M, Bybit)
  --from TIME         ISO-8601 (2024-08-08, 2024-08-08T23:55:00Z; no zone = UTC) or epoch ms
  --to TIME           same forms, or now (the default); a bar still forming is left out
  --interval I        bars and premium: kline interval (default 1m for bars, 5m for premium)
  --data-dir DIR      default: $KESTREL_DATA_DIR or the OS app-data folder
  --rest-url URL      replace the scheme and host of every REST URL (proxy, testnet, local fake)
  --testnet           use the venue's testnet (ccxt sandbox)
  --max-attempts N    tries per request range when the venue answers 429/418/5xx or times out (default 5)
  --timeout-ms N      per-request timeout (default 10000)
  --json              print the result as JSON instead of a summary
Progress goes to stderr: a bar on a terminal, a line every 10 % otherwise.`;

/** Kept as a name for this command's callers and tests. */
export type BackfillCommandIo = CcxtCommandIo;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliUsageError(`${flag} must be a whole number above 0, got "${value}"`);
  return n;
}

const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString());
const NOUN: Record<HistoryKind, string> = { trades: 'trades', bars: 'bars', funding: 'funding payments', premiumIndex: 'premium index klines' };

function summary(r: HistoryTaskResult, storeRoot: string, durationMs: number): string {
  const what = `${r.interval ? `${r.interval} ` : ''}${NOUN[r.fetchedAs]}`;
  const lines = [
    `wrote ${r.written.toLocaleString('en-US')} ${what} of ${r.instrumentId}` +
      (r.alreadyStored ? ` (${r.alreadyStored.toLocaleString('en-US')} more were already stored)` : '') +
      ` in ${(durationMs / 1000).toFixed(1)} s`,
    `  rows   ${r.written ? `${iso(r.firstMs)} .. ${iso(r.lastMs)}` : 'none new'}`,
    `  asked  ${iso(r.fromMs)} .. ${iso(r.toMs)}`,
    `  into   ${storeRoot}`,
  ];
  if (r.note) lines.push(`  note   ${r.note}`);
  return `${lines.join('\n')}\n`;
}

export function createBackfillCommand(io: BackfillCommandIo = processIo): CliCommand {
  return {
    name: 'backfill',
    summary: 'fetch trades, bars, funding or premium index history from a crypto venue into Parquet',
    usage: USAGE,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          venue: { type: 'string' },
          symbol: { type: 'string' },
          kind: { type: 'string', default: 'trades' },
          from: { type: 'string' },
          to: { type: 'string' },
          interval: { type: 'string' },
          'data-dir': { type: 'string' },
          'rest-url': { type: 'string' },
          testnet: { type: 'boolean', default: false },
          'max-attempts': { type: 'string' },
          'timeout-ms': { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
      const kind = KINDS[values.kind!.toLowerCase()];
      if (!kind) throw new CliUsageError(`--kind must be trades, bars, funding or premium, got "${values.kind}"`);
      if (!values.venue) throw new CliUsageError(`--venue is required (${CCXT_VENUE_IDS.join(', ')})`);
      if (!values.symbol) throw new CliUsageError('--symbol is required, e.g. --symbol BTC/USDT:USDT');
      if (!values.from) throw new CliUsageError('--from is required, e.g. --from 2024-08-08 or --from 1723161255000');
      const now = io.nowMs();
      const fromMs = parseTimeArg(values.from, '--from', now);
      const toMs = Math.min(now, parseTimeArg(values.to ?? 'now', '--to', now));
      if (fromMs > toMs) throw new CliUsageError(`--from ${iso(fromMs)} is after --to ${iso(toMs)}${toMs === now ? ' (now)' : ''}`);
      if (values.interval !== undefined) {
        if (kind !== 'bars' && kind !== 'premiumIndex') throw new CliUsageError('--interval goes with --kind bars or premium');
        try {
          parseInterval(values.interval);
        } catch (err) {
          throw new CliUsageError(`--interval: ${(err as Error).message}`);
        }
      }
      const maxAttempts = positiveInt(values['max-attempts'], '--max-attempts', 5);
      const timeoutMs = positiveInt(values['timeout-ms'], '--timeout-ms', 10_000);
      const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());

      const progress = new JobProgress(io.err, 'backfill');
      const sleep = io.sleep;
      const venue = await openCliVenue({
        venue: values.venue,
        restUrl: values['rest-url'],
        testnet: values.testnet,
        timeoutMs,
        env: io.env,
        attempts: maxAttempts,
        ...(sleep ? { sleep } : {}),
        ...(io.venueConfig ? { configOverrides: io.venueConfig } : {}),
        onRetry: (m) => progress.warn(m),
      });
      try {
        const instrumentId = resolveCliInstrument(venue, values.symbol);
        const store = await ParquetStore.open({ dataDir, onWarning: (m) => progress.warn(`warning: ${m}`) });
        const sync = new HistorySync({
          source: new CcxtHistorySource(() => venue),
          store,
          settings: { maxAttempts },
          ...(sleep ? { sleep } : {}),
          progressIntervalMs: 100,
          onProgress: (p) => {
            if (/; retrying in /.test(p.message)) progress.warn(p.message);
            else progress.update(p);
          },
        });
        const started = io.nowMs();
        let result: HistoryTaskResult;
        try {
          result = await sync.backfill(instrumentId, kind, fromMs, toMs, values.interval);
        } finally {
          progress.finish();
        }
        const durationMs = io.nowMs() - started;
        if (values.json) io.out(`${JSON.stringify({ ...result, durationMs, dataDir, storeRoot: store.root })}\n`);
        else io.out(summary(result, store.root, durationMs));
        if (values.json && !result.complete && result.note) io.err.write(`backfill: not everything in the range was available: ${result.note}\n`);
        return 0;
      } finally {
        await venue.close();
      }
    },
  };
}

export const backfillCommand: CliCommand = createBackfillCommand();
