/**
 * Orders against the fake TWS. No recording of order traffic exists in ../shared/fixtures/ib-tws,
 * so openOrder / orderStatus / execDetails / commissionReport are built from @stoqey/ib's
 * decoder field order at server version 173 (test/fakes/tws/messages.ts). A field-count drift
 * would surface as a decode error in lastError, which these tests assert stays empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commissionReport, execData, OUT } from '../../fakes/tws/messages.js';
import { eventually, settle, startIb, type IbHarness } from './harness.js';

const AAPL = 'IB:STK:AAPL:SMART:USD';

describe('IbGateway ↔ fake TWS: orders and fills', () => {
  let h: IbHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('places a limit order from nextValidId with orderRef = clientOrderId, and is acknowledged', async () => {
    h = await startIb({ fake: { firstOrderId: 41 } });
    const ack = await h.gw.submitOrder('k-1', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 10, price: 190.5, timeInForce: 'GTC' });
    expect(ack).toEqual({ clientOrderId: 'k-1', venueOrderId: '41', status: 'open' });
    const placed = h.fake.requests(OUT.PLACE_ORDER);
    expect(placed).toHaveLength(1);
    const f = placed[0]?.fields ?? [];
    expect([f[1], f[3], f[4], f[16], f[17], f[18], f[19], f[21], f[26]]).toEqual(['41', 'AAPL', 'STK', 'BUY', '10', 'LMT', '190.5', 'GTC', 'k-1']);
    const fakeOrder = h.fake.orders.get(41);
    expect(fakeOrder?.account).toBe(h.gw.accounts[0]);
    expect(h.events.orders.at(-1)).toMatchObject({ clientOrderId: 'k-1', venueOrderId: '41', status: 'open', price: 190.5, timeInForce: 'GTC' });
    expect(h.gw.status().lastError).toBeNull();
  });

  it('refuses to send the same clientOrderId twice', async () => {
    h = await startIb();
    await h.gw.submitOrder('dup', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 100 });
    await expect(h.gw.submitOrder('dup', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 100 })).rejects.toThrow(/already sent to IB/);
    expect(h.fake.requests(OUT.PLACE_ORDER)).toHaveLength(1);
  });

  it('turns a fill into one Fill with commission, after the order event', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('k-2', { instrumentId: AAPL, side: 'sell', type: 'limit', quantity: 10, price: 200 });
    const exec = h.fake.fillOrder(Number(ack.venueOrderId), 10, 200.25, { liquidity: 1, commission: 0.85 });
    await eventually(() => (h?.events.fills.length ?? 0) === 1, 'the fill');
    expect(h.events.fills[0]).toMatchObject({
      fillId: `IB:${exec.execId}`,
      venueTradeId: exec.execId,
      clientOrderId: 'k-2',
      venueOrderId: ack.venueOrderId,
      instrumentId: AAPL,
      side: 'sell',
      quantity: 10,
      price: 200.25,
      fee: 0.85,
      feeCurrency: 'USD',
      liquidity: 'maker',
      tsEvent: Date.UTC(2025, 6, 15, 19, 5, 7),
    });
    await eventually(() => h?.events.orders.at(-1)?.status === 'filled', 'the filled order');
    expect(h.events.orders.at(-1)).toMatchObject({ filledQuantity: 10, avgFillPrice: 200.25 });
    expect(h.gw.status().lastError).toBeNull();
  });

  it('holds a fill that arrives before orderStatus/openOrder until the order is known, and emits it once', async () => {
    h = await startIb({ config: { commissionWaitMs: 2_000 } });
    const ack = await h.gw.submitOrder('k-3', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 5, price: 100 });
    const before = h.events.sequence.length;
    const exec = h.fake.fillOrder(Number(ack.venueOrderId), 5, 99.9, { execFirst: true });
    await eventually(() => (h?.events.fills.length ?? 0) === 1, 'the held fill');
    await settle();
    const after = h.events.sequence.slice(before);
    const firstFill = after.findIndex((e) => e.kind === 'fill');
    const firstOrder = after.findIndex((e) => e.kind === 'order');
    expect(firstOrder).toBeGreaterThanOrEqual(0);
    expect(firstOrder).toBeLessThan(firstFill);
    expect(h.events.fills).toHaveLength(1);
    expect(h.events.fills[0]).toMatchObject({ venueTradeId: exec.execId, fee: exec.commission, clientOrderId: 'k-3' });
  });

  it('waits for an unknown order (placed elsewhere) to be described before emitting its fill', async () => {
    h = await startIb({ config: { fillHoldMaxMs: 5_000 } });
    // An order from another client id exists only at the fake.
    const ack = await h.gw.submitOrder('k-4', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 3, price: 100 });
    const order = h.fake.orders.get(Number(ack.venueOrderId));
    if (!order) throw new Error('fake lost the order');
    const foreign = { ...order, orderId: 9_001, permId: 77_001, orderRef: 'from-tws', clientId: 0 };
    const exec = { ...h.fake.fillOrder(order.orderId, 1, 100), execId: 'foreign.01', orderId: 9_001, permId: 77_001, orderRef: 'from-tws' };
    await eventually(() => h?.events.fills.length === 1, 'the own fill');
    h.fake.broadcast(execData(-1, exec));
    h.fake.broadcast(commissionReport(exec));
    await settle(150);
    expect(h.events.fills.map((f) => f.venueTradeId)).not.toContain('foreign.01');
    h.fake.orders.set(9_001, foreign);
    await h.gw.fetchOpenOrders();
    await eventually(() => h?.events.fills.some((f) => f.venueTradeId === 'foreign.01') ?? false, 'the foreign fill after openOrder');
    const foreignFill = h.events.fills.find((f) => f.venueTradeId === 'foreign.01');
    expect(foreignFill).toMatchObject({ clientOrderId: 'from-tws', venueOrderId: '9001', quantity: 1 });
    const orderIdx = h.events.sequence.findIndex((e) => e.kind === 'order' && e.order.venueOrderId === '9001');
    const fillIdx = h.events.sequence.findIndex((e) => e.kind === 'fill' && e.fill.venueTradeId === 'foreign.01');
    expect(orderIdx).toBeLessThan(fillIdx);
  });

  it('never doubles a fill TWS repeats (same execId twice, and again via reqExecutions)', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('k-5', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 4, price: 100 });
    const e1 = h.fake.fillOrder(Number(ack.venueOrderId), 2, 100);
    const e2 = h.fake.fillOrder(Number(ack.venueOrderId), 2, 100.5);
    await eventually(() => h?.events.fills.length === 2, 'two fills');
    h.fake.broadcast(execData(-1, e1));
    h.fake.broadcast(commissionReport(e1));
    const listed = await h.gw.fetchFillsSince(0);
    await settle();
    expect(h.events.fills.map((f) => f.venueTradeId)).toEqual([e1.execId, e2.execId]);
    expect(listed.map((f) => f.venueTradeId).sort()).toEqual([e1.execId, e2.execId].sort());
    expect(h.events.orders.at(-1)).toMatchObject({ status: 'filled', filledQuantity: 4 });
  });

  it('cancels one order (cancelOrder → Cancelled + 202 without an error shown)', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('k-6', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 50 });
    await h.gw.cancelOrder('k-6', ack.venueOrderId, AAPL);
    expect(h.events.orders.at(-1)).toMatchObject({ clientOrderId: 'k-6', status: 'canceled' });
    expect(h.fake.requests(OUT.CANCEL_ORDER).map((m) => m.fields[2])).toEqual([ack.venueOrderId]);
    expect(h.gw.status().lastError).toBeNull();
    // A second cancel of a finished order is refused by TWS (161) and reported.
    await expect(h.gw.cancelOrder('k-6', ack.venueOrderId, AAPL)).resolves.toBeUndefined();
    await expect(h.gw.cancelOrder('nope', null, AAPL)).rejects.toThrow(/not known/);
  });

  it('reports a refused cancel in plain words', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('k-7', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 50 });
    const fakeOrder = h.fake.orders.get(Number(ack.venueOrderId));
    if (!fakeOrder) throw new Error('fake lost the order');
    // TWS still shows it working to Kestrel, but has already finished it (a race IB users know).
    fakeOrder.status = 'Filled';
    await expect(h.gw.cancelOrder('k-7', ack.venueOrderId, AAPL)).rejects.toThrow(/IB 161: the order is no longer cancellable/);
    expect(h.gw.status().lastError).toMatch(/IB 161.*order k-7/);
  });

  it('cancels everything with reqGlobalCancel', async () => {
    h = await startIb();
    const a = await h.gw.submitOrder('k-8', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 50 });
    const b = await h.gw.submitOrder('k-9', { instrumentId: 'IB:FUT:ES:CME:USD:20250919:50', side: 'sell', type: 'limit', quantity: 1, price: 7000 });
    expect((await h.gw.fetchOpenOrders()).map((o) => o.clientOrderId).sort()).toEqual(['k-8', 'k-9']);
    await h.gw.cancelAllOrders();
    await eventually(() => h?.events.orders.filter((o) => o.status === 'canceled').length === 2, 'both cancels');
    expect(h.fake.requests(OUT.REQ_GLOBAL_CANCEL)).toHaveLength(1);
    expect(h.fake.requests(OUT.CANCEL_ORDER)).toHaveLength(0);
    expect(await h.gw.fetchOpenOrders()).toEqual([]);
    expect([a.venueOrderId, b.venueOrderId].map((id) => h?.fake.orders.get(Number(id))?.status)).toEqual(['Cancelled', 'Cancelled']);
  });

  it('an order TWS rejects comes back rejected with the reason', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('k-10', { instrumentId: 'IB:STK:NOPE:SMART:USD', side: 'buy', type: 'market', quantity: 1 });
    expect(ack.status).toBe('rejected');
    expect(h.events.orders.at(-1)).toMatchObject({ clientOrderId: 'k-10', status: 'rejected' });
    expect(h.events.orders.at(-1)?.reason).toMatch(/IB 200: no contract matches/);
  });
});
