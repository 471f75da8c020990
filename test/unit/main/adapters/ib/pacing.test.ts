import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacingQueue } from '../../../../../main/adapters/ib/pacing.js';

describe('PacingQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never sends more than maxPerSec in any one-second window', async () => {
    const q = new PacingQueue(50, () => Date.now());
    q.open();
    const sentAt: number[] = [];
    const all = Array.from({ length: 175 }, () => q.push(() => sentAt.push(Date.now())));
    expect(sentAt).toHaveLength(50);
    await vi.advanceTimersByTimeAsync(999);
    expect(sentAt).toHaveLength(50);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentAt).toHaveLength(100);
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(all);
    expect(sentAt).toHaveLength(175);
    for (let i = 50; i < sentAt.length; i++) expect((sentAt[i] as number) - (sentAt[i - 50] as number)).toBeGreaterThanOrEqual(1_000);
  });

  it('sends orders before waiting market-data requests', async () => {
    const q = new PacingQueue(2, () => Date.now());
    q.open();
    const order: string[] = [];
    void q.push(() => order.push('d1'));
    void q.push(() => order.push('d2'));
    void q.push(() => order.push('d3'));
    void q.push(() => order.push('o1'), 'order');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual(['d1', 'd2', 'o1', 'd3']);
  });

  it('refuses what waits when the session closes, and everything while closed', async () => {
    const q = new PacingQueue(1, () => Date.now());
    q.open();
    const ran: string[] = [];
    await q.push(() => ran.push('a'));
    const waiting = q.push(() => ran.push('b'), 'order');
    q.close('IB connection lost (test); request not sent');
    await expect(waiting).rejects.toThrow('IB connection lost (test); request not sent');
    await expect(q.push(() => ran.push('c'))).rejects.toThrow(/not connected to TWS/);
    q.open();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ran).toEqual(['a']);
  });
});
