import type { MessagePort } from 'node:worker_threads';
import type { Balance, Instrument, Position, QuoteTick } from '../../shared/model/index.js';
import { SubmitOrder, systemClock } from '../../shared/model/index.js';
import { apiMethods } from '../../shared/api/contract.js';
import { parseOrThrow } from '../../shared/api/errors.js';
import { openDatabase } from '../storage/sqlite/database.js';
import { SqliteJournal } from '../storage/sqlite/sqlite-journal.js';
import { SettingsStore } from '../storage/sqlite/settings-store.js';
import { OrderManager } from '../execution/order-manager.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { PaperVenue } from '../adapters/paper/paper-venue.js';
import { timerScheduler } from '../adapters/paper/scheduler.js';
import type { Gateway } from '../adapters/gateway.js';
import { RpcEndpoint } from './rpc.js';
import { workerHost, type MarketDataBatch } from './host.js';

// Execution worker: OMS, journal, trading state, the paper venue and the portfolio.
const PAPER_SNAPSHOT_KEY = 'paper-venue-state';
const instruments = new Map<string, Instrument>();
const lastQuote = new Map<string, QuoteTick>();
const lastTrade = new Map<string, number>();
let simulator: RpcEndpoint | null = null;

const { rpc, init } = workerHost((peer, port: MessagePort) => {
  if (peer !== 'simulator') return;
  simulator?.close();
  const ep = new RpcEndpoint(port);
  simulator = ep;
  ep.onEvent((event, data) => {
    if (event === 'md') onBatch(data as MarketDataBatch);
  });
  void ep.call<Instrument[]>('instruments').then(onInstruments);
});

const db = openDatabase(init.dataDir);
const journal = new SqliteJournal(db);
const settings = new SettingsStore(db);
const clock = systemClock;
const paper = new PaperVenue({ clock, scheduler: timerScheduler, config: init.config.paper });
const portfolio = new Portfolio();
const gateways = new Map<string, Gateway>(paper.accountIds().map((id) => [id, paper]));

const oms = new OrderManager({
  clock,
  journal,
  gateways,
  defaultAccountId: paper.accountIds()[0]!,
  instrument: (id) => instruments.get(id),
  referencePrice: (id) => {
    const q = lastQuote.get(id);
    return q ? (q.bid + q.ask) / 2 : (lastTrade.get(id) ?? null);
  },
  portfolio,
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
    // The paper venue is our own "exchange": keep its books beside the journal so a restart resumes them.
    void Promise.all([paper.fetchPositions(), paper.fetchBalances()]).then(([positions, balances]) => settings.put(PAPER_SNAPSHOT_KEY, { positions, balances }));
  },
});
void paper.connect();

let restored = false;
function onInstruments(list: Instrument[]): void {
  for (const i of list) instruments.set(i.instrumentId, i);
  paper.addInstruments(list);
  if (restored) return;
  restored = true;
  // Rebuild the venue from the journal: open orders resume resting, cash and positions as they were.
  const snapshot = settings.get<{ positions: Position[]; balances: Balance[] }>(PAPER_SNAPSHOT_KEY) ?? { positions: [], balances: [] };
  const report = paper.restore({
    openOrders: journal.listOrders('open').filter((o) => instruments.has(o.instrumentId)),
    positions: snapshot.positions.filter((p) => instruments.has(p.instrumentId)),
    balances: snapshot.balances,
    fills: journal.listFills(),
  });
  for (const o of report.expiredOrders) oms.onVenueOrder(o);
  // A halt persisted before a crash or restart still holds: nothing may stay working at the venue.
  if (oms.tradingState.isHalted() && journal.listOrders('open').length) void oms.cancelAll('kill-switch (restart while halted)');
}

function onBatch(batch: MarketDataBatch): void {
  for (const q of batch.quotes) {
    lastQuote.set(q.instrumentId, q);
    portfolio.mark(q.instrumentId, (q.bid + q.ask) / 2);
    paper.onQuote(q);
  }
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
rpc.handle('balances.list', () => paper.fetchBalances());
rpc.handle('tradingState.get', () => oms.tradingState.get());
rpc.handle('killSwitch.halt', (p) => {
  const { reason, flatten } = parseOrThrow(apiMethods['killSwitch.halt'].input, p);
  return oms.halt(reason, flatten);
});
rpc.handle('killSwitch.rearm', (p) => oms.rearm(parseOrThrow(apiMethods['killSwitch.rearm'].input, p).reason));
rpc.handle('stop', () => db.close());
