import type { MessagePort } from 'node:worker_threads';
import type { Instrument, QuoteTick } from '../../shared/model/index.js';
import type { QuoteRow } from '../../shared/api/contract.js';
import { BarsQuery } from '../../shared/api/contract.js';
import { parseOrThrow } from '../../shared/api/errors.js';
import { FeedHealth } from '../marketdata/feed-health.js';
import { LiveBars } from '../marketdata/live-bars.js';
import { RpcEndpoint } from './rpc.js';
import { workerHost, type MarketDataBatch } from './host.js';

// Gateways/market-data worker: owns the feeds, the latest quotes, live bars and history writes.
const instruments = new Map<string, Instrument>();
const quotes = new Map<string, QuoteRow>();
const dirty = new Set<string>();
const feed = new FeedHealth('SIM', 'SIM', true);
let simulator: RpcEndpoint | null = null;

const { rpc, init } = workerHost((peer, port: MessagePort) => {
  if (peer !== 'simulator') return;
  simulator?.close();
  const ep = new RpcEndpoint(port);
  simulator = ep;
  ep.onEvent((event, data) => {
    if (event === 'md') onBatch(data as MarketDataBatch);
  });
  void ep.call<Instrument[]>('instruments').then((list) => {
    for (const i of list) instruments.set(i.instrumentId, i);
    bars.setUniverse([...instruments.keys()]);
  });
});

const bars = new LiveBars({
  intervals: init.config.marketdata.intervals,
  graceMs: init.config.marketdata.graceMs,
  barsInMemory: init.config.marketdata.barsInMemory,
  history: null,
  onBar: (bar) => rpc.emit('bar', bar),
});

function onBatch(batch: MarketDataBatch): void {
  feed.onMessages(batch.trades.length + batch.quotes.length, Date.now());
  for (const q of batch.quotes) applyQuote(q);
  for (const t of batch.trades) {
    const row = quotes.get(t.instrumentId);
    if (row) row.last = t.price;
  }
  bars.onTrades(batch.trades, batch.venueTimeMs);
  if (batch.trades.length) rpc.emit('trades', batch.trades);
}

function applyQuote(q: QuoteTick): void {
  const inst = instruments.get(q.instrumentId);
  const prev = quotes.get(q.instrumentId);
  quotes.set(q.instrumentId, {
    instrumentId: q.instrumentId,
    bid: q.bid,
    ask: q.ask,
    last: q.last ?? prev?.last ?? null,
    ts: q.tsEvent,
    simulated: inst?.simulated ?? false,
  });
  dirty.add(q.instrumentId);
}

// The UI needs at most a few quote frames per second; coalesce.
setInterval(() => {
  if (!dirty.size) return;
  const rows = [...dirty].map((id) => quotes.get(id)!).filter(Boolean);
  dirty.clear();
  rpc.emit('quotes', rows);
}, 250);
setInterval(() => rpc.emit('gateway', feed.status(Date.now())), 1_000);

rpc.handle('instruments.list', () => [...instruments.values()]);
rpc.handle('quotes.list', () => [...quotes.values()]);
rpc.handle('gateways.list', () => [feed.status(Date.now())]);
rpc.handle('bars.list', async (params) => {
  const q = parseOrThrow(BarsQuery, params, 'bars query');
  return bars.query(q);
});
rpc.handle('stop', () => undefined);
