import path from 'node:path';
import { parseArgs } from 'node:util';
import { CCXT_VENUE_IDS } from '../../adapters/ccxt/config.js';
import { RefreshScheduleConfig } from '../../marketdata/universe/refresh-schedule.js';
import { UniverseRuleConfig, type UniverseCandidate } from '../../marketdata/universe/universe-rule.js';
import { UniverseStore } from '../../storage/universe/universe-store.js';
import { CcxtUniverseSource, type UniverseMarketType } from '../../system/ccxt-universe-source.js';
import { defaultDataDir } from '../../system/data-dir.js';
import { UniverseService, type UniverseRefreshResult } from '../../system/universe-service.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { openCliVenue, processIo, type CcxtCommandIo } from '../history/cli-venue.js';

const MARKET_TYPES = ['spot', 'swap', 'future'] as const;

const USAGE = `kestrel universe --venue ID [options]

Builds the tradable universe now from a crypto venue's listing and 24h tickers, writes it as the next
version file (<data-dir>/universe/YYYY-MM-DD/vN/universe.csv, dated in --time-zone; a pick equal to
the date's latest version is not written again) and prints it.

  --venue ID          ${CCXT_VENUE_IDS.join(', ')}
  --top N             keep the N largest by 24h quote volume (default 50)
  --min-age-days D    leave out markets listed fewer than D days ago (default 30; 0 = no check)
  --exclude A,B       symbols (LUNA/USDT:USDT), instrument ids, or base currencies (LUNA) to leave out
  --quote Q,R         quote currencies that may enter (default USDT; "any" for all)
  --min-volume X      24h quote volume floor (default 0)
  --market-type T     swap (perpetuals, default), spot or future; comma-separated for several
  --time-zone Z       IANA zone the universe date is taken in (default Asia/Shanghai)
  --data-dir DIR      default: $KESTREL_DATA_DIR or the OS app-data folder
  --rest-url URL      replace the scheme and host of every REST URL (proxy, testnet, local fake)
  --testnet           use the venue's testnet (ccxt sandbox)
  --json              print the version, its members and every instrument left out with the reason`;

/** Kept as a name for this command's callers and tests. */
export type UniverseCommandIo = CcxtCommandIo;

function numberArg(value: string | undefined, flag: string, opts: { integer?: boolean; min: number }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < opts.min || (opts.integer && !Number.isInteger(n)))
    throw new CliUsageError(`${flag} must be ${opts.integer ? 'a whole number' : 'a number'} of at least ${opts.min}, got "${value}"`);
  return n;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Bare base currencies (LUNA) become every candidate symbol with that base; symbols and ids stay. */
function expandExclusions(entries: string[], candidates: readonly UniverseCandidate[], warn: (m: string) => void): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.includes('/') || e.includes(':')) {
      if (!candidates.some((c) => c.symbol.toUpperCase() === e.toUpperCase() || c.instrumentId.toUpperCase() === e.toUpperCase())) warn(`--exclude ${e}: the venue lists no such market; nothing left out for it`);
      out.push(e);
      continue;
    }
    const base = e.toUpperCase();
    const matches = candidates.filter((c) => c.symbol.split('/')[0]!.toUpperCase() === base).map((c) => c.symbol);
    if (matches.length === 0) warn(`--exclude ${e}: no market has base currency ${base}; nothing left out for it`);
    out.push(...matches);
  }
  return out;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function describe(r: UniverseRefreshResult, venue: string, dir: string): string {
  const rule = r.rule!;
  const head =
    `universe ${r.date} ${r.version} ${r.created ? '(new)' : '(unchanged: same instruments as the stored version, not rewritten)'}: ` +
    `${r.members.length} of ${r.candidates} ${venue} markets — top ${rule.topN} by 24h quote volume` +
    (rule.minListingAgeDays > 0 ? `, listed at least ${rule.minListingAgeDays} days` : '') +
    (rule.quoteCurrencies.length ? `, quote ${rule.quoteCurrencies.join('/')}` : '') +
    (rule.excludeSymbols.length ? `, ${rule.excludeSymbols.length} excluded by name` : '');
  const rows = [
    ['rank', 'symbol', '24h quote volume', 'listed'],
    ...r.members.map((m) => [String(m.rank), m.symbol, Math.round(m.quoteVolume24h).toLocaleString('en-US'), m.listedAtMs === null ? '' : new Date(m.listedAtMs).toISOString().slice(0, 10)]),
  ];
  return `${head}\n${table(rows)}${r.excluded.length} left out (--json lists each with its reason); files in ${dir}\n`;
}

export function createUniverseCommand(io: UniverseCommandIo = processIo): CliCommand {
  return {
    name: 'universe',
    summary: 'build and write the next universe version from a crypto venue now',
    usage: USAGE,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          venue: { type: 'string' },
          top: { type: 'string' },
          'min-age-days': { type: 'string' },
          exclude: { type: 'string' },
          quote: { type: 'string' },
          'min-volume': { type: 'string' },
          'market-type': { type: 'string' },
          'time-zone': { type: 'string' },
          'data-dir': { type: 'string' },
          'rest-url': { type: 'string' },
          testnet: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
      if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
      if (!values.venue) throw new CliUsageError(`--venue is required (${CCXT_VENUE_IDS.join(', ')})`);
      const marketTypes = list(values['market-type'] ?? 'swap').map((t) => t.toLowerCase());
      const badType = marketTypes.find((t) => !(MARKET_TYPES as readonly string[]).includes(t));
      if (badType !== undefined) throw new CliUsageError(`--market-type must be swap, spot or future, got "${badType}"`);
      const quotes = list(values.quote ?? 'USDT');
      const schedule = RefreshScheduleConfig.safeParse({ timeZone: values['time-zone'] ?? 'Asia/Shanghai' });
      if (!schedule.success) throw new CliUsageError(`--time-zone "${values['time-zone']}" is not an IANA time zone such as Asia/Shanghai`);
      const rawRule = {
        topN: numberArg(values.top, '--top', { integer: true, min: 1 }),
        minListingAgeDays: numberArg(values['min-age-days'], '--min-age-days', { min: 0 }),
        minQuoteVolume24h: numberArg(values['min-volume'], '--min-volume', { min: 0 }),
        quoteCurrencies: quotes.length === 1 && quotes[0]!.toLowerCase() === 'any' ? [] : quotes.map((q) => q.toUpperCase()),
      };
      const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
      const warn = (m: string) => void io.err.write(`universe: ${m}\n`);

      const venue = await openCliVenue({ venue: values.venue, restUrl: values['rest-url'], testnet: values.testnet, env: io.env, ...(io.sleep ? { sleep: io.sleep } : {}), ...(io.venueConfig ? { configOverrides: io.venueConfig } : {}), onRetry: warn });
      try {
        const candidates = await new CcxtUniverseSource(() => venue, { marketTypes: marketTypes as UniverseMarketType[], onSkipped: (s, why) => warn(`${s} skipped: ${why}`) }).fetchCandidates();
        const parsedRule = UniverseRuleConfig.safeParse(
          Object.fromEntries(Object.entries({ ...rawRule, excludeSymbols: expandExclusions(list(values.exclude), candidates, warn) }).filter(([, v]) => v !== undefined)),
        );
        if (!parsedRule.success) throw new CliUsageError(parsedRule.error.issues[0]?.message ?? 'bad rule');
        const { refresh: _ignored, ...rule } = parsedRule.data;
        const service = new UniverseService({
          source: { venue: venue.label, fetchCandidates: async () => candidates },
          store: new UniverseStore(dataDir),
          rule,
          schedule: schedule.data,
          clock: { nowMs: () => io.nowMs() },
          onUniverse: () => undefined,
        });
        const result = await service.refreshNow().catch((err: unknown) => {
          const unknownDates = candidates.length > 0 && candidates.every((c) => c.listedAtMs === null);
          if (unknownDates && rule.minListingAgeDays > 0) throw new CliUsageError(`${(err as Error).message}; ${venue.config.venue} publishes no listing dates, so pass --min-age-days 0`);
          throw err;
        });
        const dir = path.join(dataDir, 'universe', result.date, result.version);
        if (values.json) io.out(`${JSON.stringify({ ...result, dir })}\n`);
        else io.out(describe(result, venue.label, dir));
        return 0;
      } finally {
        await venue.close();
      }
    },
  };
}

export const universeCommand: CliCommand = createUniverseCommand();
