/**
 * The whole core against a venue speaking its real protocol: the kernel's gateways worker runs the
 * IB adapter (@stoqey/ib) against the fake TWS on loopback; orders for the IB account travel
 * execution worker → gateways worker → TWS, and fills come back and are journaled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTws } from '../../fakes/tws/fake-tws.js';
import { startKernel, tempDir, waitFor } from '../../support/kernel-harness.js';
import type { Kernel } from '../../../main/system/kernel.js';

const AAPL = 'IB:STK:AAPL:SMART:USD';
const AAPL_CONID = 265598;

describe('kernel with a venue gateway (IB over the fake TWS)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function boot(fake: FakeTws, port: number, dir: string, orders: 'venue' | 'paper'): Promise<Kernel> {
    const k = await startKernel(dir, {
      simulator: { enabled: false },
      venues: [
        {
          type: 'ib',
          ib: { port, clientId: 11, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, heartbeatIntervalMs: 100, commissionWaitMs: 100, statusIntervalMs: 100 },
          subscribe: [AAPL],
          orders,
        },
      ],
    });
    cleanup.push(() => k.stop());
    return k;
  }

  it('streams IB quotes into the core, routes an order to TWS and journals its fill', async () => {
    const fake = new FakeTws();
    const port = await fake.start();
    cleanup.push(() => fake.stop());
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const k = await boot(fake, port, tmp.dir, 'venue');

    await waitFor(async () => (await k.call('instruments.list', {})).some((i) => i.instrumentId === AAPL), 'AAPL from TWS contract details', 15_000);
    await waitFor(async () => {
      fake.pushQuote(AAPL_CONID, { bid: 189.9, bidSize: 300, ask: 190.1, askSize: 200 });
      const q = (await k.call('quotes.list', {})).find((r) => r.instrumentId === AAPL);
      return q && q.bid === 189.9 && q.ask === 190.1 && q.simulated === false;
    }, 'an AAPL quote from TWS', 15_000);
    const state = await k.call('state.get', {});
    expect(state.gateways.find((g) => g.venue === 'IB')?.state).toBe('connected');

    const accountId = (await waitFor(async () => {
      const venues = await k.call('gateways.list', {});
      return venues.find((g) => g.venue === 'IB') ? 'ib' : null;
    }, 'the IB gateway status'));
    const ack = await k.call('orders.submit', { accountId, instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 10, price: 190 });
    expect(ack.status).toBe('open');
    const order = (await k.call('orders.list', { status: 'open' })).find((o) => o.clientOrderId === ack.clientOrderId)!;
    expect(order.venueOrderId).toMatch(/^\d+$/);
    fake.fillOrder(Number(order.venueOrderId), 10, 190, { commission: 1.2 });
    const fills = await waitFor(async () => {
      const f = await k.call('fills.list', {});
      return f.length ? f : null;
    }, 'the IB fill in the journal', 15_000);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ clientOrderId: ack.clientOrderId, quantity: 10, price: 190, fee: 1.2, instrumentId: AAPL });
    await waitFor(async () => (await k.call('orders.list', { status: 'all' })).find((o) => o.clientOrderId === ack.clientOrderId)?.status === 'filled', 'the order filled');

    // The kill switch reaches the venue: a resting order is canceled at TWS.
    const resting = await k.call('orders.submit', { accountId, instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 5, price: 150 });
    await k.call('killSwitch.halt', { reason: 'test stop', flatten: false });
    await waitFor(async () => (await k.call('orders.list', { status: 'all' })).find((o) => o.clientOrderId === resting.clientOrderId)?.status === 'canceled', 'the resting order canceled');
  });

  it('reconciles after a restart: an order canceled at TWS meanwhile is closed, one still working stays open', async () => {
    const fake = new FakeTws();
    const port = await fake.start();
    cleanup.push(() => fake.stop());
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const k = await boot(fake, port, tmp.dir, 'venue');
    await waitFor(async () => (await k.call('instruments.list', {})).some((i) => i.instrumentId === AAPL), 'AAPL', 15_000);
    await waitFor(async () => (await k.call('gateways.list', {})).find((g) => g.venue === 'IB')?.state === 'connected', 'IB connected', 15_000);
    const keep = await k.call('orders.submit', { accountId: 'ib', instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 100 });
    const gone = await k.call('orders.submit', { accountId: 'ib', instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 1, price: 101 });
    const open = await k.call('orders.list', { status: 'open' });
    const goneVenueId = Number(open.find((o) => o.clientOrderId === gone.clientOrderId)!.venueOrderId);
    await k.stop();
    cleanup.splice(cleanup.length - 1, 1);

    // While Kestrel is down, the trader cancels one order in TWS itself.
    fake.orders.get(goneVenueId)!.status = 'Cancelled';
    const k2 = await boot(fake, port, tmp.dir, 'venue');
    const after = await waitFor(async () => {
      const all = await k2.call('orders.list', { status: 'all' });
      return all.find((o) => o.clientOrderId === gone.clientOrderId)?.status === 'canceled' ? all : null;
    }, 'the order canceled at TWS closed in the journal', 20_000);
    expect(after.find((o) => o.clientOrderId === gone.clientOrderId)!.reason).toMatch(/not open at the venue/);
    expect(after.find((o) => o.clientOrderId === keep.clientOrderId)!.status).toBe('open');
  });
});
