import { z } from 'zod';
import { describeZodError, KestrelError } from '../../shared/api/errors.js';
import { BarInterval } from '../../shared/model/market.js';
import { RefreshScheduleConfig } from '../marketdata/universe/refresh-schedule.js';
import { UniverseRuleConfig } from '../marketdata/universe/universe-rule.js';

/**
 * Config keys of the market-data worker's background services: REST history fill (`history`),
 * the daily universe refresh (`universe`) and funding/premium-index polling (`funding`). The lead
 * adds `MarketDataServicesConfig.shape` entries to KestrelConfig; each section defaults on its own.
 */

/**
 * What HistorySync fills: trades (or venue bars where the venue pages no trades but its klines carry
 * every bar field), venue bars, funding payments, premium index klines.
 */
export const HistoryKind = z.enum(['trades', 'bars', 'funding', 'premiumIndex'], {
  error: 'history kinds are trades, bars, funding and premiumIndex',
});
export type HistoryKind = z.infer<typeof HistoryKind>;

/** The kinds `history.kinds` lists; funding and premium index are switched by the `funding` section. */
export const MarketHistoryKind = z.enum(['trades', 'bars'], { error: 'history.kinds are trades and bars (funding has its own section)' });

export const HistoryConfig = z
  .object({
    /** Fill from the last stored record (or lookbackHours ago) up to now when the venue first connects. */
    onStart: z.boolean().default(true),
    /** Fill again after a venue reconnects (trades only where the gateway does not backfill them itself). */
    afterReconnect: z.boolean().default(true),
    /**
     * How far back a fill reaches when nothing newer is stored — and at most, so a machine that was
     * off for two weeks does not start by downloading two weeks of trades (`kestrel backfill` does).
     */
    lookbackHours: z.number().positive('lookbackHours must be above 0').max(24 * 366, 'lookbackHours must be at most a year').default(24),
    kinds: z.array(MarketHistoryKind).default(['trades']),
    /** Interval of venue bars (kind `bars`, and the fallback for venues without trade history). */
    barInterval: BarInterval.default('1m'),
    /** Attempts per instrument and kind when the venue answers 429/418/5xx or times out. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** First wait before a retry; doubled each time up to maxRetryDelayMs (a venue's Retry-After wins when longer). */
    retryDelayMs: z.number().int().min(0).default(1_000),
    maxRetryDelayMs: z.number().int().min(0).default(30_000),
  })
  .strict();
export type HistoryConfig = z.infer<typeof HistoryConfig>;
export type HistoryConfigInput = z.input<typeof HistoryConfig>;

export const UniverseServiceConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** ccxt venue id of a configured `venues:` entry (e.g. binanceusdm); its first entry serves the tickers. */
    venue: z.string().min(1).optional(),
    /** Market types that can enter the universe (ccxt `spot`, `swap` = perpetuals, `future` = dated). */
    marketTypes: z.array(z.enum(['spot', 'swap', 'future'], { error: 'marketTypes are spot, swap and future' })).min(1).default(['swap']),
    rule: UniverseRuleConfig.omit({ refresh: true }).prefault({}),
    refresh: RefreshScheduleConfig.prefault({}),
    /** At start, refresh now when the last scheduled refresh was missed (Kestrel was not running then). */
    refreshIfStale: z.boolean().default(true),
    /** A refresh that fails (venue down) is tried again after this long, until the next scheduled one. */
    retryDelayMs: z.number().int().min(1_000).default(60_000),
  })
  .strict()
  .refine((u) => !u.enabled || u.venue !== undefined, { message: 'universe.venue is required when the universe is enabled (e.g. venue: binanceusdm)', path: ['venue'] });
export type UniverseServiceConfig = z.infer<typeof UniverseServiceConfig>;

export const FundingConfig = z
  .object({
    /** Store funding history and premium index of every subscribed perp, and poll for new payments. */
    enabled: z.boolean().default(true),
    /** How often settled funding payments and premium index klines are fetched. */
    pollMinutes: z.number().positive('pollMinutes must be above 0').max(24 * 60).default(60),
    /** How far back funding and premium index reach when nothing is stored yet (and at most). */
    lookbackDays: z.number().positive('lookbackDays must be above 0').max(3_650).default(30),
    /** Also premium index klines, on venues that have them (Binance USDⓈ-M, Bybit). */
    premiumIndex: z.boolean().default(true),
    /** Interval of premium index klines (seed 004 keeps them at 5 minutes). */
    premiumIndexInterval: BarInterval.default('5m'),
  })
  .strict();
export type FundingConfig = z.infer<typeof FundingConfig>;

export const MarketDataServicesConfig = z
  .object({
    history: HistoryConfig.prefault({}),
    universe: UniverseServiceConfig.prefault({}),
    funding: FundingConfig.prefault({}),
  })
  .strict();
export type MarketDataServicesConfig = z.infer<typeof MarketDataServicesConfig>;
export type MarketDataServicesConfigInput = z.input<typeof MarketDataServicesConfig>;

export function parseMarketDataServicesConfig(input: unknown, source = 'config'): MarketDataServicesConfig {
  const r = MarketDataServicesConfig.safeParse(input ?? {});
  if (!r.success) throw new KestrelError('bad_request', describeZodError(r.error, source));
  return r.data;
}

/** What one HistorySync works with, resolved from the `history` and `funding` sections. */
export interface HistorySyncSettings {
  kinds: HistoryKind[];
  lookbackMs: number;
  fundingLookbackMs: number;
  barInterval: string;
  premiumIndexInterval: string;
  afterReconnect: boolean;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export function historySyncSettings(services: Pick<MarketDataServicesConfig, 'history' | 'funding'>): HistorySyncSettings {
  const { history, funding } = services;
  const kinds: HistoryKind[] = [...new Set(history.kinds)];
  if (funding.enabled) {
    kinds.push('funding');
    if (funding.premiumIndex) kinds.push('premiumIndex');
  }
  return {
    kinds,
    lookbackMs: Math.round(history.lookbackHours * 3_600_000),
    fundingLookbackMs: Math.round(funding.lookbackDays * 86_400_000),
    barInterval: history.barInterval,
    premiumIndexInterval: funding.premiumIndexInterval,
    afterReconnect: history.afterReconnect,
    maxAttempts: history.maxAttempts,
    retryDelayMs: history.retryDelayMs,
    maxRetryDelayMs: history.maxRetryDelayMs,
  };
}

/** Defaults of a HistorySync built without config (the CLI, tests). */
export const DEFAULT_HISTORY_SYNC_SETTINGS: HistorySyncSettings = historySyncSettings(parseMarketDataServicesConfig({}));
