import { z } from 'zod';
import { EpochMs } from './time.js';
import { InstrumentId } from './instrument.js';

export const AccountMode = z.enum(['paper', 'testnet', 'live']);
export type AccountMode = z.infer<typeof AccountMode>;

export const Account = z.object({
  accountId: z.string().min(1),
  venue: z.string().min(1),
  mode: AccountMode,
  dryRun: z.boolean(),
  baseCurrency: z.string(),
});
export type Account = z.infer<typeof Account>;

export const Position = z.object({
  accountId: z.string(),
  instrumentId: InstrumentId,
  /** Signed: positive long, negative short. */
  quantity: z.number(),
  avgPrice: z.number(),
  realizedPnl: z.number(),
  unrealizedPnl: z.number(),
  markPrice: z.number().nullable(),
  fees: z.number(),
  tsUpdated: EpochMs,
});
export type Position = z.infer<typeof Position>;

export const Balance = z.object({
  accountId: z.string(),
  currency: z.string(),
  total: z.number(),
  free: z.number(),
  used: z.number(),
  tsUpdated: EpochMs,
});
export type Balance = z.infer<typeof Balance>;

export const GatewayState = z.enum(['connecting', 'connected', 'disconnected', 'reconnecting', 'error', 'stopped']);
export const GatewayStatus = z.object({
  gatewayId: z.string(),
  venue: z.string(),
  state: GatewayState,
  simulated: z.boolean(),
  latencyMs: z.number().nullable(),
  messagesPerSec: z.number(),
  lastMessageAgeMs: z.number().nullable(),
  reconnectCount: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  tsUpdated: EpochMs,
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;

export const TradingStateValue = z.enum(['ACTIVE', 'HALTED']);
export type TradingStateValue = z.infer<typeof TradingStateValue>;
export const TradingState = z.object({
  state: TradingStateValue,
  reason: z.string(),
  changedBy: z.string(),
  tsChanged: EpochMs,
});
export type TradingState = z.infer<typeof TradingState>;

export const WorkerEvent = z.object({
  worker: z.string(),
  kind: z.enum(['started', 'crashed', 'restarted', 'stopped']),
  detail: z.string().nullable(),
  tsEvent: EpochMs,
});
export type WorkerEvent = z.infer<typeof WorkerEvent>;
