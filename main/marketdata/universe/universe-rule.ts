import { z } from 'zod';
import { InstrumentId } from '../../../shared/model/instrument.js';
import { MS_PER_DAY } from '../../../shared/model/time.js';
import { RefreshScheduleConfig } from './refresh-schedule.js';

/** The configurable rule that picks the tradable universe (config key `universe`). */
export const UniverseRuleConfig = z
  .object({
    /** Keep the N candidates with the largest 24h quote volume. */
    topN: z.number().int().positive().default(50),
    /** Leave out instruments listed fewer than this many days ago (new listings trade erratically). */
    minListingAgeDays: z.number().nonnegative().default(30),
    /** ccxt symbols (`LUNA/USDT:USDT`) or instrument ids (`BINANCEUSDM:LUNA/USDT:USDT`) never to include. */
    excludeSymbols: z.array(z.string().min(1)).default([]),
    /** Only these quote currencies (e.g. ["USDT"]); empty = any. */
    quoteCurrencies: z.array(z.string().min(1)).default(['USDT']),
    /** Optional floor on 24h quote volume. */
    minQuoteVolume24h: z.number().nonnegative().default(0),
    refresh: RefreshScheduleConfig.default({ time: '23:55', timeZone: 'Asia/Shanghai' }),
  })
  .strict();
export type UniverseRuleConfig = z.infer<typeof UniverseRuleConfig>;

/** One tradable instrument as the venue's markets and 24h tickers describe it. */
export const UniverseCandidate = z.object({
  instrumentId: InstrumentId,
  /** ccxt unified symbol. */
  symbol: z.string().min(1),
  quote: z.string().min(1),
  /** 24h traded value in the quote currency (ccxt ticker `quoteVolume`); null when the venue gave none. */
  quoteVolume24h: z.number().nullable(),
  /** When the instrument was listed (Binance `onboardDate`, ccxt market `created`); null if unknown. */
  listedAtMs: z.number().int().nonnegative().nullable(),
  active: z.boolean().default(true),
});
export type UniverseCandidate = z.infer<typeof UniverseCandidate>;

export interface UniverseMember {
  /** 1 = largest 24h quote volume. */
  rank: number;
  instrumentId: string;
  symbol: string;
  quote: string;
  quoteVolume24h: number;
  listedAtMs: number | null;
}

export interface UniverseSelection {
  members: UniverseMember[];
  /** Every candidate left out, with the reason in plain words. */
  excluded: Array<{ instrumentId: string; reason: string }>;
}

/**
 * Applies the rule to candidate tickers at `nowMs`: filters (active, quote currency, exclusions,
 * volume known and above the floor, listing age), orders by 24h quote volume (largest first, ties by
 * instrument id so the result never depends on input order) and keeps the top N.
 */
export function selectUniverse(candidates: readonly UniverseCandidate[], rule: UniverseRuleConfig, nowMs: number): UniverseSelection {
  const excluded: UniverseSelection['excluded'] = [];
  const excludedNames = new Set(rule.excludeSymbols.map((s) => s.toUpperCase()));
  const quotes = new Set(rule.quoteCurrencies.map((q) => q.toUpperCase()));
  const minAgeMs = rule.minListingAgeDays * MS_PER_DAY;
  const seen = new Set<string>();
  const eligible: Array<UniverseCandidate & { quoteVolume24h: number }> = [];

  for (const c of candidates) {
    const out = (reason: string) => excluded.push({ instrumentId: c.instrumentId, reason });
    if (seen.has(c.instrumentId)) throw new Error(`candidate ${c.instrumentId} is listed twice`);
    seen.add(c.instrumentId);
    if (!c.active) out('not active at the venue');
    else if (quotes.size > 0 && !quotes.has(c.quote.toUpperCase())) out(`quote currency ${c.quote} is not one of ${[...quotes].join(', ')}`);
    else if (excludedNames.has(c.symbol.toUpperCase()) || excludedNames.has(c.instrumentId.toUpperCase())) out('in excludeSymbols');
    else if (c.quoteVolume24h === null || !Number.isFinite(c.quoteVolume24h)) out('no 24h quote volume');
    else if (c.quoteVolume24h < rule.minQuoteVolume24h) out(`24h quote volume ${c.quoteVolume24h} is below minQuoteVolume24h ${rule.minQuoteVolume24h}`);
    else if (minAgeMs > 0 && c.listedAtMs === null) out('listing date unknown, so minListingAgeDays cannot be checked');
    else if (minAgeMs > 0 && nowMs - c.listedAtMs! < minAgeMs) out(`listed ${((nowMs - c.listedAtMs!) / MS_PER_DAY).toFixed(1)} days ago, under minListingAgeDays ${rule.minListingAgeDays}`);
    else eligible.push({ ...c, quoteVolume24h: c.quoteVolume24h });
  }

  eligible.sort((a, b) => b.quoteVolume24h - a.quoteVolume24h || (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0));
  const members = eligible.slice(0, rule.topN).map((c, i) => ({
    rank: i + 1,
    instrumentId: c.instrumentId,
    symbol: c.symbol,
    quote: c.quote,
    quoteVolume24h: c.quoteVolume24h,
    listedAtMs: c.listedAtMs,
  }));
  for (const c of eligible.slice(rule.topN)) excluded.push({ instrumentId: c.instrumentId, reason: `not in the top ${rule.topN} by 24h quote volume` });
  return { members, excluded };
}
