import type { Exchange, MarketInterface as Market } from 'ccxt';
import { z } from 'zod';
import type { CcxtGatewayConfig } from '../config.js';
import {
  boundedClientId,
  DEFAULT_CREDENTIAL_FIELDS,
  type RawKline,
  type TradePageRequest,
  type VenueQuirks,
} from './venue-quirks.js';

/** Binance's kline row: [openTime, o, h, l, c, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]. */
const BinanceKlineRow = z.tuple(
  [z.number(), z.string(), z.string(), z.string(), z.string(), z.string(), z.number(), z.string(), z.number(), z.string(), z.string()],
  z.unknown(),
);

type BinanceRawApi = Record<string, (params: Record<string, unknown>) => Promise<unknown>>;

function restPrefix(market: Market): 'public' | 'fapiPublic' | 'dapiPublic' {
  if (market.spot) return 'public';
  return market.inverse ? 'dapiPublic' : 'fapiPublic';
}

/**
 * The stream's id space decides the REST endpoint: `@trade` ids are raw trade ids (historicalTrades,
 * which wants an API key, or the last 1000 from /trades without one); `@aggTrade` ids are aggregate
 * ids (aggTrades, public, with fromId).
 */
async function fetchTradesAfterId(ex: Exchange, request: TradePageRequest, config: CcxtGatewayConfig): Promise<unknown[]> {
  const prefix = restPrefix(ex.market(request.symbol));
  const fromId = (BigInt(request.afterId) + 1n).toString();
  if (config.tradeStream === 'aggTrade') {
    return ex.fetchTrades(request.symbol, undefined, request.limit, { fetchTradesMethod: `${prefix}GetAggTrades`, fromId });
  }
  if (ex.apiKey) {
    return ex.fetchTrades(request.symbol, undefined, request.limit, { fetchTradesMethod: `${prefix}GetHistoricalTrades`, fromId });
  }
  return ex.fetchTrades(request.symbol, undefined, 1000, { fetchTradesMethod: `${prefix}GetTrades` });
}

async function fetchRawKlines(ex: Exchange, market: Market, timeframe: string, sinceMs: number, limit: number, untilMs: number): Promise<RawKline[]> {
  const method = `${restPrefix(market)}GetKlines`;
  const api = ex as unknown as BinanceRawApi;
  const call = api[method];
  if (!call) throw new Error(`ccxt ${ex.id} has no ${method}`);
  const rows = await call.call(ex, { symbol: market.id, interval: timeframe, startTime: sinceMs, endTime: untilMs, limit });
  const parsed = z.array(BinanceKlineRow).safeParse(rows);
  if (!parsed.success) throw new Error(`${ex.id} answered klines in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.map((r) => ({
    openTime: r[0],
    open: Number(r[1]),
    high: Number(r[2]),
    low: Number(r[3]),
    close: Number(r[4]),
    volume: Number(r[5]),
    closeTime: r[6],
    quoteVolume: Number(r[7]),
    tradeCount: r[8],
    takerBuyVolume: Number(r[9]),
    takerBuyQuoteVolume: Number(r[10]),
  }));
}

/** Binance spot. Its websocket hosts are `stream.binance.com`, and ccxt tells spot from futures
 * sockets by "/stream" in the URL, so a rewritten spot URL keeps "/stream" in its path. */
export const binanceQuirks: VenueQuirks = {
  id: 'binance',
  ccxtClass: 'binance',
  ccxtOptions: {
    defaultType: 'spot',
    fetchMarkets: { types: ['spot'] },
    fetchCurrencies: false,
    fetchMargins: false,
    warnOnFetchOpenOrdersWithoutSymbol: false,
    // Kestrel reads positions over REST itself; ccxt's snapshot would be a second, unawaited request per socket.
    watchPositions: { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false },
  },
  defaultFundingIntervalHours: null,
  contractSettings: { marginMode: false, positionMode: false, leverage: false },
  tradeBackfill: 'fromId',
  tradeHistory: 'window',
  historyPageLimit: { trades: 1000, ohlcv: 1000, funding: 1000 },
  quoteSource: 'bidsAsks',
  myTradesNeedSymbol: true,
  premiumIndexKlines: false,
  credentialFields: DEFAULT_CREDENTIAL_FIELDS,
  venueClientOrderId: (id) => boundedClientId(id, 36, /[.A-Z:/a-z0-9_-]/),
  findOrderByClientId: async (ex, symbol, venueClientId) => {
    try {
      return await ex.fetchOrder('', symbol, { clientOrderId: venueClientId });
    } catch (err) {
      // -2013 "Order does not exist" is the answer we are looking for, not a failure.
      if ((err as Error).constructor?.name === 'OrderNotFound') return null;
      throw err;
    }
  },
  rewriteUrl: (original, rewritten) => {
    const host = new URL(original).host;
    if (!/^stream[.-]/.test(host) && !host.includes('.stream.')) return rewritten;
    const u = new URL(rewritten);
    if (!u.pathname.startsWith('/stream')) u.pathname = `/stream${u.pathname}`;
    return u.toString();
  },
  watchTradesParams: (config) => ({ name: config.tradeStream }),
  fetchTradesAfterId,
  fetchRawKlines,
};
