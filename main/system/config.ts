import { z } from 'zod';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BarInterval, InstrumentKind } from '../../shared/model/index.js';
import { PaperVenueConfig } from '../adapters/paper/paper-config.js';
import { IbGatewayConfig } from '../adapters/ib/config.js';
import { CcxtGatewayConfig } from '../adapters/ccxt/config.js';
import { FundingConfig, HistoryConfig, UniverseServiceConfig } from './market-data-services-config.js';
import { describeZodError } from '../../shared/api/errors.js';

export const SimulatedInstrumentConfig = z
  .object({
    symbol: z.string().min(1),
    kind: InstrumentKind,
    base: z.string().min(1),
    quote: z.string().min(1),
    settle: z.string().optional(),
    startPrice: z.number().positive(),
    tickSize: z.number().positive(),
    lotSize: z.number().positive(),
    /** Annualised volatility, e.g. 0.6 for 60 %. */
    annualVol: z.number().positive().max(10).default(0.6),
    /** Mean trades per second. */
    tradesPerSec: z.number().positive().max(1000).default(4),
    baseSpreadBps: z.number().positive().default(1),
  })
  .strict();
export type SimulatedInstrumentConfig = z.infer<typeof SimulatedInstrumentConfig>;

export const DEFAULT_SIMULATED_INSTRUMENTS: SimulatedInstrumentConfig[] = [
  { symbol: 'BTC/USDT:USDT', kind: 'perp', base: 'BTC', quote: 'USDT', settle: 'USDT', startPrice: 97_000, tickSize: 0.1, lotSize: 0.001, annualVol: 0.55, tradesPerSec: 8, baseSpreadBps: 0.2 },
  { symbol: 'ETH/USDT:USDT', kind: 'perp', base: 'ETH', quote: 'USDT', settle: 'USDT', startPrice: 3_600, tickSize: 0.01, lotSize: 0.001, annualVol: 0.7, tradesPerSec: 6, baseSpreadBps: 0.3 },
  { symbol: 'SOL/USDT:USDT', kind: 'perp', base: 'SOL', quote: 'USDT', settle: 'USDT', startPrice: 210, tickSize: 0.001, lotSize: 0.01, annualVol: 0.9, tradesPerSec: 4, baseSpreadBps: 0.5 },
  { symbol: 'AAPL', kind: 'stock', base: 'AAPL', quote: 'USD', startPrice: 235, tickSize: 0.01, lotSize: 1, annualVol: 0.25, tradesPerSec: 3, baseSpreadBps: 0.5 },
  { symbol: 'MSFT', kind: 'stock', base: 'MSFT', quote: 'USD', startPrice: 440, tickSize: 0.01, lotSize: 1, annualVol: 0.25, tradesPerSec: 2, baseSpreadBps: 0.5 },
  { symbol: 'SPY', kind: 'stock', base: 'SPY', quote: 'USD', startPrice: 600, tickSize: 0.01, lotSize: 1, annualVol: 0.15, tradesPerSec: 5, baseSpreadBps: 0.2 },
];

const VenueCommon = {
  /** Market data to stream from connect: instrumentIds, or symbols of this venue (BTC/USDT:USDT). */
  subscribe: z.array(z.string().min(1)).default([]),
  /**
   * Where this account's orders go: 'paper' fills them on the paper venue against this venue's live
   * data (the default: no order ever reaches the venue); 'venue' sends them to the venue (testnet or
   * live per the connection settings).
   */
  orders: z.enum(['paper', 'venue'], { error: 'orders must be "paper" or "venue"' }).default('paper'),
  /** With orders: 'venue', journal and show would-be orders without sending them. */
  dryRun: z.boolean().default(false),
};

const ReplaySourceConfig = z.discriminatedUnion(
  'format',
  [
    z.object({ format: z.literal('hftbacktest'), path: z.string().min(1), market: z.enum(['usdm', 'spot']), instrumentId: z.string().optional() }).strict(),
    z.object({ format: z.literal('aggtrades-csv'), path: z.string().min(1), instrumentId: z.string().min(1) }).strict(),
    z.object({ format: z.literal('cryptofeed'), path: z.string().min(1) }).strict(),
    z.object({ format: z.literal('parquet'), instrumentId: z.string().min(1), from: z.number().int().optional(), to: z.number().int().optional() }).strict(),
  ],
  { error: 'a replay source needs format hftbacktest, aggtrades-csv, cryptofeed or parquet' },
);

export const ReplayConfig = z
  .object({
    /** Recordings merged into one timeline by venue time. */
    sources: z.array(ReplaySourceConfig).min(1, 'a replay needs at least one source'),
    /** 1 = as recorded, 10 = ten times faster, "max" = as fast as it can be read. */
    speed: z.union([z.number().positive(), z.literal('max')]).default(1),
    /** Tick and lot sizes of replayed instruments (recordings carry none). */
    instruments: z.array(z.object({ instrumentId: z.string().min(1), tickSize: z.number().positive().optional(), lotSize: z.number().positive().optional() }).strict()).default([]),
  })
  .strict();
export type ReplayConfig = z.infer<typeof ReplayConfig>;

export const VenueConfig = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('ib'), ib: IbGatewayConfig.prefault({}), ...VenueCommon }).strict(),
    z.object({ type: z.literal('ccxt'), ccxt: CcxtGatewayConfig, ...VenueCommon }).strict(),
    // A replay feeds recorded data at 1×, N× or max speed; the whole core follows its clock.
    z.object({ type: z.literal('replay'), replay: ReplayConfig, ...VenueCommon, subscribe: z.array(z.string().min(1)).default(['*']) }).strict(),
  ],
  { error: 'each venue needs type "ib", "ccxt" or "replay"' },
);
export type VenueConfig = z.infer<typeof VenueConfig>;

export const KestrelConfig = z
  .object({
    simulator: z
      .object({
        enabled: z.boolean().default(true),
        seed: z.number().int().optional(),
        /** How often the simulator advances and publishes a batch. */
        tickIntervalMs: z.number().int().min(10).max(10_000).default(100),
        /** Simulated history before now, so charts have candles at once (skipped when history is stored). */
        warmupMinutes: z.number().int().min(0).max(24 * 60).default(120),
        instruments: z.array(SimulatedInstrumentConfig).min(1).default(DEFAULT_SIMULATED_INSTRUMENTS),
      })
      .strict()
      .prefault({}),
    /** Venue connections (IB, ccxt venues). None: the simulator alone. */
    venues: z.array(VenueConfig).default([]),
    /** Paper venue: accounts and starting cash, fees per venue, latency, cash checks. */
    paper: PaperVenueConfig.prefault({}),
    marketdata: z
      .object({
        intervals: z.array(BarInterval).default(['1m', '5m', '1h', '4h', '8h', '12h', '24h']),
        /** Late trades within this much venue time after a window closed correct the bar. */
        graceMs: z.number().int().min(0).max(3_600_000).default(2_000),
        /** Write trades and bars to Parquet under <dataDir>/parquet. */
        persist: z.boolean().default(true),
        flushIntervalMs: z.number().int().min(100).default(30_000),
        /** Bars kept in memory per instrument and interval for charts. */
        barsInMemory: z.number().int().min(10).max(100_000).default(2_000),
      })
      .strict()
      .prefault({}),
    /** REST history fill on start and after reconnects (crypto venues). */
    history: HistoryConfig.prefault({}),
    /** Daily universe refresh (seed 004: 23:55 Asia/Shanghai); subscriptions follow it. */
    universe: UniverseServiceConfig.prefault({}),
    /** Funding history and premium index of subscribed perps, polled and stored. */
    funding: FundingConfig.prefault({}),
    workers: z
      .object({
        /** Restarts allowed per worker within restartWindowMs before it is left down. */
        maxRestarts: z.number().int().min(0).default(5),
        restartWindowMs: z.number().int().min(1000).default(60_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.venues.forEach((v, i) => {
      if (v.type === 'replay' && v.orders === 'venue') ctx.addIssue({ code: 'custom', path: ['venues', i, 'orders'], message: 'a replay takes no orders; use orders: paper' });
    });
    if (c.venues.filter((v) => v.type === 'replay').length > 1) ctx.addIssue({ code: 'custom', path: ['venues'], message: 'only one replay venue at a time (the core follows its clock)' });
  });
export type KestrelConfig = z.infer<typeof KestrelConfig>;

/** With a replay, the whole core runs on the replayed venue clock and the simulator stays off. */
export const hasReplay = (c: KestrelConfig): boolean => c.venues.some((v) => v.type === 'replay');

/** The built-in market runs unless it is switched off or a replay brings its own. */
export const simulatorRuns = (c: KestrelConfig): boolean => c.simulator.enabled && !hasReplay(c);
export type KestrelConfigInput = z.input<typeof KestrelConfig>;

export function parseConfig(raw: unknown, source = 'config'): KestrelConfig {
  const r = KestrelConfig.safeParse(raw ?? {});
  if (!r.success) throw new Error(describeZodError(r.error, source));
  return r.data;
}

/** Reads a YAML or JSON config file; errors name the file, the key and what was expected. */
export function loadConfigFile(file: string): KestrelConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new Error(`config file ${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  return parseConfig(raw, `config file ${file}`);
}
