import type { MessagePort } from 'node:worker_threads';
import type { Instrument, QuoteTick } from '../../shared/model/index.js';
import type { QuoteRow } from '../../shared/api/contract.js';
import { BarsQuery } from '../../shared/api/contract.js';
import { parseOrThrow } from '../../shared/api/errors.js';
import { FeedHealth } from '../marketdata/feed-health.js';
import { LiveBars } from '../marketdata/live-bars.js';
import { openParquetHistory } from './parquet-history.js';
import { RpcEndpoint } from './rpc.js';
import { workerHost, type MarketDataBatch } from './host.js';

// Gateways/market-data worker: owns the feeds, the latest quotes, live bars and history writes.
const instruments = new Map<string, Instrument>();
const quotes = new Map<string, QuoteRow>();
const dirty = new Set<string>();
const feed = new FeedHealth('SIM', 'SIM', true);
let simulator: RpcEndpoint | null = null;
// Created once the Parquet store is open; until then trades only update quotes.
let bars: LiveBars | null = null;

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
    bars?.setUniverse([...instruments.keys()]);
  });
});

function onBatch(batch: MarketDataBatch): void {
  feed.onMessages(batch.trades.length + batch.quotes.length, Date.now());
  for (const q of batch.quotes) applyQuote(q);
  for (const t of batch.trades) {
    const row = quotes.get(t.instrumentId);
    if (row) row.last = t.price;
  }
  bars?.onTrades(batch.trades, batch.venueTimeMs);
  if (batch.trades.length) rpc.emit('trades', batch.trades);
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

// The UI needs at most a few quote frames per second; coalesce.
setInterval(() => {
  if (!dirty.size) return;
  const rows = [...dirty].map(quoteRow).filter((r): r is QuoteRow => r !== null);
  for (const r of rows) dirty.delete(r.instrumentId);
  if (!rows.length) return;
  rpc.emit('quotes', rows);
}, 250);
setInterval(() => rpc.emit('gateway', feed.status(Date.now())), 1_000);

rpc.handle('instruments.list', () => [...instruments.values()]);
rpc.handle('quotes.list', () => [...quotes.keys()].map(quoteRow).filter((r): r is QuoteRow => r !== null));
rpc.handle('gateways.list', () => [feed.status(Date.now())]);
rpc.handle('bars.list', async (params) => {
  const q = parseOrThrow(BarsQuery, params, 'bars query');
  return bars ? bars.query(q) : [];
});
rpc.handle('stop', async () => {
  await history?.close();
});

const md = init.config.marketdata;
// Parquet problems are the user's to see but must never stop the feed.
const history = md.persist ? await openParquetHistory(init.dataDir, md.flushIntervalMs, (m) => console.error(`[marketdata] ${m}`)) : null;
bars = new LiveBars({
  intervals: md.intervals,
  graceMs: md.graceMs,
  barsInMemory: md.barsInMemory,
  history,
  onBar: (bar) => rpc.emit('bar', bar),
});
bars.setUniverse([...instruments.keys()]);
