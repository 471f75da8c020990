import { z } from 'zod';

const Bps = z.number({ error: 'must be a number of basis points' }).finite('must be a finite number').gt(-100, 'must be above -100 bps').lt(1000, 'must be below 1000 bps');

/** Fees in basis points of notional; a negative maker fee is a rebate. */
export const PaperFeeSchedule = z
  .object({
    makerBps: Bps,
    takerBps: Bps,
  })
  .strict();
export type PaperFeeSchedule = z.infer<typeof PaperFeeSchedule>;

export const PaperAccountConfig = z
  .object({
    accountId: z.string().min(1, 'accountId must not be empty'),
    /** Starting cash per currency, e.g. `{ USDT: 100000, USD: 100000 }`; `reset` returns to it. */
    cash: z.record(z.string().min(1), z.number().finite().nonnegative('starting cash must not be negative')),
    /** Perps and futures need notional / leverage as margin; cash-settled instruments ignore it. */
    leverage: z.number().finite().positive('leverage must be greater than 0').max(125, 'leverage above 125 is not offered by any venue').default(1),
  })
  .strict();
export type PaperAccountConfig = z.infer<typeof PaperAccountConfig>;

/**
 * Paper venue configuration (the `paper:` section of Kestrel's config).
 * Every key has a default, so `{}` is a working paper venue with one account.
 */
export const PaperVenueConfig = z
  .object({
    gatewayId: z.string().min(1).default('paper'),
    venue: z.string().min(1).default('PAPER'),
    accounts: z
      .array(PaperAccountConfig)
      .min(1, 'at least one paper account is needed')
      .default([{ accountId: 'paper', cash: { USD: 100_000, USDT: 100_000 }, leverage: 1 }])
      .superRefine((accounts, ctx) => {
        const seen = new Set<string>();
        for (const a of accounts) {
          if (seen.has(a.accountId)) ctx.addIssue({ code: 'custom', message: `paper account "${a.accountId}" is listed twice` });
          seen.add(a.accountId);
        }
      }),
    /** The account used when an order names none; default: the first account. */
    defaultAccountId: z.string().min(1).optional(),
    fees: z
      .object({
        /** For instruments whose venue has no entry in `venues`. */
        default: PaperFeeSchedule.default({ makerBps: 2, takerBps: 5 }),
        /** Keyed by the venue part of the instrumentId, e.g. `BINANCEUSDM`, `BINANCE`, `IB`, `SIM`. */
        venues: z.record(z.string().min(1), PaperFeeSchedule).default({}),
      })
      .strict()
      .default({ default: { makerBps: 2, takerBps: 5 }, venues: {} }),
    latency: z
      .object({
        /** Delay between submitOrder and the order reaching the matching engine. */
        submitMs: z.number().finite().nonnegative('latency must not be negative').default(0),
        /** Delay between cancelOrder and the cancel taking effect; fills can still happen meanwhile. */
        cancelMs: z.number().finite().nonnegative('latency must not be negative').default(0),
      })
      .strict()
      .default({ submitMs: 0, cancelMs: 0 }),
    /** Refuse orders the account cannot pay for (cash, margin, spot holdings). */
    checkCash: z.boolean().default(true),
    /**
     * When only the top of book is known (quotes, no L2 book), a taker walks synthetic levels beyond
     * the touch: level k sits k × levelTicks ticks worse, each as large as the touch (at least one lot).
     */
    syntheticDepth: z
      .object({
        levelTicks: z.number().int().positive('levelTicks must be a whole number of ticks above 0').default(1),
        maxLevels: z.number().int().nonnegative('maxLevels must not be negative').default(20),
      })
      .strict()
      .default({ levelTicks: 1, maxLevels: 20 }),
    /** Fills kept in memory for fetchFillsSince (oldest dropped first). */
    fillHistoryLimit: z.number().int().positive().default(100_000),
    /** Finished orders remembered (for fetch and duplicate clientOrderId checks), oldest dropped first. */
    orderHistoryLimit: z.number().int().positive().default(100_000),
    /** Prefix of venue order and trade ids; default: the clock's time at start in base 36, unique per restart. */
    sessionTag: z.string().regex(/^[A-Za-z0-9]+$/, 'sessionTag must be letters and digits').optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.defaultAccountId !== undefined && !c.accounts.some((a) => a.accountId === c.defaultAccountId)) {
      ctx.addIssue({ code: 'custom', path: ['defaultAccountId'], message: `defaultAccountId "${c.defaultAccountId}" is not one of the paper accounts` });
    }
  });
export type PaperVenueConfig = z.infer<typeof PaperVenueConfig>;
export type PaperVenueConfigInput = z.input<typeof PaperVenueConfig>;
