import { z } from 'zod';

/** Binance sends prices and sizes as decimal strings. */
const Decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?(e-?\d+)?$/i, 'must be a decimal number in a string')
  .transform(Number);
const Ms = z.number().int().nonnegative();
const Level = z.tuple([Decimal, Decimal]);

/** `<symbol>@trade` (USDⓈ-M adds X; spot adds M). `m`: the buyer was the maker, i.e. the taker sold. */
export const BinanceTradeFrame = z.object({
  e: z.literal('trade'),
  E: Ms,
  T: Ms,
  s: z.string().min(1),
  t: z.number().int(),
  p: Decimal,
  q: Decimal,
  m: z.boolean(),
});
export type BinanceTradeFrame = z.infer<typeof BinanceTradeFrame>;

/** `<symbol>@aggTrade`: `a` aggregate id, f..l the trades it aggregates. */
export const BinanceAggTradeFrame = z.object({
  e: z.literal('aggTrade'),
  E: Ms,
  a: z.number().int(),
  s: z.string().min(1),
  p: Decimal,
  q: Decimal,
  f: z.number().int(),
  l: z.number().int(),
  T: Ms,
  m: z.boolean(),
});
export type BinanceAggTradeFrame = z.infer<typeof BinanceAggTradeFrame>;

/** `<symbol>@bookTicker`; spot frames carry no event or transaction time. */
export const BinanceBookTickerFrame = z.object({
  u: z.number().int(),
  s: z.string().min(1),
  b: Decimal,
  B: Decimal,
  a: Decimal,
  A: Decimal,
  T: Ms.optional(),
  E: Ms.optional(),
});
export type BinanceBookTickerFrame = z.infer<typeof BinanceBookTickerFrame>;

/** `<symbol>@depth…` diff: U..u update ids; USDⓈ-M adds `pu`, the previous frame's `u`. */
export const BinanceDepthUpdateFrame = z.object({
  e: z.literal('depthUpdate'),
  E: Ms,
  T: Ms.optional(),
  s: z.string().min(1),
  U: z.number().int(),
  u: z.number().int(),
  pu: z.number().int().optional(),
  b: z.array(Level),
  a: z.array(Level),
});
export type BinanceDepthUpdateFrame = z.infer<typeof BinanceDepthUpdateFrame>;

/** REST `/depth` snapshot, recorded in line with the stream. */
export const BinanceDepthSnapshot = z.object({
  lastUpdateId: z.number().int(),
  E: Ms.optional(),
  T: Ms.optional(),
  bids: z.array(Level),
  asks: z.array(Level),
});
export type BinanceDepthSnapshot = z.infer<typeof BinanceDepthSnapshot>;

/** Combined-stream envelope: `{"stream":"btcusdt@trade","data":{…}}`. */
export const BinanceStreamEnvelope = z.object({ stream: z.string().min(1), data: z.unknown() });
