import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PaperVenue } from '../../../../../main/adapters/paper/paper-venue.js';
import type { Fill, Instrument, OrderSide } from '../../../../../shared/model/index.js';
import { fixture } from '../../../../support/paths.js';

/**
 * Real Binance USDⓈ-M BTCUSDT frames (hftbacktest recording, 2024-08-08 23:54–23:59 UTC): trades and
 * bookTicker only, as a live session without L2 depth would feed the paper venue.
 */
const FILE = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');

const BTCUSDT: Instrument = {
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

type Frame =
  | { kind: 'trade'; t: number; id: number; price: number; qty: number; buyerIsMaker: boolean }
  | { kind: 'quote'; t: number; bid: number; bidQty: number; ask: number; askQty: number };

let frames: Frame[] = [];

beforeAll(() => {
  const text = gunzipSync(readFileSync(FILE)).toString('utf8');
  for (const line of text.split('\n')) {
    const json = line.slice(line.indexOf(' ') + 1);
    if (!json.startsWith('{"stream"')) continue;
    const { data: d } = JSON.parse(json) as { data: Record<string, string | number | boolean> };
    if (d.e === 'trade') frames.push({ kind: 'trade', t: d.T as number, id: d.t as number, price: Number(d.p), qty: Number(d.q), buyerIsMaker: d.m as boolean });
    else if (d.e === 'bookTicker') frames.push({ kind: 'quote', t: d.T as number, bid: Number(d.b), bidQty: Number(d.B), ask: Number(d.a), askQty: Number(d.A) });
  }
});

interface Scenario {
  side: OrderSide;
  /** Ticks from the touch: 0 joins the best bid/ask, positive is further from the market. */
  ticksAway: number;
  quantity: number;
  /** Exchange ms after the first frame at which the order is placed. */
  placeAfterMs: number;
}

/** Drive a paper venue with the recording; place one resting limit order part-way through. */
async function replayWithOrder(s: Scenario) {
  const clock = { now: 0, nowMs(): number { return this.now; } };
  const venue = new PaperVenue({ clock, instruments: [BTCUSDT], config: { fees: { default: { makerBps: 2, takerBps: 5 }, venues: {} } } });
  const fills: Fill[] = [];
  venue.setListener({ onFill: (f) => fills.push(f) });
  await venue.connect();
  const start = frames[0]!.t;
  let placed: { index: number; price: number; queue: number } | null = null;
  let ack: Promise<unknown> | null = null;
  for (const [index, f] of frames.entries()) {
    clock.now = Math.max(clock.now, f.t);
    if (f.kind === 'quote') {
      venue.onQuote({ instrumentId: BTCUSDT.instrumentId, bid: f.bid, bidSize: f.bidQty, ask: f.ask, askSize: f.askQty, tsEvent: f.t, tsInit: f.t });
      if (!placed && f.t - start >= s.placeAfterMs) {
        const touch = s.side === 'buy' ? f.bid : f.ask;
        const price = Number((touch + (s.side === 'buy' ? -1 : 1) * s.ticksAway * BTCUSDT.tickSize).toFixed(1));
        placed = { index, price, queue: s.ticksAway === 0 ? (s.side === 'buy' ? f.bidQty : f.askQty) : 0 };
        ack = venue.submitOrder('real', { instrumentId: BTCUSDT.instrumentId, side: s.side, type: 'limit', price, quantity: s.quantity });
      }
    } else {
      venue.onTrade({ instrumentId: BTCUSDT.instrumentId, tradeId: String(f.id), price: f.price, quantity: f.qty, side: f.buyerIsMaker ? 'sell' : 'buy', tsEvent: f.t, tsInit: f.t });
    }
  }
  await ack;
  return { fills, placed: placed! };
}

/**
 * The documented rule, computed straight from the recorded prints: a print through the limit fills
 * min(remaining, print size); a print at the limit first eats the size that was displayed ahead.
 */
function expectedFills(s: Scenario, placed: { index: number; price: number; queue: number }): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let queue = placed.queue;
  let remaining = Math.round(s.quantity * 1000);
  for (const f of frames.slice(placed.index + 1)) {
    if (remaining === 0) break;
    if (f.kind !== 'trade') continue;
    const qtyLots = Math.round(f.qty * 1000);
    const through = s.side === 'buy' ? f.price < placed.price - 0.05 : f.price > placed.price + 0.05;
    const at = Math.abs(f.price - placed.price) < 0.05;
    let lots = 0;
    if (through) lots = Math.min(remaining, qtyLots);
    else if (at) {
      const eaten = Math.min(queue, f.qty);
      queue -= eaten;
      lots = Math.min(remaining, Math.round((f.qty - eaten) * 1000));
    }
    if (lots > 0) {
      out.push([f.t, placed.price, lots / 1000]);
      remaining -= lots;
    }
  }
  return out;
}

describe('PaperVenue on real Binance USDⓈ-M BTCUSDT trades and bookTicker', () => {
  it('the recording is what the test assumes: prices on the 0.1 tick grid, quantities in 0.001 lots', () => {
    expect(frames.filter((f) => f.kind === 'trade').length).toBe(21_313);
    expect(frames.filter((f) => f.kind === 'quote').length).toBe(66_089);
    for (const f of frames) {
      if (f.kind === 'trade') {
        expect(Math.abs(f.price * 10 - Math.round(f.price * 10))).toBeLessThan(1e-6);
        expect(Math.abs(f.qty * 1000 - Math.round(f.qty * 1000))).toBeLessThan(1e-6);
      }
    }
  });

  const scenarios: Array<[string, Scenario]> = [
    ['a buy joining the best bid waits for the displayed queue, then fills', { side: 'buy', ticksAway: 0, quantity: 0.5, placeAfterMs: 30_000 }],
    ['a buy 20 ticks under the bid fills on the first print through or at it', { side: 'buy', ticksAway: 20, quantity: 0.2, placeAfterMs: 90_000 }],
    ['a sell joining the best ask waits for the displayed queue, then fills', { side: 'sell', ticksAway: 0, quantity: 0.3, placeAfterMs: 150_000 }],
    ['a sell 50 ticks over the ask fills when the recorded prints reach it', { side: 'sell', ticksAway: 50, quantity: 0.25, placeAfterMs: 200_000 }],
  ];

  it.each(scenarios)('%s', async (_name, scenario) => {
    const { fills, placed } = await replayWithOrder(scenario);
    const expected = expectedFills(scenario, placed);
    expect(expected.length, 'the scenario must actually cross in the recording').toBeGreaterThan(0);
    expect(fills.map((f) => [f.tsEvent, f.price, f.quantity])).toEqual(expected);
    expect(fills.every((f) => f.liquidity === 'maker' && f.fee === (f.quantity * f.price * 2) / 10_000)).toBe(true);
  });

  it('the queue matters on this data: joining the bid fills later than the first print at its price', async () => {
    const scenario: Scenario = { side: 'buy', ticksAway: 0, quantity: 0.5, placeAfterMs: 30_000 };
    const { fills, placed } = await replayWithOrder(scenario);
    const firstTouch = frames.slice(placed.index + 1).find((f) => f.kind === 'trade' && f.price <= placed.price + 0.05);
    expect(placed.queue).toBeGreaterThan(0);
    expect(fills[0]!.tsEvent).toBeGreaterThan(firstTouch!.t);
  });
});
