import type { KestrelClient } from '../api/client.js';
import { createAccountsStore, type AccountsStore } from './accounts-store.js';
import { createChartStore, type ChartStore } from './chart-store.js';
import { createFillsStore, type FillsStore } from './fills-store.js';
import { createMarketStore, type MarketStore } from './market-store.js';
import { createNoticesStore, type NoticesStore } from './notices-store.js';
import { createOrdersStore, type OrdersStore } from './orders-store.js';
import { createPositionsStore, type PositionsStore } from './positions-store.js';
import type { KeyValueStorage } from './key-value-storage.js';
import { createSystemStore, type SystemStore } from './system-store.js';
import { createTapeStore, type TapeStore } from './tape-store.js';
import { createTicketStore, type TicketStore } from './ticket-store.js';
import { createUiStore, type UiStore } from './ui-store.js';

/** Panels see stores only; the client stays inside them (STYLE.md: stores call the API). */
export interface AppStores {
  market: MarketStore;
  chart: ChartStore;
  orders: OrdersStore;
  fills: FillsStore;
  positions: PositionsStore;
  accounts: AccountsStore;
  tape: TapeStore;
  system: SystemStore;
  ticket: TicketStore;
  notices: NoticesStore;
  ui: UiStore;
  /** Re-fetches every snapshot (done on connect and reconnect). */
  loadAll(): Promise<void>;
  dispose(): void;
}

const GATEWAY_DOWN = new Set(['disconnected', 'error', 'reconnecting']);
/** Balances have no event of their own; they change with fills, so refresh them shortly after. */
const BALANCE_REFRESH_DELAY_MS = 300;
const LOAD_RETRY_MS = 5_000;

export interface CreateStoresOptions {
  /** The tab's sessionStorage: view choices (the chart interval) last as long as the tab. */
  sessionStorage?: KeyValueStorage | null;
}

/** Builds every store and wires the client's events and connection status into them. */
export function createStores(client: KestrelClient, options: CreateStoresOptions = {}): AppStores {
  const market = createMarketStore(client);
  const chart = createChartStore(client, { storage: options.sessionStorage ?? null });
  const orders = createOrdersStore(client);
  const fills = createFillsStore(client);
  const positions = createPositionsStore(client);
  const system = createSystemStore(client);
  const notices = createNoticesStore();
  const ui = createUiStore();
  const tape = createTapeStore();
  const accounts = createAccountsStore(client, {
    async afterPaperReset(accountIds) {
      positions.getState().dropAccounts(accountIds);
      await positions.getState().load();
      const names = accountIds.map((id) => `"${id}"`).join(', ');
      notices.getState().push('info', `Paper account${accountIds.length === 1 ? '' : 's'} ${names} reset`, 'open orders canceled, starting cash restored, positions cleared');
    },
  });
  const ticket = createTicketStore(client, {
    referencePrice(instrumentId) {
      const q = market.getState().quotes[instrumentId];
      if (!q) return null;
      return q.last ?? (q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null);
    },
    minQuantity: (instrumentId) => market.getState().instruments[instrumentId]?.lotSize ?? null,
  });

  let balanceTimer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribers: Array<() => void> = [
    client.on('quotes', (rows) => market.getState().applyQuotes(rows)),
    client.on('bar', (bar) => chart.getState().applyBar(bar)),
    client.on('trades', (batch) => tape.getState().applyTrades(batch)),
    client.on('order', (order) => orders.getState().applyOrder(order)),
    client.on('fill', (fill) => {
      fills.getState().applyFill(fill);
      if (balanceTimer) clearTimeout(balanceTimer);
      balanceTimer = setTimeout(() => void positions.getState().loadBalances(), BALANCE_REFRESH_DELAY_MS);
    }),
    client.on('positions', (list) => positions.getState().applyPositions(list)),
    client.on('tradingState', (state) => {
      const before = system.getState().trading?.state;
      system.getState().applyTradingState(state);
      if (before && before !== state.state) {
        notices.getState().push(state.state === 'HALTED' ? 'error' : 'info', state.state === 'HALTED' ? 'Trading halted' : 'Trading re-armed', state.reason);
      }
    }),
    client.on('gateway', (status) => {
      const before = system.getState().gateways.find((g) => g.gatewayId === status.gatewayId)?.state;
      system.getState().applyGateway(status);
      if (before === 'connected' && GATEWAY_DOWN.has(status.state)) {
        notices.getState().push('warn', `Gateway ${status.gatewayId} is ${status.state}`, status.lastError);
      }
    }),
    client.on('worker', (event) => {
      system.getState().applyWorker(event);
      const key = `worker:${event.worker}`;
      if (event.kind === 'crashed') notices.getState().push('error', `Worker "${event.worker}" crashed`, event.detail ?? 'it is being restarted', key);
      if (event.kind === 'restarted') notices.getState().push('warn', `Worker "${event.worker}" crashed and was restarted`, event.detail, key);
    }),
    client.on('progress', (p) => {
      const share = p.total ? ` (${p.done}/${p.total})` : '';
      notices.getState().push('info', `${p.job}${share}`, p.message, `progress:${p.job}`);
    }),
    // The chart offers the intervals this core aggregates; a chosen one it no longer serves falls back to the first.
    system.subscribe((s, prev) => {
      if (!s.barIntervals || s.barIntervals === prev.barIntervals || s.barIntervals.length === 0) return;
      chart.setState({ intervals: s.barIntervals });
      if (!s.barIntervals.includes(chart.getState().interval)) void chart.getState().selectInterval(s.barIntervals[0]!);
    }),
    market.subscribe((s, prev) => {
      // The instrument list can arrive after the selection (quotes come first): size the ticket then.
      const ticketId = ticket.getState().fields.instrumentId;
      if (s.instruments !== prev.instruments && ticketId && s.instruments[ticketId] && !prev.instruments[ticketId]) {
        ticket.getState().setField('instrumentId', ticketId);
      }
      if (s.selectedInstrumentId === prev.selectedInstrumentId) return;
      void chart.getState().show(s.selectedInstrumentId);
      tape.getState().show(s.selectedInstrumentId);
      if (s.selectedInstrumentId) ticket.getState().setField('instrumentId', s.selectedInstrumentId);
    }),
    accounts.subscribe((s, prev) => {
      // The ticket defaults to the first account, and never keeps one the core no longer lists.
      if (s.accounts === prev.accounts) return;
      const current = ticket.getState().fields.accountId;
      if (s.accounts.length > 0 && !s.accounts.some((a) => a.accountId === current)) ticket.getState().setField('accountId', s.accounts[0]!.accountId);
    }),
  ];

  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const loadAll = async () => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const hadInstrument = market.getState().selectedInstrumentId;
    await Promise.all([
      market.getState().load(),
      orders.getState().load(),
      fills.getState().load(),
      positions.getState().load(),
      system.getState().load(),
      accounts.getState().load(),
    ]);
    // After a reconnect the selection did not change, so the subscription above did not reload bars.
    if (hadInstrument && hadInstrument === market.getState().selectedInstrumentId) await chart.getState().reload();
    // A worker that is restarting answers 'unavailable'; try again rather than leave a panel empty.
    const failed = [market, orders, fills, positions, system, accounts].some((st) => st.getState().loadError !== null) || chart.getState().error !== null;
    if (failed && client.status().state === 'open') retryTimer = setTimeout(() => void loadAll(), LOAD_RETRY_MS);
  };

  let previous = client.status().state;
  let hadConnected = previous === 'open';
  unsubscribers.push(
    client.onStatus((status) => {
      system.getState().setConnection(status);
      if (status.state === 'open' && previous !== 'open') void loadAll();
      if (status.state === 'closed' && previous === 'open') notices.getState().push('warn', 'Disconnected from the Kestrel server', status.detail, 'connection');
      if (status.state === 'open' && previous !== 'open' && hadConnected) notices.getState().push('info', 'Reconnected to the Kestrel server', null, 'connection');
      if (status.state === 'open') hadConnected = true;
      previous = status.state;
    }),
  );
  if (previous === 'open') void loadAll();

  return {
    market,
    chart,
    orders,
    fills,
    positions,
    accounts,
    tape,
    system,
    ticket,
    notices,
    ui,
    loadAll,
    dispose() {
      for (const u of unsubscribers) u();
      tape.getState().dispose();
      if (balanceTimer) clearTimeout(balanceTimer);
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
