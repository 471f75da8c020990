import { z } from 'zod';
import { EpochMs } from './time.js';
import { InstrumentId } from './instrument.js';
import { Positive } from './numbers.js';

/** One trade print. `side` is the taker's side: 'buy' means the buyer was the aggressor (is_buyer_maker = false). */
export const TradeTick = z.object({
  instrumentId: InstrumentId,
  tradeId: z.string(),
  price: Positive,
  quantity: Positive,
  side: z.enum(['buy', 'sell']),
  /** Venue (exchange) time of the trade. */
  tsEvent: EpochMs,
  /** When Kestrel received it. */
  tsInit: EpochMs,
});
export type TradeTick = z.infer<typeof TradeTick>;

/** Top of book. */
export const QuoteTick = z.object({
  instrumentId: InstrumentId,
  bid: z.number(),
  bidSize: z.number().nonnegative(),
  ask: z.number(),
  askSize: z.number().nonnegative(),
  last: z.number().optional(),
  tsEvent: EpochMs,
  tsInit: EpochMs,
});
export type QuoteTick = z.infer<typeof QuoteTick>;

export const BookLevel = z.tuple([z.number(), z.number()]);
export const OrderBook = z.object({
  instrumentId: InstrumentId,
  bids: z.array(BookLevel),
  asks: z.array(BookLevel),
  sequence: z.number().optional(),
  tsEvent: EpochMs,
});
export type OrderBook = z.infer<typeof OrderBook>;

export const BarInterval = z.string().regex(/^\d+(m|h|d)$/, 'interval must look like 1m, 5m, 1h, 4h or 1d');
export type BarInterval = z.infer<typeof BarInterval>;

/** A bar with every field of seed 004. close_time = open_time + interval − 1 ms (Binance's convention). */
export const Bar = z.object({
  instrumentId: InstrumentId,
  interval: BarInterval,
  openTime: EpochMs,
  closeTime: EpochMs,
  /** 1-based index of the window within its UTC day (1..288 for 5m). */
  timeLabel: z.number().int().positive(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number().nonnegative(),
  quoteVolume: z.number().nonnegative(),
  tradeCount: z.number().int().nonnegative(),
  /** NaN for an empty window (serialised as null over JSON). */
  vwap: z.number().nullable(),
  buyVolume: z.number().nonnegative(),
  sellVolume: z.number().nonnegative(),
  buyQuoteVolume: z.number().nonnegative(),
  sellQuoteVolume: z.number().nonnegative(),
  final: z.boolean().default(true),
});
export type Bar = z.infer<typeof Bar>;

export const FundingRate = z.object({
  instrumentId: InstrumentId,
  rate: z.number(),
  intervalHours: z.number().positive(),
  /** rate scaled to 24h so venues paying every 1h and every 8h compare. */
  rate24h: z.number(),
  fundingTime: EpochMs,
  markPrice: z.number().optional(),
  premium: z.number().optional(),
});
export type FundingRate = z.infer<typeof FundingRate>;
