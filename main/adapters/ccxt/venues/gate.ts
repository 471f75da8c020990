import type { MarketInterface as Market } from 'ccxt';
import { boundedClientId, DEFAULT_CREDENTIAL_FIELDS, type VenueQuirks } from './venue-quirks.js';

/**
 * Gate: a custom order id must start with "t-" (≤ 30 chars in all) and the order can be queried by
 * it; margin mode is not a separate setting (leverage 0 means cross), so Kestrel does not set it.
 */
export const gateQuirks: VenueQuirks = {
  id: 'gate',
  ccxtClass: 'gate',
  ccxtOptions: { fetchMarkets: { types: ['spot', 'swap'] }, fetchCurrencies: false },
  defaultFundingIntervalHours: 8,
  contractSettings: { marginMode: false, positionMode: true, leverage: true },
  tradeBackfill: 'since',
  tradeHistory: 'window',
  historyPageLimit: { trades: 1000, ohlcv: 1000, funding: 1000 },
  quoteSource: 'bidsAsks',
  myTradesNeedSymbol: false,
  premiumIndexKlines: false,
  credentialFields: DEFAULT_CREDENTIAL_FIELDS,
  venueClientOrderId: (id) => `t-${boundedClientId(id, 28, /[A-Za-z0-9_.-]/)}`,
  findOrderByClientId: async (ex, symbol, venueClientId) => {
    try {
      return await ex.fetchOrder(venueClientId, symbol);
    } catch (err) {
      if ((err as Error).constructor?.name === 'OrderNotFound') return null;
      throw err;
    }
  },
  // ccxt passes `since` as `from` for contracts only; spot trades take it in seconds all the same.
  tradeWindowParams: (market, sinceMs) => (market.spot ? { from: Math.floor(sinceMs / 1000) } : {}),
  fundingIntervalFromMarket: (market: Market) => {
    const secs = Number((market.info as { funding_interval?: unknown } | undefined)?.funding_interval);
    return Number.isFinite(secs) && secs > 0 ? secs / 3600 : undefined;
  },
};
