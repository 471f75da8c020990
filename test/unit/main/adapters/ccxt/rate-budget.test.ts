import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../../../main/adapters/ccxt/rate-budget.js';

/** A clock that only moves when the budget sleeps, so waits are exact and instant. */
function fakeTime() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    clock: { nowMs: () => now },
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('RateBudget', () => {
  it('lets a burst through, then paces at costPerSec', async () => {
    const t = fakeTime();
    const b = new RateBudget({ costPerSec: 10, burst: 5, clock: t.clock, sleep: t.sleep });
    const start = t.now();
    for (let i = 0; i < 25; i++) await b.acquire(1);
    // 5 from the bucket, 20 more at 10/s = 2 s.
    expect(t.now() - start).toBe(2000);
    expect(b.stats().spent).toBe(25);
  });

  it('two accounts sharing it together stay within the venue rate', async () => {
    const t = fakeTime();
    const shared = new RateBudget({ costPerSec: 20, burst: 1, clock: t.clock, sleep: t.sleep });
    const start = t.now();
    const account = async () => {
      for (let i = 0; i < 20; i++) await shared.acquire(1);
    };
    await Promise.all([account(), account()]);
    // 40 units at 20/s (one free from the bucket).
    expect(t.now() - start).toBe(1950);
  });

  it('a pause (429/418 Retry-After) holds everyone until it ends', async () => {
    const t = fakeTime();
    const b = new RateBudget({ costPerSec: 1000, burst: 1000, clock: t.clock, sleep: t.sleep });
    b.pauseUntil(t.now() + 2000, 'binanceusdm answered HTTP 429');
    b.pauseUntil(t.now() + 500, 'a shorter pause does not shorten it');
    const start = t.now();
    await b.acquire(1);
    expect(t.now() - start).toBe(2000);
    expect(b.stats().pauseReason).toBe('binanceusdm answered HTTP 429');
  });

  it('a request dearer than the bucket waits for a full bucket, then leaves it in debt', async () => {
    const t = fakeTime();
    const b = new RateBudget({ costPerSec: 10, burst: 10, clock: t.clock, sleep: t.sleep });
    await b.acquire(10);
    const start = t.now();
    await b.acquire(40);
    expect(t.now() - start).toBe(1000);
    await b.acquire(1);
    expect(t.now() - start).toBe(1000 + 3100);
  });

  it('refuses nonsense rates', () => {
    expect(() => new RateBudget({ costPerSec: 0, burst: 1 })).toThrow(/costPerSec must be > 0/);
    expect(() => new RateBudget({ costPerSec: 1, burst: -1 })).toThrow(/burst must be > 0/);
  });
});
