import { KestrelError } from '../../../shared/api/errors.js';
import { CcxtVenue } from '../../adapters/ccxt/ccxt-venue.js';
import { CCXT_VENUE_IDS, CcxtVenueId, credentialsFromEnv, parseCcxtGatewayConfig, type CcxtGatewayConfigInput } from '../../adapters/ccxt/config.js';
import { VenueError } from '../../adapters/ccxt/venue-error.js';
import { CliUsageError } from '../command.js';
import type { ProgressSink } from './job-progress.js';

/** What the history commands (backfill, universe) read and write; tests pass their own. */
export interface CcxtCommandIo {
  out(text: string): void;
  err: ProgressSink;
  env: Record<string, string | undefined>;
  nowMs(): number;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  /** Merged into the venue config (tests lift ccxt's pacing for the loopback fake). */
  venueConfig?: Partial<CcxtGatewayConfigInput>;
}

export const processIo: CcxtCommandIo = {
  out: (t) => void process.stdout.write(t),
  err: process.stderr,
  env: process.env,
  nowMs: () => Date.now(),
};

export interface CliVenueArgs {
  venue: string | undefined;
  restUrl?: string | undefined;
  wsUrl?: string | undefined;
  testnet?: boolean | undefined;
  /** Account whose KESTREL_<ACCOUNT>_API_KEY / _API_SECRET are used when set (public data needs none). */
  account?: string | undefined;
  timeoutMs?: number | undefined;
  env: Record<string, string | undefined>;
  /** Attempts at loading the market list when the venue answers 429/5xx or times out. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (message: string) => void;
  /** Merged into the venue config last (tests lift ccxt's own pacing for a loopback fake). */
  configOverrides?: Partial<CcxtGatewayConfigInput>;
}

const RETRYABLE = new Set(['timeout', 'network', 'unavailable', 'rate_limited', 'banned', 'bad_response']);
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens one ccxt venue for a batch command and loads its market list, retrying a venue that is
 * busy or briefly down (the market list is the first request, so it meets a 429 or 503 first).
 */
export async function openCliVenue(args: CliVenueArgs): Promise<CcxtVenue> {
  if (!args.venue) throw new CliUsageError(`--venue is required (${CCXT_VENUE_IDS.join(', ')})`);
  const id = CcxtVenueId.safeParse(args.venue.toLowerCase());
  if (!id.success) throw new CliUsageError(`unknown venue "${args.venue}": --venue must be one of ${CCXT_VENUE_IDS.join(', ')}`);
  const accountId = (args.account ?? id.data).replace(/[^A-Za-z0-9_]/g, '_');
  const input: CcxtGatewayConfigInput = { venue: id.data, accountId, mode: args.testnet ? 'testnet' : 'live', heartbeatMs: 0 };
  if (args.timeoutMs !== undefined) input.timeoutMs = args.timeoutMs;
  if (args.restUrl) input.restUrl = args.restUrl;
  if (args.wsUrl) input.wsUrl = args.wsUrl;
  let config;
  try {
    config = parseCcxtGatewayConfig({ ...input, ...args.configOverrides });
  } catch (err) {
    throw new CliUsageError((err as Error).message.replace(/^invalid ccxt gateway config: /, ''));
  }
  const venue = await CcxtVenue.open(config, { credentials: credentialsFromEnv(accountId, args.env) });
  const attempts = args.attempts ?? 4;
  const sleep = args.sleep ?? defaultSleep;
  try {
    for (let n = 1; ; n++) {
      try {
        await venue.call('loadMarkets', (ex) => ex.loadMarkets());
        return venue;
      } catch (err) {
        if (!(err instanceof VenueError) || !RETRYABLE.has(err.kind)) throw err;
        if (n >= attempts) throw new KestrelError(err.code, `${err.message}; gave up after ${n} attempt${n === 1 ? '' : 's'}`);
        const waitMs = Math.max(1_000 * 2 ** (n - 1), venue.budget.stats().pausedUntilMs - Date.now());
        args.onRetry?.(`${err.message}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${n + 1} of ${attempts})`);
        await sleep(waitMs);
      }
    }
  } catch (err) {
    await venue.close();
    throw err;
  }
}

/**
 * The instrument id of `--symbol` (a ccxt symbol like BTC/USDT:USDT or an instrument id like
 * BINANCEUSDM:BTC/USDT:USDT), refusing one the venue does not list and naming listed ones that
 * share its base currency.
 */
export function resolveCliInstrument(venue: CcxtVenue, symbol: string | undefined): string {
  if (!symbol) throw new CliUsageError('--symbol is required, e.g. --symbol BTC/USDT:USDT');
  const s = symbol.trim();
  const ccxtSymbol = s.toUpperCase().startsWith(`${venue.label}:`) ? s.slice(venue.label.length + 1) : s;
  const markets = venue.ex.markets ?? {};
  if (markets[ccxtSymbol]) return venue.instrumentId(ccxtSymbol);
  const base = ccxtSymbol.split(/[/:-]/)[0]!.toUpperCase();
  const alike = Object.values(markets)
    .filter((m) => m && m.base?.toUpperCase() === base)
    .map((m) => m!.symbol)
    .slice(0, 4);
  throw new KestrelError('not_found', `${venue.config.venue} lists no market ${ccxtSymbol}${alike.length ? `; it lists ${alike.join(', ')}` : ''}`);
}
