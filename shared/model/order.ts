import { z } from 'zod';
import { EpochMs } from './time.js';
import { InstrumentId } from './instrument.js';
import { NonNegative, Positive } from './numbers.js';

export const OrderSide = z.enum(['buy', 'sell'], { error: 'side must be "buy" or "sell"' });
export type OrderSide = z.infer<typeof OrderSide>;
export const OrderType = z.enum(['market', 'limit', 'stop'], { error: 'type must be "market", "limit" or "stop"' });
export type OrderType = z.infer<typeof OrderType>;
export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK', 'DAY'], { error: 'timeInForce must be GTC, IOC, FOK or DAY' });
export type TimeInForce = z.infer<typeof TimeInForce>;

export const OrderStatus = z.enum([
  'pending', // journaled, not yet acknowledged by the venue
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending', 'open', 'partially_filled'];
export const isOpenStatus = (s: OrderStatus): boolean => OPEN_STATUSES.includes(s);

/** The command to place an order, as it arrives from the UI, REST, CLI or a strategy. */
export const SubmitOrder = z
  .object({
    accountId: z.string().min(1).optional(),
    instrumentId: InstrumentId,
    side: OrderSide,
    type: OrderType,
    quantity: Positive,
    price: Positive.optional(),
    stopPrice: Positive.optional(),
    timeInForce: TimeInForce.optional(),
    clientOrderId: z.string().min(1).max(64).optional(),
    tag: z.string().max(64).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.type === 'limit' && o.price === undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    if (o.type === 'stop' && o.stopPrice === undefined) ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: 'a stop order needs a stopPrice' });
    if (o.type === 'market' && o.price !== undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market order takes no price' });
  });
export type SubmitOrder = z.infer<typeof SubmitOrder>;

export const Order = z.object({
  clientOrderId: z.string(),
  venueOrderId: z.string().nullable(),
  accountId: z.string(),
  instrumentId: InstrumentId,
  side: OrderSide,
  type: OrderType,
  timeInForce: TimeInForce,
  quantity: Positive,
  price: z.number().nullable(),
  stopPrice: z.number().nullable(),
  status: OrderStatus,
  filledQuantity: NonNegative,
  avgFillPrice: z.number().nullable(),
  reason: z.string().nullable(),
  tsCreated: EpochMs,
  tsUpdated: EpochMs,
});
export type Order = z.infer<typeof Order>;

export const OrderEventKind = z.enum(['submitted', 'accepted', 'rejected', 'filled', 'partially_filled', 'cancel_requested', 'canceled', 'expired', 'cancel_rejected']);
export const OrderEvent = z.object({
  clientOrderId: z.string(),
  kind: OrderEventKind,
  detail: z.string().nullable(),
  tsEvent: EpochMs,
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const Fill = z.object({
  fillId: z.string(),
  /** The venue's trade id for this execution. */
  venueTradeId: z.string(),
  clientOrderId: z.string(),
  venueOrderId: z.string().nullable(),
  accountId: z.string(),
  instrumentId: InstrumentId,
  side: OrderSide,
  quantity: Positive,
  price: Positive,
  fee: z.number(),
  feeCurrency: z.string(),
  liquidity: z.enum(['maker', 'taker']),
  tsEvent: EpochMs,
});
export type Fill = z.infer<typeof Fill>;
