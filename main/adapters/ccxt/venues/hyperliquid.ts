import { fnv1a64Hex, scanOrdersForClientId, type VenueQuirks } from './venue-quirks.js';

/**
 * Hyperliquid signs with a wallet: the account's API key is the wallet address and its secret the
 * private key. Funding is paid hourly. There is no public trade history over REST, so a websocket
 * gap is reported rather than filled. cloid must be 16 bytes of hex.
 */
export const hyperliquidQuirks: VenueQuirks = {
  id: 'hyperliquid',
  ccxtClass: 'hyperliquid',
  ccxtOptions: { fetchMarkets: { types: ['spot', 'swap'] } },
  defaultFundingIntervalHours: 1,
  contractSettings: { marginMode: true, positionMode: false, leverage: true },
  tradeBackfill: 'none',
  tradeHistory: 'none',
  historyPageLimit: { trades: 500, ohlcv: 500, funding: 500 },
  quoteSource: 'book',
  myTradesNeedSymbol: false,
  premiumIndexKlines: false,
  credentialFields: (c) => ({ walletAddress: c.apiKey, privateKey: c.secret }),
  venueClientOrderId: (id) => `0x${fnv1a64Hex(id)}${fnv1a64Hex(`${id}#2`)}`,
  findOrderByClientId: scanOrdersForClientId,
  leverageParams: (s) => ({ marginMode: s.marginMode ?? 'cross' }),
};
