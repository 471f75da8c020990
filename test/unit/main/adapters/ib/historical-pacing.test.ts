import { describe, expect, it } from 'vitest';
import { HistoricalPacer } from '../../../../../main/adapters/ib/historical-pacing.js';

describe('HistoricalPacer (IB historical-data pacing rules)', () => {
  const clock = { t: 1_000_000 };
  const now = (): number => clock.t;

  it('holds an identical request for 15 s', () => {
    const p = new HistoricalPacer(now);
    const k = { contractKey: 'AAPL|TRADES', identity: 'AAPL|1 D|1 min' };
    expect(p.slot(k).delayMs).toBe(0);
    p.record(k);
    clock.t += 5_000;
    expect(p.slot(k)).toEqual({ delayMs: 10_000, rule: 'an identical historical request was made less than 15 s ago' });
    expect(p.slot({ ...k, identity: 'AAPL|2 D|1 min' }).delayMs).toBe(0);
  });

  it('allows five requests per contract and tick type in 2 s, the sixth waits', () => {
    const p = new HistoricalPacer(now);
    for (let i = 0; i < 5; i++) {
      const k = { contractKey: 'ES|TRADES', identity: `ES|${i}` };
      expect(p.slot(k).delayMs).toBe(0);
      p.record(k);
      clock.t += 100;
    }
    const sixth = p.slot({ contractKey: 'ES|TRADES', identity: 'ES|5' });
    expect(sixth.delayMs).toBe(2_000 - 500);
    expect(sixth.rule).toMatch(/six requests for the same contract/);
    expect(p.slot({ contractKey: 'ES|MIDPOINT', identity: 'ES|m' }).delayMs).toBe(0);
  });

  it('allows 60 requests in 10 minutes', () => {
    const p = new HistoricalPacer(now);
    const start = clock.t;
    for (let i = 0; i < 60; i++) {
      p.record({ contractKey: `C${i}|TRADES`, identity: `C${i}` });
      clock.t += 3_000;
    }
    const next = p.slot({ contractKey: 'X|TRADES', identity: 'X' });
    expect(next.delayMs).toBe(start + 600_000 - clock.t);
    expect(next.rule).toMatch(/60 historical requests in 10 minutes/);
  });
});
