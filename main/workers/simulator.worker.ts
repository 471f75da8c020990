import type { MessagePort } from 'node:worker_threads';
import type { TradeTick } from '../../shared/model/index.js';
import { MarketSimulator } from '../adapters/simulator/market-simulator.js';
import { RpcEndpoint } from './rpc.js';
import { workerHost, type MarketDataBatch } from './host.js';

// The built-in market: runs in its own thread so a busy core never slows the tape.
const subscribers = new Map<string, MessagePort>();
const { rpc, init } = workerHost((peer, port) => {
  subscribers.get(peer)?.close();
  subscribers.set(peer, port);
  // Consumers ask the simulator for its instruments on the same direct port.
  new RpcEndpoint(port).handle('instruments', () => sim.instruments());
  if (peer === 'marketdata' && history.length) {
    port.postMessage({ t: 'evt', event: 'history', data: { trades: history.splice(0), venueTimeMs: startMs } });
  }
  port.on('close', () => {
    if (subscribers.get(peer) === port) subscribers.delete(peer);
  });
});

const cfg = init.config.simulator;
const sim = new MarketSimulator(cfg.instruments, cfg.seed ?? (Date.now() & 0x7fffffff));

// Walk the market through the warm-up period in one-second steps before going live, so a new
// session opens with charts full of candles. Consumers decide whether they want it.
const startMs = Date.now();
const history: TradeTick[] = [];
for (let t = startMs - cfg.warmupMinutes * 60_000; t < startMs; t += 1_000) history.push(...sim.step(t).trades);
rpc.handle('instruments', () => sim.instruments());

let published = 0;
const timer = setInterval(() => {
  const now = Date.now();
  const step = sim.step(now);
  const batch: MarketDataBatch = { trades: step.trades, quotes: step.quotes, venueTimeMs: now };
  for (const port of subscribers.values()) port.postMessage({ t: 'evt', event: 'md', data: batch });
  published += step.trades.length + step.quotes.length;
}, cfg.tickIntervalMs);
rpc.handle('stats', () => ({ published, subscribers: [...subscribers.keys()] }));
rpc.handle('stop', () => clearInterval(timer));
