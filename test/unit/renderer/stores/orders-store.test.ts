import { describe, expect, it } from 'vitest';
import { createOrdersStore, isNewerOrder } from '../../../../renderer/stores/orders-store.js';
import { FakeClient } from '../support/fake-client.js';
import { order } from '../support/samples.js';

describe('orders store', () => {
  it('shows an open order and drops it from the open view once an event says it filled', () => {
    const store = createOrdersStore(new FakeClient());
    store.getState().applyOrder(order({ clientOrderId: 'a', tsCreated: 10, tsUpdated: 10 }));
    store.getState().applyOrder(order({ clientOrderId: 'b', tsUpdated: 11, tsCreated: 11 }));
    expect(store.getState().rows.map((o) => o.clientOrderId)).toEqual(['b', 'a']);

    store.getState().applyOrder(order({ clientOrderId: 'a', status: 'filled', filledQuantity: 2, avgFillPrice: 100, tsUpdated: 20 }));
    expect(store.getState().rows.map((o) => o.clientOrderId)).toEqual(['b']);
    expect(store.getState().byId['a']?.status).toBe('filled');
  });

  it('ignores an event older than what it already has', () => {
    const store = createOrdersStore(new FakeClient());
    store.getState().applyOrder(order({ status: 'canceled', tsUpdated: 50 }));
    store.getState().applyOrder(order({ status: 'open', tsUpdated: 40 }));
    expect(store.getState().byId['c-1']?.status).toBe('canceled');
    expect(store.getState().rows).toEqual([]);
  });

  it('never steps back from a final state within the same millisecond', () => {
    const filled = order({ status: 'filled', filledQuantity: 2, tsUpdated: 7 });
    expect(isNewerOrder(filled, order({ status: 'open', tsUpdated: 7 }))).toBe(false);
    expect(isNewerOrder(order({ status: 'open', tsUpdated: 7 }), filled)).toBe(true);
  });

  it('keeps an event that arrived while the snapshot was in flight', async () => {
    const client = new FakeClient().answer('orders.list', () => [order({ status: 'open', tsUpdated: 5 })]);
    const store = createOrdersStore(client);
    client.defer('orders.list');
    const loading = store.getState().load();
    // The fill happened after the server built the (older) snapshot.
    store.getState().applyOrder(order({ status: 'filled', filledQuantity: 2, tsUpdated: 9 }));
    client.release('orders.list');
    await loading;
    expect(store.getState().byId['c-1']?.status).toBe('filled');
    expect(store.getState().rows).toEqual([]);
  });

  it('replaces stale open orders with the snapshot after a reconnect', async () => {
    const client = new FakeClient().answer('orders.list', () => [order({ clientOrderId: 'still-open', tsUpdated: 30 })]);
    const store = createOrdersStore(client);
    store.getState().applyOrder(order({ clientOrderId: 'closed-while-offline', tsUpdated: 3 }));
    await store.getState().load();
    expect(store.getState().rows.map((o) => o.clientOrderId)).toEqual(['still-open']);
  });

  it('puts the core’s refusal to cancel into words', async () => {
    const client = new FakeClient().refuse('orders.cancel', 'not_found', 'order x is not open');
    const store = createOrdersStore(client);
    await store.getState().cancel('x');
    expect(store.getState().actionError).toBe('could not cancel x: order x is not open');
  });
});
