import type { MarketInterface as Market } from 'ccxt';
import { boundedClientId, DEFAULT_CREDENTIAL_FIELDS, scanOrdersForClientId, type VenueQuirks } from './venue-quirks.js';

/** Bybit v5: funding cadence is listed per instrument (`fundingInterval`, minutes); orderLinkId ≤ 36 chars. */
export const bybitQuirks: VenueQuirks = {
  id: 'bybit',
  ccxtClass: 'bybit',
  ccxtOptions: { fetchMarkets: { types: ['spot', 'linear'] }, fetchCurrencies: false },
  defaultFundingIntervalHours: 8,
  contractSettings: { marginMode: true, positionMode: true, leverage: true },
  tradeBackfill: 'since',
  tradeHistory: 'recent',
  historyPageLimit: { trades: 1000, ohlcv: 1000, funding: 200 },
  quoteSource: 'ticker',
  myTradesNeedSymbol: false,
  premiumIndexKlines: true,
  credentialFields: DEFAULT_CREDENTIAL_FIELDS,
  venueClientOrderId: (id) => boundedClientId(id, 36, /[A-Za-z0-9_-]/),
  findOrderByClientId: scanOrdersForClientId,
  fundingIntervalFromMarket: (market: Market) => {
    const minutes = Number((market.info as { fundingInterval?: unknown } | undefined)?.fundingInterval);
    return Number.isFinite(minutes) && minutes > 0 ? minutes / 60 : undefined;
  },
};
