import { z } from 'zod';
import { describeZodError } from '../../../shared/api/errors.js';
import {
  Balance,
  Fill,
  FundingRate,
  Instrument,
  Order,
  OrderBook,
  Position,
  QuoteTick,
  TradeTick,
  type InstrumentKind,
  type OrderStatus,
  type OrderType,
  type TimeInForce,
} from '../../../shared/model/index.js';

/**
 * ccxt's unified objects → Kestrel's shared model. ccxt keeps the raw venue payload in `info`; it
 * stops here. Every input is checked against the few fields Kestrel reads, and every output
 * against the shared schema, so a venue that changes shape fails loudly at the edge.
 */

export class CcxtParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CcxtParseError';
  }
}

/** ccxt returns numbers, but a few emulated methods (Bybit fetchFundingRate) hand back decimal strings. */
const num = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/).transform(Number)]);
const optNum = num.nullish();
const str = z.string();

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new CcxtParseError(describeZodError(r.error, what));
  return r.data;
}

export interface ParseContext {
  accountId: string;
  instrumentId(symbol: string): string;
  /** Kestrel's clientOrderId for a venue order (the venue's client id or order id when Kestrel did not place it). */
  clientOrderIdOf(venueClientOrderId: string | null, venueOrderId: string | null): string;
  nowMs(): number;
}

const CcxtTrade = z.looseObject({
  id: z.union([str, num]).nullish(),
  timestamp: num,
  symbol: str,
  side: z.enum(['buy', 'sell']),
  price: num,
  amount: num,
  order: z.union([str, num]).nullish(),
  takerOrMaker: z.enum(['taker', 'maker']).nullish(),
  fee: z.looseObject({ cost: optNum, currency: str.nullish() }).nullish(),
});

/** A public trade. ccxt's `side` is the taker's side, which is what TradeTick.side means. */
export function parseTradeTick(raw: unknown, ctx: Pick<ParseContext, 'instrumentId' | 'nowMs'>): TradeTick {
  const t = check(CcxtTrade, raw, 'ccxt trade');
  if (t.id === null || t.id === undefined || t.id === '') throw new CcxtParseError(`ccxt trade of ${t.symbol} at ${t.timestamp} has no id (cannot deduplicate it)`);
  return check(
    TradeTick,
    { instrumentId: ctx.instrumentId(t.symbol), tradeId: String(t.id), price: t.price, quantity: t.amount, side: t.side, tsEvent: t.timestamp, tsInit: ctx.nowMs() },
    'trade tick',
  );
}

const CcxtTicker = z.looseObject({
  symbol: str,
  timestamp: optNum,
  bid: optNum,
  bidVolume: optNum,
  ask: optNum,
  askVolume: optNum,
  last: optNum,
});

/** Top of book from a ccxt ticker or bidsAsks entry; null when the venue sent no two-sided quote. */
export function parseQuoteTick(raw: unknown, ctx: Pick<ParseContext, 'instrumentId' | 'nowMs'>): QuoteTick | null {
  const t = check(CcxtTicker, raw, 'ccxt ticker');
  if (t.bid == null || t.ask == null) return null;
  const now = ctx.nowMs();
  const quote: Record<string, unknown> = {
    instrumentId: ctx.instrumentId(t.symbol),
    bid: t.bid,
    bidSize: t.bidVolume ?? 0,
    ask: t.ask,
    askSize: t.askVolume ?? 0,
    tsEvent: t.timestamp ?? now,
    tsInit: now,
  };
  if (t.last != null) quote['last'] = t.last;
  return check(QuoteTick, quote, 'quote tick');
}

const Level = z.array(num).min(2);
const CcxtOrderBook = z.looseObject({
  symbol: str.nullish(),
  bids: z.array(Level),
  asks: z.array(Level),
  timestamp: optNum,
  nonce: optNum,
});

/** A book snapshot, cut to `depth` levels a side (ccxt keeps the whole book). */
export function parseOrderBook(raw: unknown, symbol: string, ctx: Pick<ParseContext, 'instrumentId' | 'nowMs'>, depth = 50): OrderBook {
  const b = check(CcxtOrderBook, raw, 'ccxt order book');
  const side = (levels: number[][]) => levels.slice(0, depth).map((l) => [l[0]!, l[1]!] as [number, number]);
  const book: Record<string, unknown> = { instrumentId: ctx.instrumentId(b.symbol ?? symbol), bids: side(b.bids), asks: side(b.asks), tsEvent: b.timestamp ?? ctx.nowMs() };
  if (b.nonce != null) book['sequence'] = b.nonce;
  return check(OrderBook, book, 'order book');
}

/** Best bid/ask of a book as a quote (venues whose quotes Kestrel takes from the book). */
export function quoteFromBook(book: OrderBook, tsInit: number): QuoteTick | null {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask) return null;
  return { instrumentId: book.instrumentId, bid: bid[0], bidSize: bid[1], ask: ask[0], askSize: ask[1], tsEvent: book.tsEvent, tsInit };
}

const CcxtOrder = z.looseObject({
  id: z.union([str, num]).nullish(),
  clientOrderId: str.nullish(),
  timestamp: optNum,
  lastTradeTimestamp: optNum,
  lastUpdateTimestamp: optNum,
  status: z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']).nullish(),
  symbol: str,
  type: str.nullish(),
  timeInForce: str.nullish(),
  side: z.enum(['buy', 'sell']),
  price: optNum,
  triggerPrice: optNum,
  stopPrice: optNum,
  amount: optNum,
  filled: optNum,
  average: optNum,
});

function orderStatus(status: string | null | undefined, filled: number, amount: number): OrderStatus {
  switch (status) {
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'open':
      return filled > 0 && filled < amount ? 'partially_filled' : 'open';
    default:
      // Some venues answer createOrder with an id only; the order is then known to be accepted.
      return 'open';
  }
}

function orderType(type: string | null | undefined, triggerPrice: number | null | undefined): OrderType {
  const t = (type ?? '').toLowerCase();
  if (triggerPrice != null || t.includes('stop') || t.includes('take_profit') || t.includes('trigger')) return 'stop';
  return t === 'market' ? 'market' : 'limit';
}

function timeInForce(tif: string | null | undefined): TimeInForce {
  const t = (tif ?? '').toUpperCase();
  if (t === 'IOC' || t === 'FOK' || t === 'GTC') return t;
  // PO (post-only) and GTX rest on the book like GTC.
  return 'GTC';
}

export function parseOrder(raw: unknown, ctx: ParseContext): Order {
  const o = check(CcxtOrder, raw, 'ccxt order');
  const venueOrderId = o.id === null || o.id === undefined || o.id === '' ? null : String(o.id);
  if (o.amount == null || !(o.amount > 0)) throw new CcxtParseError(`ccxt order ${venueOrderId ?? '?'} of ${o.symbol} has no positive amount`);
  const filled = o.filled ?? 0;
  const trigger = o.triggerPrice ?? o.stopPrice ?? null;
  const now = ctx.nowMs();
  const created = o.timestamp ?? now;
  return check(
    Order,
    {
      clientOrderId: ctx.clientOrderIdOf(o.clientOrderId ?? null, venueOrderId),
      venueOrderId,
      accountId: ctx.accountId,
      instrumentId: ctx.instrumentId(o.symbol),
      side: o.side,
      type: orderType(o.type, trigger),
      timeInForce: timeInForce(o.timeInForce),
      quantity: o.amount,
      price: o.price ?? null,
      stopPrice: trigger,
      status: orderStatus(o.status, filled, o.amount),
      filledQuantity: filled,
      avgFillPrice: o.average ?? null,
      reason: o.status === 'rejected' ? 'rejected by the venue' : null,
      tsCreated: created,
      tsUpdated: Math.max(created, o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? created),
    },
    'order',
  );
}

/** What Kestrel asked for, to complete a createOrder answer that carries little more than ids. */
export interface OrderRequestEcho {
  symbol: string;
  side: 'buy' | 'sell';
  amount: number;
  price?: number | undefined;
  type?: string | undefined;
}

/**
 * A createOrder/cancelOrder answer: several venues (Bybit, Hyperliquid, OKX) answer with the order
 * id only, so the fields Kestrel sent fill the gaps the venue left empty.
 */
export function parseOrderAck(raw: unknown, echo: OrderRequestEcho, ctx: ParseContext): Order {
  const o = { ...((raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>) };
  const fill = (key: string, value: unknown) => {
    if ((o[key] === undefined || o[key] === null) && value !== undefined) o[key] = value;
  };
  fill('symbol', echo.symbol);
  fill('side', echo.side);
  fill('amount', echo.amount);
  fill('price', echo.price);
  fill('type', echo.type);
  return parseOrder(o, ctx);
}

/** One of the account's own executions (ccxt myTrades / watchMyTrades). */
export function parseFill(raw: unknown, ctx: ParseContext & { gatewayId: string }): Fill {
  const t = check(CcxtTrade, raw, 'ccxt own trade');
  if (t.id === null || t.id === undefined || t.id === '') throw new CcxtParseError(`ccxt own trade of ${t.symbol} at ${t.timestamp} has no id`);
  const venueOrderId = t.order === null || t.order === undefined ? null : String(t.order);
  const clientId = (raw as { clientOrderId?: unknown }).clientOrderId;
  return check(
    Fill,
    {
      fillId: `${ctx.gatewayId}:${String(t.id)}`,
      venueTradeId: String(t.id),
      clientOrderId: ctx.clientOrderIdOf(typeof clientId === 'string' ? clientId : null, venueOrderId),
      venueOrderId,
      accountId: ctx.accountId,
      instrumentId: ctx.instrumentId(t.symbol),
      side: t.side,
      quantity: t.amount,
      price: t.price,
      fee: t.fee?.cost ?? 0,
      feeCurrency: t.fee?.currency ?? '',
      // ccxt leaves takerOrMaker empty when the venue does not say; taking is the conservative guess for fees.
      liquidity: t.takerOrMaker ?? 'taker',
      tsEvent: t.timestamp,
    },
    'fill',
  );
}

const CurrencyBalance = z.looseObject({ free: optNum, used: optNum, total: optNum });
const CcxtBalances = z.looseObject({ timestamp: optNum });
const NOT_CURRENCIES = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

/** One Balance per currency the venue listed (ccxt's per-currency {free, used, total}). */
export function parseBalances(raw: unknown, ctx: Pick<ParseContext, 'accountId' | 'nowMs'>): Balance[] {
  const b = check(CcxtBalances, raw, 'ccxt balance');
  const ts = b.timestamp ?? ctx.nowMs();
  const out: Balance[] = [];
  for (const [currency, value] of Object.entries(b)) {
    if (NOT_CURRENCIES.has(currency) || !value || typeof value !== 'object') continue;
    const c = check(CurrencyBalance, value, `ccxt balance of ${currency}`);
    if (c.free == null && c.used == null && c.total == null) continue;
    const free = c.free ?? 0;
    const used = c.used ?? 0;
    const total = c.total ?? free + used;
    out.push(check(Balance, { accountId: ctx.accountId, currency, total, free, used, tsUpdated: ts }, `balance of ${currency}`));
  }
  return out;
}

const CcxtPosition = z.looseObject({
  symbol: str,
  contracts: optNum,
  side: z.enum(['long', 'short']).nullish(),
  entryPrice: optNum,
  markPrice: optNum,
  unrealizedPnl: optNum,
  realizedPnl: optNum,
  timestamp: optNum,
});

/** Quantity is in contracts (the unit of order amounts); Instrument.multiplier gives the contract size. */
export function parsePosition(raw: unknown, ctx: Pick<ParseContext, 'accountId' | 'instrumentId' | 'nowMs'>): Position | null {
  const p = check(CcxtPosition, raw, 'ccxt position');
  const contracts = p.contracts ?? 0;
  if (contracts === 0) return null;
  const signed = p.side === 'short' ? -Math.abs(contracts) : Math.abs(contracts);
  return check(
    Position,
    {
      accountId: ctx.accountId,
      instrumentId: ctx.instrumentId(p.symbol),
      quantity: signed,
      avgPrice: p.entryPrice ?? 0,
      realizedPnl: p.realizedPnl ?? 0,
      unrealizedPnl: p.unrealizedPnl ?? 0,
      markPrice: p.markPrice ?? null,
      fees: 0,
      tsUpdated: p.timestamp ?? ctx.nowMs(),
    },
    'position',
  );
}

const CcxtFundingRate = z.looseObject({
  symbol: str,
  fundingRate: num,
  timestamp: optNum,
  fundingTimestamp: optNum,
  markPrice: optNum,
  interval: str.nullish(),
});

/** "8h" → 8, "1h" → 1, "30m" → 0.5; undefined for anything else. */
export function intervalHoursOf(interval: string | null | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(interval ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  const hours = m[2] === 'm' ? n / 60 : m[2] === 'h' ? n : n * 24;
  return hours > 0 ? hours : undefined;
}

/**
 * The current (or next) funding of a perp. The cadence comes from the venue where ccxt exposes it
 * (`interval`), else from `fallbackIntervalHours`.
 */
export function parseFundingRate(raw: unknown, ctx: Pick<ParseContext, 'instrumentId' | 'nowMs'>, fallbackIntervalHours: number): FundingRate {
  const f = check(CcxtFundingRate, raw, 'ccxt funding rate');
  const intervalHours = intervalHoursOf(f.interval) ?? fallbackIntervalHours;
  const out: Record<string, unknown> = {
    instrumentId: ctx.instrumentId(f.symbol),
    rate: f.fundingRate,
    intervalHours,
    rate24h: (f.fundingRate * 24) / intervalHours,
    fundingTime: f.fundingTimestamp ?? f.timestamp ?? ctx.nowMs(),
  };
  if (f.markPrice != null) out['markPrice'] = f.markPrice;
  return check(FundingRate, out, 'funding rate');
}

const CcxtFundingHistoryEntry = z.looseObject({ symbol: str, fundingRate: num, timestamp: num });

/** One past funding payment; `premium` comes from the raw row where the venue reports it (Hyperliquid). */
export function parseFundingHistoryEntry(raw: unknown): { symbol: string; fundingTime: number; rate: number; premium?: number } {
  const f = check(CcxtFundingHistoryEntry, raw, 'ccxt funding history entry');
  const premium = Number((f['info'] as { premium?: unknown } | undefined)?.premium);
  return Number.isFinite(premium) ? { symbol: f.symbol, fundingTime: f.timestamp, rate: f.fundingRate, premium } : { symbol: f.symbol, fundingTime: f.timestamp, rate: f.fundingRate };
}

const CcxtMarket = z.looseObject({
  symbol: str,
  base: str,
  quote: str,
  settle: str.nullish(),
  type: str,
  spot: z.boolean().nullish(),
  swap: z.boolean().nullish(),
  future: z.boolean().nullish(),
  option: z.boolean().nullish(),
  active: z.boolean().nullish(),
  contractSize: optNum,
  expiryDatetime: str.nullish(),
  precision: z.looseObject({ amount: optNum, price: optNum }),
  limits: z.looseObject({ cost: z.looseObject({ min: optNum }).nullish() }).nullish(),
});

/** ccxt's precisionMode: 2 = decimal places, 4 = tick size. */
export const DECIMAL_PLACES = 2;

function step(value: number | null | undefined, precisionMode: number): number | undefined {
  if (value == null) return undefined;
  return precisionMode === DECIMAL_PLACES ? 10 ** -value : value;
}

export function parseInstrument(raw: unknown, ctx: Pick<ParseContext, 'instrumentId'>, venue: string, precisionMode: number): Instrument {
  const m = check(CcxtMarket, raw, 'ccxt market');
  const kind: InstrumentKind = m.swap ? 'perp' : m.future ? 'future' : m.option ? 'option' : 'spot';
  const out: Record<string, unknown> = {
    instrumentId: ctx.instrumentId(m.symbol),
    venue,
    symbol: m.symbol,
    kind,
    base: m.base,
    quote: m.quote,
    tickSize: step(m.precision.price, precisionMode),
    lotSize: step(m.precision.amount, precisionMode),
    minNotional: m.limits?.cost?.min ?? 0,
    multiplier: m.contractSize ?? 1,
    active: m.active ?? true,
  };
  if (m.settle) out['settle'] = m.settle;
  if (m.expiryDatetime) out['expiry'] = m.expiryDatetime;
  return check(Instrument, out, `market ${m.symbol}`);
}
