import { systemClock, type Clock } from '../../../shared/model/time.js';

export interface RateBudgetOptions {
  /** Refill rate in ccxt cost units per second (ccxt: cost 1 = one `rateLimit` interval). */
  costPerSec: number;
  /** Bucket size: how much may be spent at once after a quiet spell. */
  burst: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export interface RateBudgetStats {
  spent: number;
  waitedMs: number;
  pausedUntilMs: number;
  pauseReason: string | null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket shared by every account of one venue. Venues limit per IP as well as per key, so
 * two accounts on one machine must share one budget; ccxt's own limiter runs per exchange object and
 * cannot see the other account. A 429/418 pauses the whole venue until its Retry-After has passed.
 * Requests are served first come, first served.
 */
export class RateBudget {
  private tokens: number;
  private lastRefillMs: number;
  private tail: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private pausedUntilMs = 0;
  private pauseReason: string | null = null;
  private spent = 0;
  private waitedMs = 0;

  constructor(private readonly options: RateBudgetOptions) {
    if (!(options.costPerSec > 0)) throw new Error(`rate budget costPerSec must be > 0, got ${options.costPerSec}`);
    if (!(options.burst > 0)) throw new Error(`rate budget burst must be > 0, got ${options.burst}`);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? defaultSleep;
    this.tokens = options.burst;
    this.lastRefillMs = this.clock.nowMs();
  }

  /** Resolves when `cost` may be spent. */
  acquire(cost = 1): Promise<void> {
    const run = async () => {
      const needed = Math.max(0, cost);
      for (;;) {
        const now = this.clock.nowMs();
        if (now < this.pausedUntilMs) {
          await this.wait(this.pausedUntilMs - now);
          continue;
        }
        this.refill(now);
        // A request dearer than the whole bucket goes when the bucket is full and leaves it in debt.
        if (this.tokens >= needed || this.tokens >= this.options.burst) {
          this.tokens -= needed;
          this.spent += needed;
          return;
        }
        const target = Math.min(needed, this.options.burst);
        await this.wait(Math.ceil(((target - this.tokens) / this.options.costPerSec) * 1000));
      }
    };
    const turn = this.tail.then(run);
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Stops every account of the venue from sending until `untilMs` (the venue said 429/418). */
  pauseUntil(untilMs: number, reason: string): void {
    if (untilMs > this.pausedUntilMs) {
      this.pausedUntilMs = untilMs;
      this.pauseReason = reason;
    }
  }

  stats(): RateBudgetStats {
    return { spent: this.spent, waitedMs: this.waitedMs, pausedUntilMs: this.pausedUntilMs, pauseReason: this.pauseReason };
  }

  private refill(now: number): void {
    const elapsedMs = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsedMs / 1000) * this.options.costPerSec);
  }

  private async wait(ms: number): Promise<void> {
    this.waitedMs += ms;
    await this.sleep(ms);
  }
}

const sharedBudgets = new Map<string, RateBudget>();

/**
 * The one budget of a venue in this process, created on first use. Later callers get the same
 * object whatever options they pass, so configure the venue's budget once (the first account wins).
 */
export function sharedRateBudget(venue: string, options: RateBudgetOptions): RateBudget {
  let budget = sharedBudgets.get(venue);
  if (!budget) {
    budget = new RateBudget(options);
    sharedBudgets.set(venue, budget);
  }
  return budget;
}
