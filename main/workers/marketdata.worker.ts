import type { MessagePort } from 'node:worker_threads';
import type { Bar, Fill, GatewayStatus, Instrument, Order, OrderBook, QuoteTick, TradeTick } from '../../shared/model/index.js';
import type { QuoteRow } from '../../shared/api/contract.js';
import { apiMethods, BarsQuery } from '../../shared/api/contract.js';
import { KestrelError, parseOrThrow } from '../../shared/api/errors.js';
import { simulatorRuns } from '../system/config.js';
import { FeedHealth } from '../marketdata/feed-health.js';
import { LiveBars } from '../marketdata/live-bars.js';
import { openParquetHistory } from './parquet-history.js';
import { RpcEndpoint } from './rpc.js';
import { VenueHost } from './venue-host.js';
import { VenueServices } from './venue-services.js';
import { workerHost, type MarketDataBatch } from './host.js';

// Gateways/market-data worker: owns the venue sessions and the simulator feed, the latest quotes,
// live bars and history writes. Market data and venue order events go straight to the execution
// worker over a direct port.
const instruments = new Map<string, Instrument>();
const venueInstruments: Instrument[] = [];
/** Instruments that stream here (simulator + subscriptions): a bar window is complete when all have bars. */
const streamed = new Set<string>();
const quotes = new Map<string, QuoteRow>();
const dirty = new Set<string>();
const simFeed = new FeedHealth('SIM', 'SIM', true);

const venueStatus = new Map<string, GatewayStatus>();
let simulator: RpcEndpoint | null = null;
let execution: RpcEndpoint | null = null;
// Created once the Parquet store is open (start-up awaits it below).
let bars: LiveBars | null = null;
let history: Awaited<ReturnType<typeof openParquetHistory>> | null = null;
/** Resolves once the history store is open and the live bars exist: history queries wait for it. */
let storeReady!: () => void;
const whenStoreReady = new Promise<void>((resolve) => (storeReady = resolve));

/** Venue data and order events for the execution worker, batched; held while it restarts so no fill is lost. */
const toExecution = { trades: [] as TradeTick[], quotes: [] as QuoteTick[], books: [] as OrderBook[], events: [] as { event: string; data: unknown }[] };

const { rpc, init } = workerHost((peer, port: MessagePort) => {
  if (peer === 'simulator') {
    simulator?.close();
    const ep = new RpcEndpoint(port);
    simulator = ep;
    ep.onEvent((event, data) => {
      if (event === 'history') {
        inOrder(() => acceptWarmup(data as { trades: TradeTick[]; venueTimeMs: number }));
        return;
      }
      if (event !== 'md') return;
      const batch = data as MarketDataBatch;
      simFeed.onMessages(batch.trades.length + batch.quotes.length, Date.now());
      inOrder(() => onMarketData(batch.trades, batch.quotes, batch.venueTimeMs));
    });
    void ep.call<Instrument[]>('instruments').then((list) => {
      addInstruments(list);
      for (const i of list) streamed.add(i.instrumentId);
      bars?.setUniverse([...streamed]);
    });
  } else if (peer === 'execution') {
    execution?.close();
    const ep = new RpcEndpoint(port);
    execution = ep;
    venues.serve(ep);
    ep.handle('gw.cancelEverything', () => venues.cancelEverything());
    if (venueInstruments.length) ep.emit('instruments', venueInstruments);
    ep.emit('venuesReady', venuesReady);
  }
});

const md = init.config.marketdata;

const venues = new VenueHost(init.config.venues, {
  onInstruments: (list) => {
    addInstruments(list);
    venueInstruments.push(...list);
    execution?.emit('instruments', list);
  },
  onTrades: (ticks) => {
    if (!ticks.length) return;
    inOrder(() => onMarketData(ticks, [], ticks.reduce((m, t) => Math.max(m, t.tsEvent), 0)));
    // The paper venue must see quotes and trades in the order the venue sent them: a batch holds
    // one run of a kind, and a change of kind ships what was buffered first.
    if (toExecution.quotes.length || toExecution.books.length) flushMarketData();
    toExecution.trades.push(...ticks);
    scheduleFlush();
  },
  onQuote: (q) => {
    applyQuote(q);
    if (toExecution.trades.length) flushMarketData();
    toExecution.quotes.push(q);
    scheduleFlush();
  },
  onBook: (b) => {
    if (toExecution.trades.length) flushMarketData();
    toExecution.books.push(b);
    scheduleFlush();
  },
  onSubscribed: (gateway, config, ids) => {
    const mine = subscribedBy.get(gateway.gatewayId) ?? new Set<string>();
    subscribedBy.set(gateway.gatewayId, mine);
    for (const id of ids) {
      streamed.add(id);
      mine.add(id);
    }
    bars?.setUniverse([...streamed]);
    services?.onSubscribed(gateway, config, ids);
  },
  onStatus: (s) => {
    venueStatus.set(s.gatewayId, s);
    services?.onStatus(s);
    rpc.emit('gateway', s);
  },
  onOrder: (accountId, order) => {
    toExecution.events.push({ event: 'venueOrder', data: { accountId, order } satisfies { accountId: string; order: Order } });
    scheduleFlush();
  },
  onFill: (accountId, fill) => {
    toExecution.events.push({ event: 'venueFill', data: { accountId, fill } satisfies { accountId: string; fill: Fill } });
    scheduleFlush();
  },
  log: (level, message) => console.error(`[${level}] ${message}`),
}, init.dataDir);
let venuesReady = init.config.venues.length === 0;
/** What each venue gateway streams now (the universe may change it daily). */
const subscribedBy = new Map<string, Set<string>>();
let services: VenueServices | null = null;

/**
 * Bars must see trades in time order: market data waits here while the Parquet store opens and
 * while the simulator's warm-up history is being taken in, then flows in arrival order.
 */
let holdMarketData = true;
const held: (() => void)[] = [];
function inOrder(fn: () => void): void {
  if (holdMarketData) held.push(fn);
  else fn();
}
function releaseMarketData(): void {
  holdMarketData = false;
  while (held.length && !holdMarketData) held.shift()!();
}

/**
 * The simulator's warm-up history goes into the bars unless this data folder already holds bars
 * for that period (a restart): then the stored history stands and the warm-up is dropped.
 */
function acceptWarmup(h: { trades: TradeTick[]; venueTimeMs: number }): void {
  const first = h.trades[0];
  if (!first || !bars) return;
  const live = bars;
  holdMarketData = true;
  void live
    .query({ instrumentId: first.instrumentId, interval: '1m', from: first.tsEvent, to: h.venueTimeMs })
    .then((stored) => {
      if (stored.length) return;
      for (let i = 0; i < h.trades.length; i += 10_000) {
        const chunk = h.trades.slice(i, i + 10_000);
        live.onTrades(chunk, chunk[chunk.length - 1]!.tsEvent);
      }
    })
    .catch((err: unknown) => console.error(`[marketdata] warm-up history not loaded: ${(err as Error).message}`))
    .finally(releaseMarketData);
}

function addInstruments(list: Instrument[]): void {
  for (const i of list) instruments.set(i.instrumentId, i);
}

function onMarketData(trades: TradeTick[], quoteTicks: QuoteTick[], venueTimeMs: number): void {
  for (const q of quoteTicks) applyQuote(q);
  for (const t of trades) {
    const row = quotes.get(t.instrumentId);
    if (row) row.last = t.price;
  }
  bars?.onTrades(trades, venueTimeMs);
  if (trades.length) rpc.emit('trades', trades);
}

function applyQuote(q: QuoteTick): void {
  const prev = quotes.get(q.instrumentId);
  quotes.set(q.instrumentId, { instrumentId: q.instrumentId, bid: q.bid, ask: q.ask, last: q.last ?? prev?.last ?? null, ts: q.tsEvent, simulated: false });
  dirty.add(q.instrumentId);
}

/** A quote row is shown once its instrument is known, so its SIMULATED flag is never a guess. */
function quoteRow(id: string): QuoteRow | null {
  const row = quotes.get(id);
  const inst = instruments.get(id);
  return row && inst ? { ...row, simulated: inst.simulated } : null;
}

/** Venue market data for the paper venue; held (in order) while the execution worker restarts. */
const heldForExecution: MarketDataBatch[] = [];
function flushMarketData(): void {
  const { trades, quotes: q, books } = toExecution;
  if (!trades.length && !q.length && !books.length) return;
  heldForExecution.push({ trades: trades.splice(0), quotes: q.splice(0), books: books.splice(0), venueTimeMs: venues.replayClock()?.nowMs() ?? Date.now() });
  // Market data older than a few seconds is worthless to a matching engine; order events are not.
  if (heldForExecution.length > 200) heldForExecution.splice(0, heldForExecution.length - 200);
}

function flushToExecution(): void {
  flushMarketData();
  if (!execution) return;
  for (const batch of heldForExecution.splice(0)) execution.emit('md', batch);
  for (const e of toExecution.events.splice(0)) execution.emit(e.event, e.data);
}

// Ship venue data to the paper venue as soon as the current burst of socket events is handled.
let flushScheduled = false;
function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    flushToExecution();
  });
}
setInterval(flushToExecution, 250);

// Forming bars change with every trade; a chart needs at most four updates a second of each.
const formingBars = new Map<string, Bar>();
setInterval(() => {
  for (const bar of formingBars.values()) rpc.emit('bar', bar);
  formingBars.clear();
}, 250);
// The UI needs at most a few quote frames per second; coalesce.
setInterval(() => {
  if (!dirty.size) return;
  const rows = [...dirty].map(quoteRow).filter((r): r is QuoteRow => r !== null);
  for (const r of rows) dirty.delete(r.instrumentId);
  if (rows.length) rpc.emit('quotes', rows);
}, 250);
setInterval(() => {
  if (simulatorRuns(init.config)) rpc.emit('gateway', simFeed.status(Date.now()));
}, 1_000);

const gatewayStatuses = (): GatewayStatus[] => [...(simulatorRuns(init.config) ? [simFeed.status(Date.now())] : []), ...venues.statuses()];

rpc.handle('instruments.list', () => [...instruments.values()]);
rpc.handle('quotes.list', () => [...quotes.keys()].map(quoteRow).filter((r): r is QuoteRow => r !== null));
rpc.handle('gateways.list', gatewayStatuses);
rpc.handle('bars.list', async (params) => {
  const q = parseOrThrow(BarsQuery, params, 'bars query');
  await whenStoreReady;
  return bars!.query(q);
});
rpc.handle('funding.list', async (params) => {
  const q = parseOrThrow(apiMethods['funding.list'].input, params, 'funding query');
  await whenStoreReady;
  if (!history) throw new KestrelError('unavailable', 'market data is not persisted (marketdata.persist is off), so there is no funding history');
  return history.store.readFunding(q);
});
rpc.handle('gw.cancelEverything', () => venues.cancelEverything());
rpc.handle('stop', async () => {
  flushToExecution();
  await services?.stop();
  await venues.stop();
  await history?.close();
});

// Parquet problems are the user's to see but must never stop the feed.
history = md.persist ? await openParquetHistory(init.dataDir, md.flushIntervalMs, (m) => console.error(`[marketdata] ${m}`)) : null;
bars = new LiveBars({
  intervals: md.intervals,
  graceMs: md.graceMs,
  barsInMemory: md.barsInMemory,
  history,
  onBar: (bar) => {
    const key = `${bar.instrumentId}|${bar.interval}`;
    if (bar.final) {
      formingBars.delete(key);
      rpc.emit('bar', bar);
    } else formingBars.set(key, bar);
  },
  onBarsComplete: (interval, openTime) => rpc.emit('barsComplete', { interval, openTime }),
});
bars.setUniverse([...streamed]);
storeReady();
releaseMarketData();
services = new VenueServices(init.config, init.dataDir, history?.store ?? null, {
  progress: (p) => rpc.emit('progress', p),
  log: (level, message) => console.error(`[${level}] ${message}`),
  universe: (gateway, config, ids) => {
    const before = [...(subscribedBy.get(gateway.gatewayId) ?? [])];
    const removed = before.filter((id) => !ids.includes(id));
    for (const id of removed) {
      streamed.delete(id);
      subscribedBy.get(gateway.gatewayId)?.delete(id);
    }
    bars?.setUniverse([...streamed]);
    void venues.follow(gateway, config, before, ids);
  },
});
await venues.start();
venuesReady = true;
(execution as RpcEndpoint | null)?.emit('venueAccounts', venues.accounts());
(execution as RpcEndpoint | null)?.emit('venuesReady', true);
