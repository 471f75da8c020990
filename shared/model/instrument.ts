import { z } from 'zod';
import { Positive } from './numbers.js';

export const InstrumentKind = z.enum(['spot', 'perp', 'future', 'option', 'stock', 'forex', 'crypto']);
export type InstrumentKind = z.infer<typeof InstrumentKind>;

/** `VENUE:SYMBOL`, e.g. `BINANCEUSDM:BTC/USDT:USDT` (ccxt unified symbol) or `IB:STK:AAPL:SMART:USD`. */
export const InstrumentId = z
  .string()
  .regex(/^[A-Z0-9_]+:.+$/, 'instrumentId must look like VENUE:SYMBOL, e.g. SIM:BTC/USDT:USDT');
export type InstrumentId = z.infer<typeof InstrumentId>;

export const Instrument = z.object({
  instrumentId: InstrumentId,
  venue: z.string().min(1),
  symbol: z.string().min(1),
  kind: InstrumentKind,
  base: z.string(),
  quote: z.string(),
  settle: z.string().optional(),
  tickSize: Positive,
  lotSize: Positive,
  minNotional: z.number().nonnegative().default(0),
  multiplier: Positive.default(1),
  /** IB security type (STK, FUT, CASH, CRYPTO, OPT) where relevant. */
  secType: z.string().optional(),
  expiry: z.string().optional(),
  /** Instruments from the built-in market simulator carry this flag; every screen shows it. */
  simulated: z.boolean().default(false),
  active: z.boolean().default(true),
});
export type Instrument = z.infer<typeof Instrument>;

export function splitInstrumentId(id: string): { venue: string; symbol: string } {
  const at = id.indexOf(':');
  if (at <= 0) throw new Error(`instrumentId "${id}" must look like VENUE:SYMBOL`);
  return { venue: id.slice(0, at), symbol: id.slice(at + 1) };
}

export function makeInstrumentId(venue: string, symbol: string): string {
  return `${venue.toUpperCase()}:${symbol}`;
}
