import type { MarketInterface as Market, Ticker } from 'ccxt';
import { KestrelError } from '../../shared/api/errors.js';
import type { CcxtVenue } from '../adapters/ccxt/ccxt-venue.js';
import { UniverseCandidate } from '../marketdata/universe/universe-rule.js';
import type { UniverseSource } from './universe-service.js';

export type UniverseMarketType = 'spot' | 'swap' | 'future';

export interface CcxtUniverseSourceOptions {
  /** Market types that may enter the universe. Default: perpetuals (`swap`). */
  marketTypes?: readonly UniverseMarketType[];
  /** Where markets that could not be read as candidates are reported. */
  onSkipped?: (symbol: string, reason: string) => void;
}

/**
 * Universe candidates from a ccxt venue: its current listing (reloaded, since listings change daily)
 * and its 24h tickers. The listing date is ccxt's `created` (Binance `onboardDate`, Bybit
 * `launchTime`, OKX `listTime`); where a venue gives none it is null, and a rule with
 * minListingAgeDays leaves such markets out with that reason.
 */
export class CcxtUniverseSource implements UniverseSource {
  private readonly marketTypes: readonly UniverseMarketType[];

  constructor(
    private readonly session: () => CcxtVenue,
    private readonly options: CcxtUniverseSourceOptions = {},
  ) {
    this.marketTypes = options.marketTypes?.length ? options.marketTypes : ['swap'];
  }

  get venue(): string {
    return this.session().label;
  }

  async fetchCandidates(): Promise<UniverseCandidate[]> {
    const v = this.session();
    await v.call('loadMarkets', (ex) => ex.loadMarkets(true));
    const markets = Object.values(v.ex.markets ?? {}).filter((m): m is Market => !!m && this.marketTypes.includes(m.type as UniverseMarketType));
    if (markets.length === 0) throw new KestrelError('not_found', `${v.config.venue} lists no ${this.marketTypes.join(' or ')} markets; set universe.marketTypes to what it lists`);
    const tickers: Record<string, Ticker> = {};
    for (const type of new Set(markets.map((m) => m.type as UniverseMarketType))) {
      const symbols = markets.filter((m) => m.type === type).map((m) => m.symbol);
      const got = await v.call(`fetchTickers ${type}`, (ex) => (ex.has['fetchTickers'] ? ex.fetchTickers(undefined, { type }) : Promise.resolve({} as Record<string, Ticker>)));
      for (const s of symbols) if (got[s]) tickers[s] = got[s]!;
    }
    const out: UniverseCandidate[] = [];
    for (const m of markets) {
      const t = tickers[m.symbol];
      const quoteVolume = typeof t?.quoteVolume === 'number' && Number.isFinite(t.quoteVolume) ? t.quoteVolume : null;
      const created = typeof m.created === 'number' && Number.isFinite(m.created) && m.created > 0 ? Math.trunc(m.created) : null;
      const parsed = UniverseCandidate.safeParse({
        instrumentId: v.instrumentId(m.symbol),
        symbol: m.symbol,
        quote: m.quote,
        quoteVolume24h: quoteVolume,
        listedAtMs: created,
        active: m.active !== false,
      });
      if (parsed.success) out.push(parsed.data);
      else this.options.onSkipped?.(m.symbol, parsed.error.issues[0]?.message ?? 'unreadable market');
    }
    return out;
  }
}
