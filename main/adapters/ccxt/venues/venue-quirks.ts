import type { Exchange, MarketInterface as Market } from 'ccxt';
import type { CcxtCredentials, CcxtGatewayConfig, CcxtVenueId } from '../config.js';

/** How trades missed during a websocket outage are fetched back over REST. */
export type TradeBackfillMode =
  /** Trade ids are contiguous integers: ask for every id after the last one seen (exact). */
  | 'fromId'
  /** Ask for trades since the last seen trade's time; repeats are dropped by id. */
  | 'since'
  /** The venue has no public trade history over REST; a gap is reported, not filled. */
  | 'none';

/**
 * How far back public trades can be paged over REST: `window` = by time, oldest first (since/until);
 * `cursor-backward` = newest first by trade id; `recent` = only the latest page; `none` = not at all.
 */
export type TradeHistoryMode = 'window' | 'cursor-backward' | 'recent' | 'none';

/** Where top-of-book quotes come from on this venue. */
export type QuoteSource = 'bidsAsks' | 'ticker' | 'book';

export interface ContractSettingSupport {
  marginMode: boolean;
  positionMode: boolean;
  leverage: boolean;
}

/** A page request for trades after the last one seen. */
export interface TradePageRequest {
  symbol: string;
  /** Last seen trade id (numeric string for 'fromId' venues). */
  afterId: string;
  /** Last seen trade time, epoch ms. */
  sinceMs: number;
  limit: number;
}

/** A venue's one raw kline row with the seed-004 fields ccxt's OHLCV drops (Binance has them). */
export interface RawKline {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  tradeCount: number;
  takerBuyVolume: number;
  takerBuyQuoteVolume: number;
}

/**
 * Everything that differs between the ccxt venues Kestrel trades. The gateway, history and backfill
 * code is written once against this; each venue's file says only how it differs.
 */
export interface VenueQuirks {
  id: CcxtVenueId;
  /** The ccxt (and ccxt.pro) class. */
  ccxtClass: string;
  /** Merged into the exchange's options before Kestrel's and the user's own. */
  ccxtOptions: Record<string, unknown>;
  /** Cadence to assume when the venue does not say (null: the venue lists no perpetuals Kestrel uses). */
  defaultFundingIntervalHours: number | null;
  contractSettings: ContractSettingSupport;
  tradeBackfill: TradeBackfillMode;
  tradeHistory: TradeHistoryMode;
  /** Page size for REST history calls (the venue's maximum). */
  historyPageLimit: { trades: number; ohlcv: number; funding: number };
  quoteSource: QuoteSource;
  /** fetchMyTrades needs a symbol (Binance): fills are fetched per traded symbol. */
  myTradesNeedSymbol: boolean;
  /** Whether fetchOHLCV with `price: 'premiumIndex'` returns the venue's premium index klines. */
  premiumIndexKlines: boolean;
  /** ccxt constructor fields for the credentials (Hyperliquid signs with a wallet, not an API key). */
  credentialFields(c: CcxtCredentials): Record<string, string>;
  /** The clientOrderId the venue accepts for a Kestrel clientOrderId (deterministic, so it can be looked up again). */
  venueClientOrderId(clientOrderId: string): string;
  /** Looks an order up by the venue-side client id; null when the venue has no such order. */
  findOrderByClientId(ex: Exchange, symbol: string, venueClientId: string): Promise<unknown | null>;
  /** Rewrites one URL of `urls.api` to a new origin (after the generic origin swap); default keeps the path. */
  rewriteUrl?(original: string, rewritten: string, keyPath: readonly string[]): string;
  /** ccxt params for watchTrades (Binance: trade vs aggTrade). */
  watchTradesParams?(config: CcxtGatewayConfig): Record<string, unknown>;
  /** For 'fromId' venues: one page of trades with id > afterId, in the same id space as the stream. */
  fetchTradesAfterId?(ex: Exchange, request: TradePageRequest, config: CcxtGatewayConfig): Promise<unknown[]>;
  /** Extra fetchTrades params for one time window of trade history (Gate spot needs `from` by hand). */
  tradeWindowParams?(market: Market, sinceMs: number, untilMs: number): Record<string, unknown>;
  /** Raw klines with volume splits, where the venue has them. */
  fetchRawKlines?(ex: Exchange, market: Market, timeframe: string, sinceMs: number, limit: number, untilMs: number): Promise<RawKline[]>;
  /** Funding cadence read from a loaded market's raw info, when the venue lists it there. */
  fundingIntervalFromMarket?(market: Market): number | undefined;
  /** Order/account settings need extra params on this venue (OKX: leverage with margin mode). */
  marginModeParams?(settings: { leverage?: number | undefined }): Record<string, unknown>;
  leverageParams?(settings: { marginMode?: 'cross' | 'isolated' | undefined }): Record<string, unknown>;
}

/** Looks for an order by client id among open then recent closed orders (venues without a direct query). */
export async function scanOrdersForClientId(ex: Exchange, symbol: string, venueClientId: string): Promise<unknown | null> {
  const match = (orders: unknown[]): unknown | null =>
    orders.find((o) => (o as { clientOrderId?: unknown }).clientOrderId === venueClientId) ?? null;
  const open = await ex.fetchOpenOrders(symbol);
  const found = match(open);
  if (found) return found;
  if (!ex.has['fetchClosedOrders']) return null;
  return match(await ex.fetchClosedOrders(symbol));
}

/**
 * Client ids must be short and plain on most venues. A Kestrel id that already fits is sent as it
 * is; any other is sent as its allowed characters plus a stable hash, so it stays recognisable and
 * can be looked up again after a restart.
 */
export function boundedClientId(clientOrderId: string, maxLength: number, allowed: RegExp): string {
  const chars = [...clientOrderId];
  if (chars.length > 0 && chars.length <= maxLength && chars.every((ch) => allowed.test(ch))) return clientOrderId;
  const hash = fnv1a64Hex(clientOrderId);
  const sep = allowed.test('_') ? '_' : '';
  const room = Math.max(0, maxLength - hash.length - sep.length);
  const head = chars.filter((ch) => allowed.test(ch)).join('').slice(0, room);
  return head ? `${head}${sep}${hash}` : hash.slice(0, maxLength);
}

/** 64-bit FNV-1a as 16 hex digits: stable across runs and processes (no crypto import in the core path). */
export function fnv1a64Hex(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

export const DEFAULT_CREDENTIAL_FIELDS = (c: CcxtCredentials): Record<string, string> => {
  const fields: Record<string, string> = { apiKey: c.apiKey, secret: c.secret };
  if (c.password) fields['password'] = c.password;
  return fields;
};
