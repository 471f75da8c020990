import type { MessagePort } from 'node:worker_threads';
import type { Balance, Fill, Instrument, Order, Position, QuoteTick } from '../../shared/model/index.js';
import { SubmitOrder, systemClock, type Clock } from '../../shared/model/index.js';
import { hasReplay, simulatorRuns } from '../system/config.js';
import { apiMethods } from '../../shared/api/contract.js';
import { KestrelError, parseOrThrow } from '../../shared/api/errors.js';
import { openDatabase } from '../storage/sqlite/database.js';
import { SqliteJournal } from '../storage/sqlite/sqlite-journal.js';
import { SettingsStore } from '../storage/sqlite/settings-store.js';
import { OrderManager } from '../execution/order-manager.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { PaperVenue } from '../adapters/paper/paper-venue.js';
import { timerScheduler } from '../adapters/paper/scheduler.js';
import type { Gateway } from '../adapters/gateway.js';
import { RpcEndpoint } from './rpc.js';
import { RemoteGateway } from './remote-gateway.js';
import type { VenueAccount } from './venue-host.js';
import { workerHost, type MarketDataBatch } from './host.js';

// Execution worker: OMS, journal, trading state, the paper venue and the portfolio.
const PAPER_SNAPSHOT_KEY = 'paper-venue-state';
const PAPER_RESET_KEY = 'paper-reset-at';
const instruments = new Map<string, Instrument>();
const lastQuote = new Map<string, QuoteTick>();
const lastTrade = new Map<string, number>();
let simulator: RpcEndpoint | null = null;
/** The market-data worker hosts the venue gateways; orders for venue accounts go there. */
let gatewaysPort: RpcEndpoint | null = null;
const remoteGateways = new Map<string, RemoteGateway>();
/** Venue accounts already reconciled after this start (the accounts list can arrive twice). */
const reconciled = new Set<string>();

const { rpc, init } = workerHost((peer, port: MessagePort) => {
  const ep = new RpcEndpoint(port);
  if (peer === 'simulator') {
    simulator?.close();
    simulator = ep;
    ep.onEvent((event, data) => {
      if (event === 'md') onBatch(data as MarketDataBatch);
    });
    void ep.call<Instrument[]>('instruments').then((list) => onInstruments(list, 'simulator'));
  } else if (peer === 'marketdata') {
    gatewaysPort?.close();
    gatewaysPort = ep;
    ep.onEvent((event, data) => onGatewaysEvent(event, data));
    void ep.call<VenueAccount[]>('gw.accounts').then(onVenueAccounts, () => undefined);
  }
});

const db = openDatabase(init.dataDir);
const journal = new SqliteJournal(db);
const settings = new SettingsStore(db);
/**
 * The execution clock: wall time live; with a replay, the replayed venue time carried by each
 * market-data batch, so orders, fills and DAY expiries are stamped in the recording's time.
 */
let followedMs: number | null = null;
const clock: Clock = hasReplay(init.config) ? { nowMs: () => followedMs ?? Date.now() } : systemClock;
const paper = new PaperVenue({ clock, scheduler: timerScheduler, config: init.config.paper });
const portfolio = new Portfolio();
const gateways = new Map<string, Gateway>(paper.accountIds().map((id) => [id, paper]));
const dryRunAccounts = new Set<string>();

const oms = new OrderManager({
  clock,
  journal,
  gateways,
  defaultAccountId: paper.accountIds()[0]!,
  dryRunAccounts,
  instrument: (id) => instruments.get(id),
  referencePrice: (id) => {
    const q = lastQuote.get(id);
    return q ? (q.bid + q.ask) / 2 : (lastTrade.get(id) ?? null);
  },
  portfolio,
  portfolioSince: (accountId) => settings.get<number>(`${PAPER_RESET_KEY}:${accountId}`) ?? 0,
  events: {
    onOrder: (o) => rpc.emit('order', o),
    onFill: (f) => rpc.emit('fill', f),
    onTradingState: (s) => rpc.emit('tradingState', s),
  },
});

paper.setListener({
  onOrder: (o) => oms.onVenueOrder(o),
  onFill: (f) => {
    oms.onVenueFill(f);
    savePaperSnapshot();
  },
});
void paper.connect();

/** The paper venue is our own "exchange": keep its books beside the journal so a restart resumes them. */
function savePaperSnapshot(): void {
  void Promise.all([paper.fetchPositions(), paper.fetchBalances()]).then(([positions, balances]) => settings.put(PAPER_SNAPSHOT_KEY, { positions, balances }));
}

let restored = false;
const waitingFor = new Set<string>([...(simulatorRuns(init.config) ? ['simulator'] : []), ...(init.config.venues.length ? ['venues'] : [])]);
// Venues may be slow or down at start; restore what can be restored after this long regardless.
const RESTORE_DEADLINE_MS = 15_000;
setTimeout(() => restoreOnce(), RESTORE_DEADLINE_MS).unref();

function onInstruments(list: Instrument[], source: string): void {
  for (const i of list) instruments.set(i.instrumentId, i);
  paper.addInstruments(list);
  waitingFor.delete(source);
  if (!waitingFor.size) restoreOnce();
}

/**
 * Rebuilds the paper venue from the journal once every instrument source has answered: open orders
 * resume resting, cash and positions as they were. An order whose instrument is gone is expired,
 * with the reason, rather than left open forever.
 */
function restoreOnce(): void {
  if (restored) return;
  restored = true;
  const snapshot = settings.get<{ positions: Position[]; balances: Balance[] }>(PAPER_SNAPSHOT_KEY) ?? { positions: [], balances: [] };
  const paperAccounts = new Set(paper.accountIds());
  const open = journal.listOrders('open').filter((o) => paperAccounts.has(o.accountId));
  for (const o of open.filter((x) => !instruments.has(x.instrumentId))) {
    oms.onVenueOrder({ ...o, status: 'expired', reason: `${o.instrumentId} is not available after the restart` });
  }
  const report = paper.restore({
    openOrders: open.filter((o) => instruments.has(o.instrumentId)),
    positions: snapshot.positions.filter((p) => instruments.has(p.instrumentId)),
    balances: snapshot.balances,
    fills: journal.listFills().filter((f) => paperAccounts.has(f.accountId)),
  });
  for (const o of report.expiredOrders) oms.onVenueOrder(o);
  // A halt persisted before a crash or restart still holds: nothing may stay working at the venue.
  if (oms.tradingState.isHalted() && journal.listOrders('open').length) void oms.cancelAll('kill-switch (restart while halted)');
}

function onGatewaysEvent(event: string, data: unknown): void {
  switch (event) {
    case 'md':
      onBatch(data as MarketDataBatch);
      return;
    case 'instruments':
      onInstruments(data as Instrument[], 'venue-instruments');
      return;
    case 'venuesReady':
      if (data) onInstruments([], 'venues');
      return;
    case 'venueAccounts':
      onVenueAccounts(data as VenueAccount[]);
      return;
    // Venues name accounts their own way (IB: DU123…); Kestrel books under the configured account.
    case 'venueOrder': {
      const { accountId, order } = data as { accountId: string; order: Order };
      if (gateways.has(accountId)) oms.onVenueOrder({ ...order, accountId });
      return;
    }
    case 'venueFill': {
      const { accountId, fill } = data as { accountId: string; fill: Fill };
      if (gateways.has(accountId)) oms.onVenueFill({ ...fill, accountId });
      return;
    }
  }
}

/**
 * After a start, bring the journal in line with the venue: fills since the last one journaled are
 * applied (deduplicated by venue trade id); then an order the journal holds open but the venue does
 * not (and that no fill closed) was canceled or expired while Kestrel was away, or never reached the
 * venue before a crash. Only orders from before the check count: a new one may not be there yet.
 * A venue still connecting is asked again with back-off.
 */
function reconcile(accountId: string, remote: RemoteGateway, startedAt: number, attempt: number): void {
  const lastSeen = journal.listFills().filter((f) => f.accountId === accountId).reduce((m, f) => Math.max(m, f.tsEvent), 0);
  void remote
    .fetchFillsSince(lastSeen)
    .then((fills) => fills.forEach((f) => remote.deliverFill(f)))
    .then(() => remote.fetchOpenOrders())
    .then((venueOpen) => {
      const atVenue = new Set(venueOpen.flatMap((o) => [o.clientOrderId, o.venueOrderId ?? '']));
      for (const o of venueOpen) remote.deliverOrder(o);
      const gone = journal
        .listOrders('open')
        .filter((x) => x.accountId === accountId && x.tsCreated < startedAt && !atVenue.has(x.clientOrderId) && !(x.venueOrderId && atVenue.has(x.venueOrderId)));
      for (const o of gone) oms.onVenueOrder({ ...o, status: 'canceled', reason: 'not open at the venue when Kestrel reconnected' });
      journal.audit('execution', 'reconciled', `${accountId}: ${gone.length} order(s) closed`);
    })
    .catch((err: unknown) => {
      journal.audit('execution', 'reconcile-failed', `${accountId} (attempt ${attempt}): ${(err as Error).message}`);
      if (attempt < 10) setTimeout(() => reconcile(accountId, remote, startedAt, attempt + 1), Math.min(30_000, 500 * 2 ** attempt)).unref();
    });
}

/** Venue accounts become order routes, each reconciled once after this start. */
function onVenueAccounts(accounts: VenueAccount[]): void {
  for (const a of accounts) {
    let gw = remoteGateways.get(a.accountId);
    if (!gw) {
      gw = new RemoteGateway(a.gatewayId, a.venue, () => gatewaysPort);
      gw.setListener({ onOrder: (o) => oms.onVenueOrder({ ...o, accountId: a.accountId }), onFill: (f) => oms.onVenueFill({ ...f, accountId: a.accountId }) });
      remoteGateways.set(a.accountId, gw);
      gateways.set(a.accountId, gw);
    }
    if (a.dryRun) dryRunAccounts.add(a.accountId);
    if (reconciled.has(a.accountId)) continue;
    reconciled.add(a.accountId);
    reconcile(a.accountId, gw, clock.nowMs(), 1);
  }
}

function onBatch(batch: MarketDataBatch): void {
  if (followedMs === null || batch.venueTimeMs > followedMs) followedMs = batch.venueTimeMs;
  for (const q of batch.quotes) {
    lastQuote.set(q.instrumentId, q);
    portfolio.mark(q.instrumentId, (q.bid + q.ask) / 2);
    paper.onQuote(q);
  }
  for (const b of batch.books ?? []) paper.onBook(b);
  for (const t of batch.trades) lastTrade.set(t.instrumentId, t.price);
  if (batch.trades.length) paper.onTrades(batch.trades);
}

setInterval(() => rpc.emit('positions', portfolio.positions()), 1_000);

rpc.handle('orders.submit', (p) => oms.submit(parseOrThrow(SubmitOrder, p, 'order')));
rpc.handle('orders.cancel', (p) => oms.cancel(parseOrThrow(apiMethods['orders.cancel'].input, p).clientOrderId));
rpc.handle('orders.cancelAll', async () => ({ canceled: await oms.cancelAll() }));
rpc.handle('orders.list', (p) => journal.listOrders(parseOrThrow(apiMethods['orders.list'].input, p).status));
rpc.handle('fills.list', (p) => journal.listFills(parseOrThrow(apiMethods['fills.list'].input, p).since ?? 0));
rpc.handle('positions.list', () => portfolio.positions());
rpc.handle('balances.list', async () => {
  const venueBalances = await Promise.all([...remoteGateways.values()].map((g) => g.fetchBalances().catch(() => [])));
  return [...(await paper.fetchBalances()), ...venueBalances.flat()];
});
rpc.handle('paper.reset', async (p) => {
  const { accountId } = parseOrThrow(apiMethods['paper.reset'].input, p);
  const accounts = accountId ? [accountId] : paper.accountIds();
  for (const id of accounts) if (!paper.accountIds().includes(id)) throw new KestrelError('not_found', `unknown paper account ${id}`);
  for (const id of accounts) {
    // Orders first, through the OMS, so each cancel is journaled; then the venue and our books.
    for (const o of journal.listOrders('open').filter((x) => x.accountId === id)) await oms.cancel(o.clientOrderId, 'paper reset').catch(() => undefined);
    paper.reset(id);
    portfolio.resetAccount(id);
    settings.put(`${PAPER_RESET_KEY}:${id}`, clock.nowMs());
    journal.audit('user', 'paper-reset', id);
  }
  savePaperSnapshot();
  rpc.emit('positions', portfolio.positions());
  return { accounts };
});
rpc.handle('tradingState.get', () => oms.tradingState.get());
rpc.handle('killSwitch.halt', (p) => {
  const { reason, flatten } = parseOrThrow(apiMethods['killSwitch.halt'].input, p);
  return oms.halt(reason, flatten);
});
rpc.handle('killSwitch.rearm', (p) => oms.rearm(parseOrThrow(apiMethods['killSwitch.rearm'].input, p).reason));
rpc.handle('stop', () => db.close());
