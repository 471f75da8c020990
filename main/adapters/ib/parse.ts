/**
 * IB payloads (as @stoqey/ib decodes them) → Kestrel's shared/model types. Every event is checked
 * with a zod schema first: a malformed venue message becomes a clear error, never a half-filled
 * order or fill.
 */
import { OrderAction, OrderType as IbOrderType, type Order as IbOrder } from '@stoqey/ib';
import { z } from 'zod';
import type { Fill, Instrument, InstrumentKind, OrderStatus, OrderType, Position, SubmitOrder, TimeInForce } from '../../../shared/model/index.js';
import { formatIbInstrumentId, IB_VENUE, IbSecType, normalizeExpiry, normalizeMultiplier, type IbContractSpec } from './instrument-id.js';

const Str = z.string();
const OptStr = z.string().optional();
const OptNum = z.number().optional();

export const IbContractPayload = z.looseObject({
  conId: z.number().int().optional(),
  symbol: Str,
  secType: Str,
  lastTradeDateOrContractMonth: OptStr,
  multiplier: OptNum,
  exchange: OptStr,
  primaryExch: OptStr,
  currency: Str,
  localSymbol: OptStr,
  tradingClass: OptStr,
});
export type IbContractPayload = z.infer<typeof IbContractPayload>;

export const IbContractDetailsPayload = z.looseObject({
  contract: IbContractPayload,
  marketName: OptStr,
  minTick: OptNum,
  longName: OptStr,
  minSize: OptNum,
  sizeIncrement: OptNum,
  timeZoneId: OptStr,
});
export type IbContractDetailsPayload = z.infer<typeof IbContractDetailsPayload>;

export const IbExecutionPayload = z.looseObject({
  orderId: z.number().int(),
  execId: z.string().min(1, 'execution without execId'),
  time: Str,
  acctNumber: Str,
  side: z.enum(['BOT', 'SLD'], { error: 'side must be BOT or SLD' }),
  shares: z.number().positive('shares must be > 0'),
  price: z.number().positive('price must be > 0'),
  permId: OptNum,
  clientId: OptNum,
  cumQty: OptNum,
  avgPrice: OptNum,
  orderRef: OptStr,
  lastLiquidity: OptNum,
});
export type IbExecutionPayload = z.infer<typeof IbExecutionPayload>;

export const IbCommissionPayload = z.looseObject({
  execId: z.string().min(1),
  /** undefined when TWS sends Double.MAX ("not computed yet"). */
  commission: OptNum,
  currency: OptStr,
});
export type IbCommissionPayload = z.infer<typeof IbCommissionPayload>;

export const IbOrderPayload = z.looseObject({
  orderId: z.number().int(),
  action: z.enum(['BUY', 'SELL', 'SSHORT']),
  totalQuantity: z.number().positive(),
  orderType: Str,
  lmtPrice: OptNum,
  auxPrice: OptNum,
  tif: OptStr,
  account: OptStr,
  orderRef: OptStr,
  permId: OptNum,
  clientId: OptNum,
});
export type IbOrderPayload = z.infer<typeof IbOrderPayload>;

export const IbOrderStatePayload = z.looseObject({ status: Str });

export const IbOrderStatusEvent = z.object({
  orderId: z.number().int(),
  status: Str,
  filled: z.number().nonnegative().optional(),
  remaining: z.number().nonnegative().optional(),
  avgFillPrice: OptNum,
  permId: OptNum,
});
export type IbOrderStatusEvent = z.infer<typeof IbOrderStatusEvent>;

export const IbPositionEvent = z.object({
  account: z.string().min(1),
  contract: IbContractPayload,
  pos: z.number({ error: 'position size missing' }),
  avgCost: z.number().optional(),
});
export type IbPositionEvent = z.infer<typeof IbPositionEvent>;

export const IbAccountValue = z.object({
  accountId: z.string(),
  tag: z.string().min(1),
  value: z.string(),
  currency: z.string(),
});
export type IbAccountValue = z.infer<typeof IbAccountValue>;

export const IbPortfolioEvent = z.object({
  contract: IbContractPayload,
  position: z.number(),
  marketPrice: z.number(),
  marketValue: z.number(),
  averageCost: OptNum,
  unrealizedPNL: OptNum,
  realizedPNL: OptNum,
  accountName: OptStr,
});
export type IbPortfolioEvent = z.infer<typeof IbPortfolioEvent>;

const KIND: Record<IbSecType, InstrumentKind> = { STK: 'stock', FUT: 'future', CASH: 'forex', CRYPTO: 'crypto' };

/** The spec of a contract TWS described; `exchange` falls back to the primary exchange, then SMART. */
export function contractSpecOf(c: IbContractPayload): IbContractSpec {
  const secType = IbSecType.safeParse(c.secType);
  if (!secType.success) throw new Error(`IB security type "${c.secType}" of ${c.symbol} is not supported (STK, FUT, CASH, CRYPTO)`);
  const exchange = c.exchange || c.primaryExch || 'SMART';
  if (secType.data !== 'FUT') return { secType: secType.data, symbol: c.symbol, exchange, currency: c.currency };
  return {
    secType: 'FUT',
    symbol: c.symbol,
    exchange,
    currency: c.currency,
    expiry: normalizeExpiry(c.lastTradeDateOrContractMonth ?? ''),
    multiplier: normalizeMultiplier(c.multiplier && c.multiplier > 0 ? c.multiplier : 1),
  };
}

export function toInstrument(d: IbContractDetailsPayload): Instrument {
  const spec = contractSpecOf(d.contract);
  const instrumentId = formatIbInstrumentId(spec);
  const multiplier = Number(spec.multiplier ?? 1);
  const lot = d.sizeIncrement && d.sizeIncrement > 0 ? d.sizeIncrement : d.minSize && d.minSize > 0 ? d.minSize : 1;
  return {
    instrumentId,
    venue: IB_VENUE,
    symbol: instrumentId.slice(IB_VENUE.length + 1),
    kind: KIND[spec.secType],
    base: spec.symbol,
    quote: spec.currency,
    // TWS reports minTick 0 for a few contracts it has no rule for; a cent is its own default.
    tickSize: d.minTick && d.minTick > 0 ? d.minTick : 0.01,
    lotSize: lot,
    minNotional: 0,
    multiplier,
    secType: spec.secType,
    ...(spec.expiry ? { expiry: spec.expiry } : {}),
    simulated: false,
    active: true,
  };
}

/**
 * IB order states → Kestrel's. PendingCancel keeps the current state (the cancel may still fail);
 * Inactive means TWS will not work the order (rejected or held), which Kestrel treats as rejected.
 */
export function toOrderStatus(ibStatus: string, filled: number, remaining: number): OrderStatus | null {
  switch (ibStatus) {
    case 'ApiPending':
    case 'PendingSubmit':
      return 'pending';
    case 'PreSubmitted':
    case 'Submitted':
      return filled > 0 && remaining > 0 ? 'partially_filled' : filled > 0 && remaining === 0 ? 'filled' : 'open';
    case 'Filled':
      return remaining > 0 ? 'partially_filled' : 'filled';
    case 'Cancelled':
    case 'ApiCancelled':
      return 'canceled';
    case 'Inactive':
      return 'rejected';
    default:
      return null;
  }
}

export function toOrderType(ibType: string): OrderType {
  if (ibType === 'LMT') return 'limit';
  if (ibType === 'STP') return 'stop';
  return 'market';
}

export function toTimeInForce(tif: string | undefined): TimeInForce {
  return tif === 'GTC' || tif === 'IOC' || tif === 'FOK' ? tif : 'DAY';
}

/**
 * Execution times arrive as "20250715 19:05:07 US/Eastern" (zone named), "20250715  19:05:07"
 * (TWS's login zone), "20250715-19:05:07" (UTC) or epoch seconds. Returns epoch ms, or null.
 */
export function parseIbTime(raw: string, defaultZone: string): number | null {
  const s = raw.trim();
  if (/^\d{9,10}$/.test(s)) return Number(s) * 1000;
  const m = /^(\d{4})(\d{2})(\d{2})(-|\s+)(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, sep, h, mi, se, zone] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const tz = sep === '-' ? 'UTC' : (zone ?? defaultZone);
  const offset = zoneOffsetMs(tz, asUtc);
  return offset === null ? null : asUtc - offset;
}

/** Offset of `zone` from UTC at (approximately) the given instant, via Intl. */
function zoneOffsetMs(zone: string, utcMs: number): number | null {
  if (zone === 'UTC' || zone === 'GMT') return 0;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    return null;
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - utcMs;
}

export interface FillContext {
  instrumentId: string;
  clientOrderId: string;
  venueOrderId: string;
  fee: number;
  feeCurrency: string;
  tsEvent: number;
}

export function toFill(e: IbExecutionPayload, ctx: FillContext): Fill {
  return {
    fillId: `IB:${e.execId}`,
    venueTradeId: e.execId,
    clientOrderId: ctx.clientOrderId,
    venueOrderId: ctx.venueOrderId,
    accountId: e.acctNumber,
    instrumentId: ctx.instrumentId,
    side: e.side === 'BOT' ? 'buy' : 'sell',
    quantity: e.shares,
    price: e.price,
    fee: ctx.fee,
    feeCurrency: ctx.feeCurrency,
    // IB lastLiquidity: 1 added liquidity, 2 removed, 3 routed out (taker either way).
    liquidity: e.lastLiquidity === 1 ? 'maker' : 'taker',
    tsEvent: ctx.tsEvent,
  };
}

/**
 * IB reports avgCost per contract including the multiplier (ES: 315114.75 = 6302.295 × 50);
 * Kestrel's avgPrice is a price, so futures are divided by their multiplier.
 */
export function toPosition(
  p: IbPositionEvent,
  instrumentId: string,
  tsUpdated: number,
  mark?: { marketPrice: number; unrealizedPnl: number; realizedPnl: number },
): Position {
  const multiplier = p.contract.multiplier && p.contract.multiplier > 0 ? p.contract.multiplier : 1;
  return {
    accountId: p.account,
    instrumentId,
    quantity: p.pos,
    avgPrice: (p.avgCost ?? 0) / multiplier,
    realizedPnl: mark?.realizedPnl ?? 0,
    unrealizedPnl: mark?.unrealizedPnl ?? 0,
    markPrice: mark?.marketPrice ?? null,
    fees: 0,
    tsUpdated,
  };
}

/**
 * The instrumentId of any contract TWS reports. Contracts Kestrel does not model (an option
 * bought in TWS) still get a readable id, so a position or fill of theirs is never lost.
 */
export function instrumentIdOfContract(c: IbContractPayload): string {
  try {
    return formatIbInstrumentId(contractSpecOf(c));
  } catch {
    return `${IB_VENUE}:${c.secType || 'UNKNOWN'}:${c.localSymbol || c.symbol}:${c.exchange || c.primaryExch || 'SMART'}:${c.currency || 'USD'}`;
  }
}

/** Kestrel's order command → IB's Order; orderRef carries the clientOrderId, so TWS echoes it back. */
export function toIbOrder(cmd: SubmitOrder, accountId: string, clientOrderId: string): IbOrder {
  const orderType = cmd.type === 'limit' ? IbOrderType.LMT : cmd.type === 'stop' ? IbOrderType.STP : IbOrderType.MKT;
  return {
    action: cmd.side === 'buy' ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: cmd.quantity,
    orderType,
    ...(cmd.price !== undefined ? { lmtPrice: cmd.price } : {}),
    ...(cmd.stopPrice !== undefined ? { auxPrice: cmd.stopPrice } : {}),
    tif: cmd.timeInForce ?? 'DAY',
    account: accountId,
    orderRef: clientOrderId,
    transmit: true,
  };
}

/** "IB:…" ids of an IB venue order: TWS order id when it has one, else its permanent id. */
export function venueOrderKey(orderId: number, permId: number | undefined): string {
  return orderId > 0 ? String(orderId) : `perm${permId ?? 0}`;
}
