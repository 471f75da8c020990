import { boundedClientId, DEFAULT_CREDENTIAL_FIELDS, type VenueQuirks } from './venue-quirks.js';

/**
 * OKX: the API passphrase travels as ccxt's `password`; clOrdId is at most 32 letters and digits;
 * margin mode is set together with leverage (account/set-leverage needs both).
 */
export const okxQuirks: VenueQuirks = {
  id: 'okx',
  ccxtClass: 'okx',
  ccxtOptions: { fetchMarkets: { types: ['spot', 'swap'] }, fetchCurrencies: false },
  defaultFundingIntervalHours: 8,
  contractSettings: { marginMode: true, positionMode: true, leverage: true },
  tradeBackfill: 'since',
  tradeHistory: 'cursor-backward',
  historyPageLimit: { trades: 100, ohlcv: 100, funding: 100 },
  quoteSource: 'ticker',
  myTradesNeedSymbol: false,
  premiumIndexKlines: false,
  credentialFields: DEFAULT_CREDENTIAL_FIELDS,
  venueClientOrderId: (id) => boundedClientId(id, 32, /[A-Za-z0-9]/),
  findOrderByClientId: async (ex, symbol, venueClientId) => {
    try {
      return await ex.fetchOrder('', symbol, { clOrdId: venueClientId });
    } catch (err) {
      if ((err as Error).constructor?.name === 'OrderNotFound') return null;
      throw err;
    }
  },
  marginModeParams: (s) => ({ lever: s.leverage ?? 1 }),
  leverageParams: (s) => ({ mgnMode: s.marginMode ?? 'cross' }),
};
