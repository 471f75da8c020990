import { z } from 'zod';
import { FundingRate } from '../../shared/model/market.js';
import { InstrumentId } from '../../shared/model/instrument.js';
import { EpochMs, MS_PER_HOUR } from '../../shared/model/time.js';
import { Finite } from '../../shared/model/numbers.js';
import { describeZodError } from '../../shared/api/errors.js';

/**
 * Funding normalisation. Venues pay funding at different cadences (Binance every 8h, some Binance
 * symbols every 4h or 1h, Hyperliquid every hour since June 2023 and every 8h before), so a raw rate
 * says little until it is scaled to one period: `rate24h = rate × 24 / intervalHours`.
 */

/** Cadences venues actually use; a gap between two fundings is read as one of these or as a hole. */
export const FUNDING_CADENCES_HOURS = [1, 2, 4, 8] as const;

/** One premium-index kline (Binance `premiumIndexKlines`): OHLC of the premium index, no volume. */
export const PremiumIndexBar = z.object({
  instrumentId: InstrumentId,
  interval: z.string().regex(/^\d+(m|h|d)$/, 'interval must look like 1m, 5m, 1h or 1d'),
  openTime: EpochMs,
  closeTime: EpochMs,
  open: Finite,
  high: Finite,
  low: Finite,
  close: Finite,
});
export type PremiumIndexBar = z.infer<typeof PremiumIndexBar>;

/** A funding payment as a venue reports it, before normalisation. */
export interface FundingPoint {
  fundingTime: number;
  rate: number;
  /** Known cadence (e.g. from ccxt's `interval: '8h'`); inferred from the spacing when absent. */
  intervalHours?: number;
  markPrice?: number;
  premium?: number;
}

export interface NormaliseFundingOptions {
  /** Cadence used when spacing cannot tell (a single row, rows separated by holes). */
  defaultIntervalHours: number;
}

export function toRate24h(rate: number, intervalHours: number): number {
  return (rate * 24) / intervalHours;
}

/** Hyperliquid pays hourly; the others Kestrel trades default to Binance's 8h. */
export function defaultFundingIntervalHours(venue: string): number {
  return venue.toUpperCase() === 'HYPERLIQUID' ? 1 : 8;
}

/** The standard cadence a gap matches within 10 %, or undefined for a hole or an odd gap. */
function cadenceOfGap(gapMs: number): number | undefined {
  const hours = gapMs / MS_PER_HOUR;
  for (const c of FUNDING_CADENCES_HOURS) if (Math.abs(hours - c) <= c * 0.1) return c;
  return undefined;
}

/**
 * The cadence in force at each funding time (times ascending). A gap to the previous row that is a
 * standard cadence sets the cadence only when the next gap confirms it, so a missing payment (a 2h
 * gap among hourly rows) does not halve the normalised rate, while a real switch (Hyperliquid's
 * move from 8h to 1h) is followed from its first row. After a hole the next gap decides. An odd
 * gap before the last row cannot be confirmed and keeps the cadence.
 */
export function inferFundingIntervals(timesMs: readonly number[], defaultIntervalHours: number): number[] {
  const out: number[] = [];
  let cadence: number | undefined;
  for (let i = 0; i < timesMs.length; i++) {
    const prevGap = i > 0 ? cadenceOfGap(timesMs[i]! - timesMs[i - 1]!) : undefined;
    const nextGap = i + 1 < timesMs.length ? cadenceOfGap(timesMs[i + 1]! - timesMs[i]!) : undefined;
    if (prevGap === undefined) {
      cadence = nextGap ?? cadence ?? defaultIntervalHours;
    } else if (prevGap !== cadence && nextGap === prevGap) {
      cadence = prevGap;
    }
    out.push(cadence ?? defaultIntervalHours);
  }
  return out;
}

/**
 * Sorts by funding time, keeps the last report of a repeated time, fills each cadence (given or
 * inferred) and the 24h rate.
 */
export function normaliseFundingHistory(
  instrumentId: string,
  points: readonly FundingPoint[],
  options: NormaliseFundingOptions,
): FundingRate[] {
  if (!(options.defaultIntervalHours > 0)) throw new Error(`defaultIntervalHours must be > 0, got ${options.defaultIntervalHours}`);
  const byTime = new Map<number, FundingPoint>();
  for (const p of points) {
    if (!Number.isInteger(p.fundingTime) || p.fundingTime < 0) throw new Error(`funding time ${p.fundingTime} of ${instrumentId} is not an epoch-ms integer`);
    if (!Number.isFinite(p.rate)) throw new Error(`funding rate at ${p.fundingTime} of ${instrumentId} is not a finite number`);
    if (p.intervalHours !== undefined && !(p.intervalHours > 0)) throw new Error(`funding interval at ${p.fundingTime} of ${instrumentId} must be > 0 hours`);
    byTime.set(p.fundingTime, p);
  }
  const sorted = [...byTime.values()].sort((a, b) => a.fundingTime - b.fundingTime);
  const inferred = inferFundingIntervals(
    sorted.map((p) => p.fundingTime),
    options.defaultIntervalHours,
  );
  return sorted.map((p, i) => {
    const intervalHours = p.intervalHours ?? inferred[i]!;
    const rate: FundingRate = { instrumentId, rate: p.rate, intervalHours, rate24h: toRate24h(p.rate, intervalHours), fundingTime: p.fundingTime };
    if (p.markPrice !== undefined && Number.isFinite(p.markPrice)) rate.markPrice = p.markPrice;
    if (p.premium !== undefined && Number.isFinite(p.premium)) rate.premium = p.premium;
    return rate;
  });
}

const decimalString = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'must be a decimal number in a string');

/** Hyperliquid `POST /info {"type":"fundingHistory"}` response body. */
export const HyperliquidFundingHistory = z.array(
  z.object({
    coin: z.string().min(1),
    fundingRate: decimalString,
    premium: decimalString,
    time: EpochMs,
  }),
);

/**
 * Parses a Hyperliquid fundingHistory body (rates per payment, with the premium) into normalised
 * FundingRate rows. Hyperliquid paid every 8h until 2023-06-08 and hourly since; the cadence is
 * read from the spacing, so both eras come out right.
 */
export function parseHyperliquidFundingHistory(body: unknown, instrumentId: string): FundingRate[] {
  const parsed = HyperliquidFundingHistory.safeParse(body);
  if (!parsed.success) throw new Error(describeZodError(parsed.error, 'Hyperliquid fundingHistory response'));
  const coins = new Set(parsed.data.map((r) => r.coin));
  if (coins.size > 1) throw new Error(`Hyperliquid fundingHistory mixes coins (${[...coins].join(', ')}); expected one coin for ${instrumentId}`);
  const points = parsed.data.map((r) => ({ fundingTime: r.time, rate: Number(r.fundingRate), premium: Number(r.premium) }));
  return normaliseFundingHistory(instrumentId, points, { defaultIntervalHours: defaultFundingIntervalHours('HYPERLIQUID') });
}

const LEAN_FUNDING_LINE = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2}),(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;

/**
 * Parses a QuantConnect LEAN `margin_interest/<symbol>.csv` (no header; `YYYYMMDD HH:mm:ss,rate`,
 * UTC): Binance/Bybit perp funding rates, one row per payment.
 */
export function parseLeanFundingCsv(text: string, instrumentId: string, options: NormaliseFundingOptions = { defaultIntervalHours: 8 }): FundingRate[] {
  const points: FundingPoint[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const m = LEAN_FUNDING_LINE.exec(line);
    if (!m) throw new Error(`line ${index + 1}: expected "YYYYMMDD HH:mm:ss,rate", got "${line.slice(0, 60)}"`);
    const [, y, mo, d, h, mi, s, rate] = m;
    const fundingTime = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (new Date(fundingTime).getUTCDate() !== Number(d)) throw new Error(`line ${index + 1}: "${line.slice(0, 17)}" is not a real date and time`);
    points.push({ fundingTime, rate: Number(rate) });
  });
  return normaliseFundingHistory(instrumentId, points, options);
}
