import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PaperVenue, type PaperOrderAck } from '../../../main/adapters/paper/paper-venue.js';
import { ReplayVenue } from '../../../main/adapters/replay/replay-venue.js';
import { HftbacktestSource } from '../../../main/adapters/replay/sources/hftbacktest-source.js';
import type { Fill, Instrument, OrderBook } from '../../../shared/model/index.js';
import { fixture } from '../../support/paths.js';

/**
 * The paper venue hosted the way the execution worker hosts it, driven by the replay venue on the
 * real Binance USDⓈ-M BTCUSDT recording: replay clock as the paper clock and latency scheduler.
 */
const FILE = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const BTC: Instrument = {
  instrumentId: 'BINANCEUSDM:BTC/USDT:USDT',
  venue: 'BINANCEUSDM',
  symbol: 'BTC/USDT:USDT',
  kind: 'perp',
  base: 'BTC',
  quote: 'USDT',
  settle: 'USDT',
  tickSize: 0.1,
  lotSize: 0.001,
  minNotional: 5,
  multiplier: 1,
  simulated: false,
  active: true,
};
const LATENCY_MS = 25;

function wire(bookDepth: number) {
  const replay = new ReplayVenue({ sources: [new HftbacktestSource({ path: FILE, market: 'usdm', bookDepth })], speed: 'max', instruments: [BTC] });
  const paper = new PaperVenue({
    clock: replay.clock,
    scheduler: replay.clock,
    instruments: [BTC],
    config: { accounts: [{ accountId: 'paper', cash: { USDT: 1_000_000 } }], latency: { submitMs: LATENCY_MS, cancelMs: LATENCY_MS } },
  });
  const fills: Fill[] = [];
  paper.setListener({ onFill: (f) => fills.push(f) });
  return { replay, paper, fills, feed: paper.marketDataListener() };
}

describe('PaperVenue driven by ReplayVenue on real data', () => {
  it('fills a resting limit order exactly when the recorded trades cross it, after the order latency', async () => {
    const { replay, paper, fills, feed } = wire(0);
    let startMs: number | null = null;
    let placed: { submitMs: number; price: number } | null = null;
    let ack: Promise<PaperOrderAck> | null = null;
    replay.setListener({
      onTrades: (t) => feed.onTrades!(t),
      onQuote: (q) => {
        feed.onQuote!(q);
        startMs ??= replay.clock.nowMs();
        if (!placed && replay.clock.nowMs() - startMs >= 120_000) {
          const price = Number((q.bid - 10 * BTC.tickSize).toFixed(1));
          placed = { submitMs: replay.clock.nowMs(), price };
          ack = paper.submitOrder('rest-1', { instrumentId: BTC.instrumentId, side: 'buy', type: 'limit', price, quantity: 0.4 });
        }
      },
    });
    await replay.connect();
    await paper.connect();
    await replay.subscribeTrades([BTC.instrumentId]);
    await replay.subscribeQuotes([BTC.instrumentId]);
    replay.play();
    await replay.whenFinished();
    expect((await ack!).status).toBe('open');

    // The same timeline rebuilt from the raw file: clock = running max of venue time over trades and
    // bookTicker frames in file order; the order arrives before the first frame at or after submit + latency.
    const { submitMs, price } = placed!;
    let clock = 0;
    let arrived = false;
    let remaining = 400; // lots of 0.001
    let lastQuote: { b: number; a: number } | null = null;
    const expected: Array<[number, number, number]> = [];
    for (const line of gunzipSync(readFileSync(FILE)).toString('utf8').split('\n')) {
      const json = line.slice(line.indexOf(' ') + 1);
      const isTrade = json.includes('"e":"trade"');
      if (!isTrade && !json.includes('"e":"bookTicker"')) continue;
      const d = (JSON.parse(json) as { data: { T: number; p: string; q: string; b: string; a: string } }).data;
      clock = Math.max(clock, d.T);
      if (!arrived && clock >= submitMs + LATENCY_MS) {
        arrived = true;
        // Far enough from the touch that nothing is displayed ahead and it does not cross on arrival.
        expect(lastQuote!.b).toBeGreaterThan(price);
      }
      if (!isTrade) {
        lastQuote = { b: Number(d.b), a: Number(d.a) };
        continue;
      }
      if (!arrived || remaining === 0) continue;
      const tradePrice = Number(d.p);
      if (tradePrice > price + 0.05) continue;
      const lots = Math.min(remaining, Math.round(Number(d.q) * 1000));
      remaining -= lots;
      expected.push([clock, price, lots / 1000]);
    }
    expect(expected.length).toBeGreaterThan(1);
    expect(fills.map((f) => [f.tsEvent, f.price, f.quantity])).toEqual(expected);
    expect(fills.every((f) => f.liquidity === 'maker' && f.clientOrderId === 'rest-1')).toBe(true);
    const [position] = await paper.fetchPositions();
    expect(position).toMatchObject({ instrumentId: BTC.instrumentId, quantity: expected.reduce((s, e) => s + e[2], 0) });
  });

  it('a market order walks the replayed L2 book built from depth diffs and fills only at levels it showed', async () => {
    const { replay, paper, fills, feed } = wire(100);
    let startMs: number | null = null;
    let submitMs: number | null = null;
    let quantity = 0;
    const delivered: Array<{ atMs: number; book: OrderBook }> = [];
    let ack: Promise<PaperOrderAck> | null = null;
    replay.setListener({
      onBook: (b) => {
        feed.onBook!(b);
        delivered.push({ atMs: replay.clock.nowMs(), book: b });
        startMs ??= replay.clock.nowMs();
        if (!ack && replay.clock.nowMs() - startMs >= 200_000) {
          submitMs = replay.clock.nowMs();
          // Enough to eat about three and a half levels of the book as it stands.
          const [l1, l2, l3, l4] = b.asks.map(([, size]) => size);
          quantity = Math.round((l1! + l2! + l3! + l4! / 2) * 1000) / 1000;
          ack = paper.submitOrder('walk-1', { instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity });
        }
      },
    });
    await replay.connect();
    await paper.connect();
    await replay.subscribeBook([BTC.instrumentId]);
    replay.play();
    await replay.whenFinished();
    expect((await ack!).status).toBe('filled');

    // The order reaches the engine LATENCY_MS after it was sent, before any event recorded at or after
    // that time: it meets the last book delivered before then.
    const arrivalMs = submitMs! + LATENCY_MS;
    const bookAtArrival = delivered.filter((d) => d.atMs < arrivalMs).at(-1)!.book;
    expect(fills.every((f) => f.tsEvent === Math.floor(arrivalMs))).toBe(true);
    const asks = bookAtArrival.asks;
    expect(fills.length).toBeGreaterThan(1);
    expect(fills[0]!.price).toBe(asks[0]![0]);
    const takenAt = new Map<number, number>();
    for (const f of fills) takenAt.set(f.price, (takenAt.get(f.price) ?? 0) + f.quantity);
    for (const [p, q] of takenAt) {
      const level = asks.find(([price]) => price === p);
      expect(level, `fill at ${p} must be a level of the book`).toBeDefined();
      expect(q).toBeLessThanOrEqual(level![1] + 1e-9);
    }
    // Walking in order: every level below the last one used was taken whole.
    const used = [...takenAt.keys()].sort((a, b) => a - b);
    for (const [p, size] of asks.filter(([price]) => price < used.at(-1)!)) expect(takenAt.get(p)).toBeCloseTo(size, 9);
    expect(fills.reduce((s, f) => s + f.quantity, 0)).toBeCloseTo(quantity, 9);
  });
});
