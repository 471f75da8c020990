import { createStore, type StoreApi } from 'zustand/vanilla';
import { isOpenStatus, type Order } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export type OrdersScope = 'open' | 'all';
const MAX_KEPT_ORDERS = 5_000;

export interface OrdersState {
  byId: Record<string, Order>;
  /** What the grid shows: open orders, or every order seen, newest first. */
  rows: Order[];
  scope: OrdersScope;
  loadError: string | null;
  actionError: string | null;
  load(): Promise<void>;
  setScope(scope: OrdersScope): Promise<void>;
  applyOrder(order: Order): void;
  cancel(clientOrderId: string): Promise<void>;
  cancelAll(): Promise<void>;
}

export type OrdersStore = StoreApi<OrdersState>;

/** True when `next` should replace `prev`: newer, or as new but moving towards a final state. */
export function isNewerOrder(prev: Order | undefined, next: Order): boolean {
  if (!prev) return true;
  if (next.tsUpdated !== prev.tsUpdated) return next.tsUpdated > prev.tsUpdated;
  // Same millisecond: an accepted and a filled event can share a timestamp; never step back from final.
  if (!isOpenStatus(prev.status) && isOpenStatus(next.status)) return false;
  return next.filledQuantity >= prev.filledQuantity;
}

function rowsOf(byId: Record<string, Order>, scope: OrdersScope): Order[] {
  const all = Object.values(byId);
  const shown = scope === 'open' ? all.filter((o) => isOpenStatus(o.status)) : all;
  return shown.sort((a, b) => b.tsCreated - a.tsCreated || a.clientOrderId.localeCompare(b.clientOrderId));
}

function trim(byId: Record<string, Order>): Record<string, Order> {
  const ids = Object.keys(byId);
  if (ids.length <= MAX_KEPT_ORDERS) return byId;
  const finished = Object.values(byId)
    .filter((o) => !isOpenStatus(o.status))
    .sort((a, b) => a.tsUpdated - b.tsUpdated);
  const next = { ...byId };
  for (const o of finished.slice(0, ids.length - MAX_KEPT_ORDERS)) delete next[o.clientOrderId];
  return next;
}

export function createOrdersStore(client: KestrelClient): OrdersStore {
  let loading = false;
  let buffered: Order[] = [];

  return createStore<OrdersState>()((set, get) => ({
    byId: {},
    rows: [],
    scope: 'open',
    loadError: null,
    actionError: null,

    async load() {
      loading = true;
      buffered = [];
      try {
        const orders = await client.call('orders.list', { status: get().scope });
        // The snapshot is the truth (events may have been missed while disconnected); events that
        // arrived during the request are newer than it and go on top.
        let byId: Record<string, Order> = {};
        for (const o of orders) byId[o.clientOrderId] = o;
        for (const o of buffered) if (isNewerOrder(byId[o.clientOrderId], o)) byId[o.clientOrderId] = o;
        byId = trim(byId);
        set({ byId, rows: rowsOf(byId, get().scope), loadError: null });
      } catch (err) {
        set({ loadError: `could not load orders: ${errorText(err)}` });
      } finally {
        loading = false;
        buffered = [];
      }
    },

    async setScope(scope) {
      set({ scope, rows: rowsOf(get().byId, scope) });
      await get().load();
    },

    applyOrder(order) {
      if (loading) buffered.push(order);
      const s = get();
      if (!isNewerOrder(s.byId[order.clientOrderId], order)) return;
      const byId = trim({ ...s.byId, [order.clientOrderId]: order });
      set({ byId, rows: rowsOf(byId, s.scope) });
    },

    async cancel(clientOrderId) {
      try {
        await client.call('orders.cancel', { clientOrderId });
        set({ actionError: null });
      } catch (err) {
        set({ actionError: `could not cancel ${clientOrderId}: ${errorText(err)}` });
      }
    },

    async cancelAll() {
      try {
        await client.call('orders.cancelAll', {});
        set({ actionError: null });
      } catch (err) {
        set({ actionError: `could not cancel all orders: ${errorText(err)}` });
      }
    },
  }));
}
