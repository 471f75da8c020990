import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ReplayVenue, type ReplayFinished } from '../../../../../main/adapters/replay/replay-venue.js';
import { HftbacktestSource } from '../../../../../main/adapters/replay/sources/hftbacktest-source.js';
import type { TradeTick } from '../../../../../shared/model/index.js';
import { fixture } from '../../../../support/paths.js';
import { FakeWall, MemorySource, settle, tradeAt } from './fake-wall.js';

const USDM = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const BTC = 'BINANCEUSDM:BTC/USDT:USDT';
const T0 = 1_723_161_600_000;

/** The recorded trades, read straight from the file without any replay code. */
function recordedTrades(): Array<{ id: string; price: number; qty: number; t: number; m: boolean }> {
  const out: Array<{ id: string; price: number; qty: number; t: number; m: boolean }> = [];
  for (const line of gunzipSync(readFileSync(USDM)).toString('utf8').split('\n')) {
    const json = line.slice(line.indexOf(' ') + 1);
    if (!json.includes('"e":"trade"')) continue;
    const d = (JSON.parse(json) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    out.push({ id: String(d.t), price: Number(d.p), qty: Number(d.q), t: d.T, m: d.m });
  }
  return out;
}

describe('ReplayVenue at maximum speed', () => {
  it('delivers exactly the recorded trades, in order, and then reports finished', async () => {
    const venue = new ReplayVenue({ sources: [new HftbacktestSource({ path: USDM, market: 'usdm', bookDepth: 0 })], speed: 'max' });
    const got: TradeTick[] = [];
    let quotes = 0;
    const finished: ReplayFinished[] = [];
    venue.setListener({ onTrades: (t) => got.push(...t), onQuote: () => (quotes += 1) });
    venue.onFinished((f) => finished.push(f));
    await venue.connect();
    await venue.subscribeTrades([BTC]);
    venue.play();
    const stats = await venue.whenFinished();

    const expected = recordedTrades();
    expect(got.length).toBe(21_313);
    expect(got.map((t) => [t.tradeId, t.price, t.quantity, t.tsEvent, t.side])).toEqual(expected.map((e) => [e.id, e.price, e.qty, e.t, e.m ? 'sell' : 'buy']));
    expect(got.every((t) => t.instrumentId === BTC)).toBe(true);
    expect(quotes).toBe(0); // not subscribed
    expect(stats).toMatchObject({ trades: 21_313, quotes: 66_089, firstTsEvent: expect.any(Number) });
    expect(finished).toEqual([{ stats, error: null }]);
    expect(venue.status().state).toBe('stopped');
    expect(venue.clock.nowMs()).toBeGreaterThanOrEqual(expected.at(-1)!.t);
  });

  it('runs scheduled callbacks at their replay time, between the events around it', async () => {
    const venue = new ReplayVenue({ sources: [new MemorySource([tradeAt(T0, 1), tradeAt(T0 + 10_000, 2), tradeAt(T0 + 20_000, 3)])], speed: 'max' });
    const seen: string[] = [];
    venue.setListener({
      onTrades: ([t]) => {
        seen.push(`trade ${t!.price} @${venue.clock.nowMs() - T0}`);
        if (t!.price === 1) venue.clock.schedule(15_000, () => seen.push(`timer @${venue.clock.nowMs() - T0}`));
      },
    });
    await venue.connect();
    await venue.subscribeTrades(['*']);
    venue.play();
    await venue.whenFinished();
    expect(seen).toEqual(['trade 1 @0', 'trade 2 @10000', 'timer @15000', 'trade 3 @20000']);
  });

  it('seek-to-start plays the recording again from its first event', async () => {
    const source = new MemorySource([tradeAt(T0, 1), tradeAt(T0 + 5, 2)]);
    const venue = new ReplayVenue({ sources: [source], speed: 'max' });
    const prices: number[] = [];
    venue.setListener({ onTrades: (t) => prices.push(...t.map((x) => x.price)) });
    await venue.connect();
    await venue.subscribeTrades(['*']);
    venue.play();
    await venue.whenFinished();
    venue.seekToStart();
    expect(venue.clock.nowMs()).toBe(0);
    expect(venue.playback().state).toBe('idle');
    venue.play();
    await venue.whenFinished();
    expect(prices).toEqual([1, 2, 1, 2]);
    expect(source.opened).toBe(2);
  });

  it('merges several recordings by venue time', async () => {
    const a = new MemorySource([tradeAt(T0, 1), tradeAt(T0 + 30, 3)]);
    const b = new MemorySource([tradeAt(T0 + 10, 2), tradeAt(T0 + 40, 4)]);
    const venue = new ReplayVenue({ sources: [a, b], speed: 'max' });
    const prices: number[] = [];
    venue.setListener({ onTrades: (t) => prices.push(...t.map((x) => x.price)) });
    await venue.connect();
    await venue.subscribeTrades(['*']);
    venue.play();
    await venue.whenFinished();
    expect(prices).toEqual([1, 2, 3, 4]);
  });

  it('a file it cannot read ends playback with an error naming the file and line', async () => {
    const venue = new ReplayVenue({ sources: [new HftbacktestSource({ path: fixture('cryptofeed-recordings', 'BINANCE_FUTURES.ws.1.0'), market: 'usdm' })], speed: 'max' });
    await venue.connect();
    venue.play();
    await expect(venue.whenFinished()).rejects.toThrow(/BINANCE_FUTURES\.ws\.1\.0 line 1: expected "<local_ns> <json>"/);
    expect(venue.status()).toMatchObject({ state: 'error', lastError: expect.stringMatching(/line 1/) });
  });

  it('refuses orders: a recording has no matching engine', async () => {
    const venue = new ReplayVenue({ sources: [new MemorySource([])] });
    await expect(venue.submitOrder('x', { instrumentId: BTC, side: 'buy', type: 'market', quantity: 1 })).rejects.toThrow(/only plays recorded market data/);
    await expect(venue.cancelAllOrders()).resolves.toBeUndefined();
    expect(() => new ReplayVenue({ sources: [new MemorySource([])], speed: 0 })).toThrow(/speed/);
    expect(() => new ReplayVenue({ sources: [] })).toThrow(/at least one source/);
  });
});

describe('ReplayVenue paced by the wall clock', () => {
  const events = [tradeAt(T0, 1), tradeAt(T0 + 10_000, 2), tradeAt(T0 + 20_000, 3)];

  async function pacedVenue(speed: number) {
    const wall = new FakeWall();
    const venue = new ReplayVenue({ sources: [new MemorySource(events)], speed, wallTimers: wall });
    const delivered: number[] = [];
    venue.setListener({ onTrades: (t) => delivered.push(...t.map((x) => x.price)) });
    await venue.connect();
    await venue.subscribeTrades(['*']);
    venue.play();
    await settle();
    return { wall, venue, delivered };
  }

  it('at 10× the replay clock advances ten times as fast as the wall clock', async () => {
    const { wall, venue, delivered } = await pacedVenue(10);
    expect(delivered).toEqual([1]);
    expect(venue.clock.nowMs()).toBe(T0);
    await wall.advance(300);
    expect(venue.clock.nowMs()).toBe(T0 + 3_000);
    expect(delivered).toEqual([1]);
    await wall.advance(700);
    expect(venue.clock.nowMs()).toBe(T0 + 10_000);
    expect(delivered).toEqual([1, 2]);
    await wall.advance(999);
    expect(delivered).toEqual([1, 2]);
    expect(venue.clock.nowMs()).toBe(T0 + 19_990);
    await wall.advance(1);
    expect(delivered).toEqual([1, 2, 3]);
    await venue.whenFinished();
  });

  it('at 1× it follows the wall clock', async () => {
    const { wall, venue, delivered } = await pacedVenue(1);
    await wall.advance(9_999);
    expect(venue.clock.nowMs()).toBe(T0 + 9_999);
    expect(delivered).toEqual([1]);
    await wall.advance(1);
    expect(delivered).toEqual([1, 2]);
  });

  it('pause freezes the replay clock; resume carries on without a burst', async () => {
    const { wall, venue, delivered } = await pacedVenue(10);
    await wall.advance(500);
    venue.pause();
    await wall.advance(60_000);
    expect(venue.clock.nowMs()).toBe(T0 + 5_000);
    expect(delivered).toEqual([1]);
    venue.resume();
    await wall.advance(499);
    expect(venue.clock.nowMs()).toBe(T0 + 9_990);
    expect(delivered).toEqual([1]);
    await wall.advance(1);
    expect(delivered).toEqual([1, 2]);
  });

  it('a change of speed applies from the current replay time on', async () => {
    const { wall, venue } = await pacedVenue(1);
    await wall.advance(2_000);
    venue.setSpeed(4);
    await wall.advance(1_000);
    expect(venue.clock.nowMs()).toBe(T0 + 6_000);
  });

  it('a callback scheduled during a long wait wakes the replay at its own time', async () => {
    const { wall, venue } = await pacedVenue(2);
    let firedAt: number | null = null;
    venue.clock.schedule(3_000, () => (firedAt = venue.clock.nowMs()));
    await wall.advance(1_499);
    expect(firedAt).toBeNull();
    await wall.advance(1);
    expect(firedAt).toBe(T0 + 3_000);
  });
});
