import { z } from 'zod';
import { describeZodError, KestrelError } from '../../../shared/api/errors.js';
import { IB_VENUE, IbSecType, parseIbInstrumentId } from './instrument-id.js';

/**
 * A contract search (seed 002's FIND_CONTRACTS): secType and symbol required, the rest narrows.
 * A future without expiry lists every expiry TWS knows; with expiry and multiplier it is one contract.
 */
export const IbContractQuery = z
  .object({
    secType: IbSecType,
    symbol: z.string().trim().min(1, 'symbol is required'),
    exchange: z.string().trim().min(1).optional(),
    currency: z.string().trim().min(1).optional(),
    expiry: z.string().regex(/^\d{6}(\d{2})?$/, 'expiry must be YYYYMM or YYYYMMDD').optional(),
    multiplier: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'multiplier must be a positive number')]).optional(),
  })
  .strict();
export type IbContractQuery = z.infer<typeof IbContractQuery>;

/**
 * Reads a search string: an instrumentId ("IB:FUT:BRR:CMECRYPTO:USD:20210625:5"), or
 * "[SECTYPE:]SYMBOL[:EXCHANGE[:CURRENCY[:EXPIRY[:MULTIPLIER]]]]" ("AAPL", "FUT:BRR:CMECRYPTO",
 * "STK:1137:SEHK:HKD"). A bare symbol searches stocks.
 */
export function parseContractQuery(text: string): IbContractQuery {
  const q = text.trim();
  if (!q) throw new KestrelError('bad_request', 'IB contract search needs a symbol, e.g. "AAPL" or "FUT:BRR:CMECRYPTO"');
  if (q.toUpperCase().startsWith(`${IB_VENUE}:`)) {
    const spec = parseIbInstrumentId(q);
    return { ...spec };
  }
  const parts = q.split(':').map((p) => p.trim());
  const first = IbSecType.safeParse(parts[0]?.toUpperCase());
  const [secType, rest] = first.success ? [first.data, parts.slice(1)] : ['STK' as const, parts];
  const [symbol, exchange, currency, expiry, multiplier] = rest;
  const raw = {
    secType,
    symbol: symbol ?? '',
    ...(exchange ? { exchange: exchange.toUpperCase() } : {}),
    ...(currency ? { currency: currency.toUpperCase() } : {}),
    ...(expiry ? { expiry } : {}),
    ...(multiplier ? { multiplier } : {}),
  };
  const r = IbContractQuery.safeParse(raw);
  if (!r.success) throw new KestrelError('bad_request', describeZodError(r.error, `IB contract search "${text}"`));
  return r.data;
}
