import { z } from 'zod';
import { describeZodError } from '../../../shared/api/errors.js';

/** TWS paper-trading socket port (live TWS is 7496; IB Gateway 4002 paper / 4001 live). */
export const IB_PAPER_PORT = 7497;

const Ms = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * One IB connection. Every key has a default, so `{}` is a paper-TWS connection on this machine.
 * Durations are in milliseconds; the defaults follow seed 002 (retry every 20 s) and IB's limits.
 */
export const IbGatewayConfig = z
  .object({
    gatewayId: z.string().min(1).default('ib'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).default(IB_PAPER_PORT),
    /** Fixed across reconnects: TWS ties open orders and their events to the client id. */
    clientId: z.number().int().min(0).max(2_147_483_647).default(0),
    /** Account for orders and account updates; default: the first account TWS manages. */
    accountId: z.string().min(1).optional(),
    reconnect: z
      .object({
        enabled: z.boolean().default(true),
        /** First retry delay after a drop; doubles per failed attempt up to maxDelayMs. */
        initialDelayMs: Ms(1, 600_000).default(1_000),
        /** Seed 002 keeps retrying every 20 s. */
        maxDelayMs: Ms(1, 3_600_000).default(20_000),
        factor: z.number().min(1).max(10).default(2),
      })
      .strict()
      .prefault({}),
    /** How long a connection attempt may take until nextValidId arrives. */
    connectTimeoutMs: Ms(10, 600_000).default(10_000),
    /** How long one-shot requests (contract details, positions, account summary) may take. */
    requestTimeoutMs: Ms(10, 600_000).default(15_000),
    /** Round-trip probe (reqCurrentTime) period; a probe unanswered for heartbeatTimeoutMs drops the session. */
    heartbeatIntervalMs: Ms(10, 600_000).default(5_000),
    heartbeatTimeoutMs: Ms(10, 600_000).default(15_000),
    /** IB allows 50 messages per second from a client; above that TWS disconnects it. */
    maxMessagesPerSec: z.number().int().min(1).max(50).default(45),
    /** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen (reqMarketDataType). */
    marketDataType: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(1),
    /** Stream account values and portfolio (reqAccountUpdates) while connected. */
    accountUpdates: z.boolean().default(true),
    /** Wait for the commission report this long before a fill is emitted without its fee. */
    commissionWaitMs: Ms(0, 60_000).default(1_000),
    /** Fills of orders TWS has not described yet are held this long, then emitted anyway. */
    fillHoldMaxMs: Ms(0, 60_000).default(5_000),
    /** Farm/connectivity messages arrive in bursts; resubscribe once per burst. */
    resubscribeDebounceMs: Ms(0, 60_000).default(250),
    /** How often onStatus is pushed while nothing changes (seed 002 updates status every second). */
    statusIntervalMs: Ms(50, 600_000).default(1_000),
    /** Zone TWS writes execution times in when it omits one (TWS's login time zone). */
    twsTimeZone: z.string().min(1).default('UTC'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.reconnect.maxDelayMs < c.reconnect.initialDelayMs) {
      ctx.addIssue({ code: 'custom', path: ['reconnect', 'maxDelayMs'], message: 'must not be below reconnect.initialDelayMs' });
    }
    if (!isTimeZone(c.twsTimeZone)) ctx.addIssue({ code: 'custom', path: ['twsTimeZone'], message: `"${c.twsTimeZone}" is not an IANA time zone` });
  });
export type IbGatewayConfig = z.infer<typeof IbGatewayConfig>;
export type IbGatewayConfigInput = z.input<typeof IbGatewayConfig>;

export function parseIbGatewayConfig(raw: unknown, source = 'IB gateway config'): IbGatewayConfig {
  const r = IbGatewayConfig.safeParse(raw ?? {});
  if (!r.success) throw new Error(describeZodError(r.error, source));
  return r.data;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
