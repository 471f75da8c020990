import { z } from 'zod';
import { describeZodError, KestrelError } from '../../../shared/api/errors.js';

/** The crypto venues Kestrel reaches through ccxt; each has a quirk file in venues/. */
export const CCXT_VENUE_IDS = ['binance', 'binanceusdm', 'okx', 'bybit', 'gate', 'hyperliquid'] as const;
export const CcxtVenueId = z.enum(CCXT_VENUE_IDS, { error: `venue must be one of ${CCXT_VENUE_IDS.join(', ')}` });
export type CcxtVenueId = z.infer<typeof CcxtVenueId>;

/** Seed 004's `contract_settings`, applied per account when the gateway connects. */
export const ContractSettings = z
  .object({
    marginMode: z.enum(['cross', 'isolated'], { error: 'marginMode must be "cross" or "isolated"' }).optional(),
    /** one_way = seed 004's `one_way`; hedge = its `dual_side`. */
    positionMode: z.enum(['one_way', 'hedge'], { error: 'positionMode must be "one_way" or "hedge"' }).optional(),
    leverage: z.number().int('leverage must be a whole number').min(1, 'leverage must be at least 1').max(125, 'leverage must be at most 125').optional(),
    /** Unified symbols the per-symbol settings (margin mode, leverage) are applied to. */
    symbols: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ContractSettings = z.infer<typeof ContractSettings>;

const wsOrHttpUrl = (scheme: 'http' | 'ws') =>
  z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return scheme === 'http' ? u.protocol === 'http:' || u.protocol === 'https:' : u.protocol === 'ws:' || u.protocol === 'wss:';
      } catch {
        return false;
      }
    }, scheme === 'http' ? 'restUrl must be an http:// or https:// URL' : 'wsUrl must be a ws:// or wss:// URL');

export const CcxtGatewayConfig = z
  .object({
    venue: CcxtVenueId,
    /** Names the account; credentials come from KESTREL_<ACCOUNTID>_API_KEY / _API_SECRET. */
    accountId: z.string().regex(/^[A-Za-z0-9_]+$/, 'accountId may hold only letters, digits and _').default('default'),
    gatewayId: z.string().min(1).optional(),
    /** live = the venue's production hosts; testnet = ccxt's sandbox hosts (setSandboxMode). */
    mode: z.enum(['live', 'testnet'], { error: 'mode must be "live" or "testnet" (paper accounts use the paper venue)' }).default('live'),
    /** Replaces the scheme and host of every REST URL of the venue (testnets, proxies, tests); paths stay. */
    restUrl: wsOrHttpUrl('http').optional(),
    /** Replaces the scheme and host of every websocket URL of the venue; paths stay. */
    wsUrl: wsOrHttpUrl('ws').optional(),
    /** Per-request timeout; a venue that does not answer in time is reported in status.lastError. */
    timeoutMs: z.number().int().positive().default(10_000),
    reconnect: z
      .object({
        initialDelayMs: z.number().int().nonnegative().default(250),
        maxDelayMs: z.number().int().positive().default(20_000),
      })
      .strict()
      .prefault({}),
    backfill: z
      .object({
        enabled: z.boolean().default(true),
        /** After a reconnect, backfill this long after resubscribing even if no new trade has arrived. */
        quietDelayMs: z.number().int().nonnegative().default(2_000),
        /** Give up (and say so in status) after this many failed REST attempts for one gap. */
        maxAttempts: z.number().int().positive().default(5),
        /** Trade ids remembered per symbol to drop repeats. */
        rememberIds: z.number().int().positive().default(100_000),
      })
      .strict()
      .prefault({}),
    /** ccxt's own per-account limiter: milliseconds per cost unit (default: ccxt's figure for the venue). */
    rateLimitMs: z.number().positive().optional(),
    /** REST round-trip probe (fetchTime); 0 turns it off. */
    heartbeatMs: z.number().int().nonnegative().default(15_000),
    /** Shared request budget of the venue across all its accounts (ccxt cost units per second). */
    rateBudget: z
      .object({
        costPerSec: z.number().positive().optional(),
        burst: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    contractSettings: ContractSettings.optional(),
    /** Binance only: `trade` (raw trades) or `aggTrade` (seed 000's aggregated trades) for trade streams. */
    tradeStream: z.enum(['trade', 'aggTrade']).default('trade'),
    /** Merged into the ccxt exchange's `options` last (escape hatch for venue flags). */
    ccxtOptions: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CcxtGatewayConfig = z.infer<typeof CcxtGatewayConfig>;
export type CcxtGatewayConfigInput = z.input<typeof CcxtGatewayConfig>;

export function parseCcxtGatewayConfig(input: unknown): CcxtGatewayConfig {
  const r = CcxtGatewayConfig.safeParse(input);
  if (!r.success) throw new KestrelError('bad_request', describeZodError(r.error, 'ccxt gateway config'));
  return r.data;
}

/** What a venue needs to sign requests. Hyperliquid: apiKey = wallet address, secret = private key. */
export const CcxtCredentials = z
  .object({
    apiKey: z.string().min(1, 'apiKey is empty'),
    secret: z.string().min(1, 'secret is empty'),
    /** OKX's API passphrase. */
    password: z.string().min(1).optional(),
  })
  .strict();
export type CcxtCredentials = z.infer<typeof CcxtCredentials>;

/** `KESTREL_<ACCOUNT>_` with the account id upper-cased (seed 004's `{ACCOUNT_ID}_API_KEY` convention). */
export function credentialEnvPrefix(accountId: string): string {
  return `KESTREL_${accountId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/**
 * Reads KESTREL_<ACCOUNT>_API_KEY / _API_SECRET (and _API_PASSWORD for OKX) from the environment.
 * Null when neither is set; a half-set pair is a configuration error named plainly.
 */
export function credentialsFromEnv(accountId: string, env: Record<string, string | undefined> = process.env): CcxtCredentials | null {
  const prefix = credentialEnvPrefix(accountId);
  const apiKey = env[`${prefix}API_KEY`];
  const secret = env[`${prefix}API_SECRET`];
  const password = env[`${prefix}API_PASSWORD`];
  if (!apiKey && !secret) return null;
  if (!apiKey) throw new KestrelError('bad_request', `${prefix}API_SECRET is set but ${prefix}API_KEY is missing`);
  if (!secret) throw new KestrelError('bad_request', `${prefix}API_KEY is set but ${prefix}API_SECRET is missing`);
  return password ? { apiKey, secret, password } : { apiKey, secret };
}
