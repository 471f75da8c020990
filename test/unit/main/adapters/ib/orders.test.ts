import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IbOrderTracker } from '../../../../../main/adapters/ib/orders.js';
import type { IbContractPayload, IbExecutionPayload, IbOrderPayload } from '../../../../../main/adapters/ib/parse.js';
import type { Fill, Order } from '../../../../../shared/model/index.js';

const AAPL: IbContractPayload = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
const ID = 'IB:STK:AAPL:SMART:USD';

function setup(opts: { commissionWaitMs?: number; fillHoldMaxMs?: number } = {}) {
  const orders: Order[] = [];
  const fills: Fill[] = [];
  const seq: string[] = [];
  const tracker = new IbOrderTracker(
    {
      order: (o) => {
        orders.push(o);
        seq.push(`order:${o.status}`);
      },
      fill: (f) => {
        fills.push(f);
        seq.push(`fill:${f.venueTradeId}`);
      },
    },
    { commissionWaitMs: opts.commissionWaitMs ?? 1_000, fillHoldMaxMs: opts.fillHoldMaxMs ?? 5_000, twsTimeZone: 'UTC', now: () => Date.now() },
  );
  return { tracker, orders, fills, seq };
}

const exec = (execId: string, orderId: number, shares: number, cumQty: number, extra: Partial<IbExecutionPayload> = {}): IbExecutionPayload => ({
  orderId, execId, time: '20250715 19:05:07 UTC', acctNumber: 'DU1', side: 'BOT', shares, price: 100, cumQty, avgPrice: 100, orderRef: 'k-1', lastLiquidity: 2, ...extra,
});
const ibOrder = (orderId: number, extra: Partial<IbOrderPayload> = {}): IbOrderPayload => ({
  orderId, action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, tif: 'DAY', account: 'DU1', orderRef: 'k-1', permId: 900, ...extra,
});

describe('IbOrderTracker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds a fill until TWS describes the order, then emits order before fill', () => {
    const { tracker, seq, fills } = setup();
    tracker.register('k-1', 5, { instrumentId: ID, side: 'buy', type: 'limit', quantity: 10, price: 100 }, 'DU1');
    tracker.onExecution(AAPL, exec('e1', 5, 10, 10));
    tracker.onCommission({ execId: 'e1', commission: 1.5, currency: 'USD' });
    expect(fills).toHaveLength(0);
    tracker.onOpenOrder(AAPL, ibOrder(5), 'Filled');
    expect(seq).toEqual(['order:filled', 'fill:e1']);
    expect(fills[0]).toMatchObject({ clientOrderId: 'k-1', venueOrderId: '5', fee: 1.5, feeCurrency: 'USD', instrumentId: ID, side: 'buy' });
  });

  it('waits commissionWaitMs for the commission, then emits without it (fee 0), and only once', async () => {
    const { tracker, fills } = setup({ commissionWaitMs: 1_000 });
    tracker.register('k-1', 5, { instrumentId: ID, side: 'buy', type: 'limit', quantity: 10, price: 100 }, 'DU1');
    tracker.onOrderStatus({ orderId: 5, status: 'Submitted', filled: 0, remaining: 10 });
    tracker.onExecution(AAPL, exec('e1', 5, 4, 4));
    await vi.advanceTimersByTimeAsync(999);
    expect(fills).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fills).toHaveLength(1);
    expect(fills[0]?.fee).toBe(0);
    tracker.onCommission({ execId: 'e1', commission: 1, currency: 'USD' });
    tracker.onExecution(AAPL, exec('e1', 5, 4, 4));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fills).toHaveLength(1);
  });

  it('emits a fill of an order never described after fillHoldMaxMs: never dropped', async () => {
    const { tracker, fills } = setup({ fillHoldMaxMs: 3_000 });
    tracker.onExecution(AAPL, exec('lonely', 77, 1, 1, { orderRef: 'from-elsewhere', permId: 555 }));
    tracker.onCommission({ execId: 'lonely', commission: 0.5, currency: 'USD' });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(fills).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fills[0]).toMatchObject({ clientOrderId: 'from-elsewhere', venueOrderId: '77', instrumentId: ID, fee: 0.5 });
  });

  it('flush() emits every held fill (shutdown)', () => {
    const { tracker, fills } = setup();
    tracker.onExecution(AAPL, exec('a', 1, 1, 1));
    tracker.onExecution(AAPL, exec('b', 2, 1, 1));
    tracker.flush();
    expect(fills.map((f) => f.venueTradeId)).toEqual(['a', 'b']);
  });

  it('does not let a late status take a terminal order back to open', () => {
    const { tracker, orders } = setup();
    tracker.register('k-1', 5, { instrumentId: ID, side: 'buy', type: 'limit', quantity: 10, price: 100 }, 'DU1');
    tracker.onOrderStatus({ orderId: 5, status: 'Cancelled', filled: 0, remaining: 10 });
    tracker.onOrderStatus({ orderId: 5, status: 'Submitted', filled: 0, remaining: 10 });
    expect(orders.map((o) => o.status)).toEqual(['canceled']);
  });

  it('refuses a clientOrderId it has already sent', () => {
    const { tracker } = setup();
    tracker.register('k-1', 5, { instrumentId: ID, side: 'buy', type: 'market', quantity: 1 }, 'DU1');
    expect(() => tracker.register('k-1', 6, { instrumentId: ID, side: 'buy', type: 'market', quantity: 1 }, 'DU1')).toThrow(/already sent to IB as order 5/);
  });

  it('an error before acknowledgement rejects the order; after acknowledgement it does not', () => {
    const { tracker, orders } = setup();
    tracker.register('a', 1, { instrumentId: ID, side: 'buy', type: 'market', quantity: 1 }, 'DU1');
    tracker.register('b', 2, { instrumentId: ID, side: 'buy', type: 'market', quantity: 1 }, 'DU1');
    tracker.onOrderStatus({ orderId: 2, status: 'Submitted', filled: 0, remaining: 1 });
    tracker.onOrderError(1, 'error', 'IB 200: no contract matches');
    tracker.onOrderError(2, 'error', 'IB 399: something');
    expect(orders.filter((o) => o.clientOrderId === 'a').map((o) => [o.status, o.reason])).toEqual([['rejected', 'IB 200: no contract matches']]);
    expect(orders.filter((o) => o.clientOrderId === 'b').map((o) => o.status)).toEqual(['open']);
  });

  it('property: any arrival order of order events, executions, commissions and repeats yields each fill exactly once, after its order', async () => {
    type Ev = { kind: 'open' } | { kind: 'status'; filled: number } | { kind: 'exec'; i: number } | { kind: 'commission'; i: number };
    const execs = [exec('x1', 9, 3, 3), exec('x2', 9, 3, 6), exec('x3', 9, 4, 10)];
    const events: Ev[] = [
      { kind: 'open' },
      { kind: 'status', filled: 10 },
      ...execs.flatMap((_, i) => [{ kind: 'exec' as const, i }, { kind: 'commission' as const, i }, { kind: 'exec' as const, i }]),
    ];
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.boolean(), async (order, ours) => {
        const { tracker, fills, seq } = setup({ commissionWaitMs: 500, fillHoldMaxMs: 2_000 });
        if (ours) tracker.register('k-1', 9, { instrumentId: ID, side: 'buy', type: 'limit', quantity: 10, price: 100 }, 'DU1');
        for (const ev of order) {
          if (ev.kind === 'open') tracker.onOpenOrder(AAPL, ibOrder(9), 'Submitted');
          else if (ev.kind === 'status') tracker.onOrderStatus({ orderId: 9, status: 'Filled', filled: ev.filled, remaining: 10 - ev.filled, avgFillPrice: 100 });
          else if (ev.kind === 'exec') tracker.onExecution(AAPL, execs[ev.i] as IbExecutionPayload);
          else tracker.onCommission({ execId: (execs[ev.i] as IbExecutionPayload).execId, commission: 1, currency: 'USD' });
        }
        await vi.advanceTimersByTimeAsync(5_000);
        expect(fills.map((f) => f.venueTradeId).sort()).toEqual(['x1', 'x2', 'x3']);
        const firstOrder = seq.findIndex((s) => s.startsWith('order:'));
        const firstFill = seq.findIndex((s) => s.startsWith('fill:'));
        expect(firstOrder).toBeGreaterThanOrEqual(0);
        expect(firstOrder).toBeLessThan(firstFill);
        expect(fills.every((f) => f.clientOrderId === 'k-1')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
