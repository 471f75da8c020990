import { z } from 'zod';
import { KestrelError } from '../../../shared/api/errors.js';

export const IB_VENUE = 'IB';

export const IbSecType = z.enum(['STK', 'FUT', 'CASH', 'CRYPTO']);
export type IbSecType = z.infer<typeof IbSecType>;

/** The fields that name one IB contract in Kestrel (conId aside, which TWS assigns). */
export interface IbContractSpec {
  secType: IbSecType;
  symbol: string;
  exchange: string;
  currency: string;
  /** FUT only: last trade date YYYYMMDD (or contract month YYYYMM). */
  expiry?: string;
  /** FUT only: contract multiplier as TWS reports it (5, 0.1, 50). */
  multiplier?: string;
}

const FIELD = /^[^:\s][^:]*$/;

/**
 * Kestrel's stable id for an IB contract:
 *   IB:STK:AAPL:SMART:USD, IB:CASH:EUR:IDEALPRO:USD, IB:CRYPTO:BTC:PAXOS:USD,
 *   IB:FUT:BRR:CMECRYPTO:USD:20210625:5  (futures add expiry and multiplier, as seed 002's keys do).
 * It is built from the contract's own fields, never from TWS's conId, so it survives a
 * reinstall and reads the same in logs, Parquet paths and the UI.
 */
export function formatIbInstrumentId(spec: IbContractSpec): string {
  const parts = [spec.secType, spec.symbol, spec.exchange, spec.currency];
  if (spec.secType === 'FUT') {
    if (!spec.expiry) throw new KestrelError('bad_request', `IB future ${spec.symbol} needs an expiry to form an instrumentId`);
    parts.push(normalizeExpiry(spec.expiry), normalizeMultiplier(spec.multiplier ?? '1'));
  }
  for (const p of parts) {
    if (!FIELD.test(p)) throw new KestrelError('bad_request', `IB contract field "${p}" cannot be part of an instrumentId (empty, or has ":")`);
  }
  return `${IB_VENUE}:${parts.join(':')}`;
}

/** Inverse of formatIbInstrumentId; errors say which part is wrong and show the expected form. */
export function parseIbInstrumentId(instrumentId: string): IbContractSpec {
  const parts = instrumentId.split(':');
  const form = 'IB:<STK|CASH|CRYPTO>:<symbol>:<exchange>:<currency> or IB:FUT:<symbol>:<exchange>:<currency>:<expiry>:<multiplier>';
  if (parts[0] !== IB_VENUE) throw new KestrelError('bad_request', `"${instrumentId}" is not an IB instrumentId (expected ${form})`);
  const secType = IbSecType.safeParse(parts[1]);
  if (!secType.success) throw new KestrelError('bad_request', `"${instrumentId}": security type "${parts[1] ?? ''}" is not one of STK, FUT, CASH, CRYPTO`);
  const want = secType.data === 'FUT' ? 7 : 5;
  if (parts.length !== want || parts.some((p) => !FIELD.test(p))) {
    throw new KestrelError('bad_request', `"${instrumentId}" must have ${want} non-empty parts: ${form}`);
  }
  const [, , symbol, exchange, currency, expiry, multiplier] = parts as [string, string, string, string, string, string?, string?];
  if (secType.data !== 'FUT') return { secType: secType.data, symbol, exchange, currency };
  if (!/^\d{6}(\d{2})?$/.test(expiry ?? '')) throw new KestrelError('bad_request', `"${instrumentId}": expiry "${expiry}" must be YYYYMMDD or YYYYMM`);
  if (!(Number(multiplier) > 0)) throw new KestrelError('bad_request', `"${instrumentId}": multiplier "${multiplier}" must be a positive number`);
  return { secType: 'FUT', symbol, exchange, currency, expiry, multiplier: normalizeMultiplier(multiplier ?? '1') };
}

/** TWS may append a time and zone to the date ("20210625 08:00 US/Central"); the id keeps the date. */
export function normalizeExpiry(raw: string): string {
  const m = /^(\d{6}(?:\d{2})?)/.exec(raw.trim());
  if (!m?.[1]) throw new KestrelError('bad_request', `IB expiry "${raw}" does not start with YYYYMMDD or YYYYMM`);
  return m[1];
}

/** "5", "5.0" and 5 name the same contract; "0.1" stays "0.1". */
export function normalizeMultiplier(raw: string | number): string {
  const n = Number(raw);
  if (!(n > 0)) throw new KestrelError('bad_request', `IB multiplier "${raw}" must be a positive number`);
  return String(n);
}
