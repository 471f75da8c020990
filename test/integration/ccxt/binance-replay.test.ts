import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TradeTick } from '../../../shared/model/index.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { startHarness, waitFor, type Harness } from './gateway-harness.js';

/**
 * Real Binance websocket frames (hftbacktest, 2024-08-08) replayed to ccxt.pro through the fake
 * venue; what the gateway emits must equal the recording.
 */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const SPOT = readHftbacktest('hftbacktest-binance-ws', 'spot_btcusdt_20240808.gz');
const isTrade = (f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade';
const isBookTicker = (f: RecordedFrame) => (f.json['stream'] as string | undefined)?.endsWith('@bookTicker') === true;
const isDepth = (f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'depthUpdate';

/** The trade ticks the recording says happened, built independently of the adapter. */
function expectedTicks(frames: RecordedFrame[], instrumentId: string): Array<Omit<TradeTick, 'tsInit'>> {
  return frames.filter(isTrade).map((f) => {
    const d = f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean };
    return { instrumentId, tradeId: String(d.t), price: Number(d.p), quantity: Number(d.q), side: d.m ? 'sell' : 'buy', tsEvent: d.T };
  });
}

const strip = (t: TradeTick) => ({ instrumentId: t.instrumentId, tradeId: t.tradeId, price: t.price, quantity: t.quantity, side: t.side, tsEvent: t.tsEvent });

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

describe('Binance USDⓈ-M trades across a dropped websocket', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('reconnects, resubscribes and backfills over REST: every recorded trade once, in order', async () => {
    let sim!: BinanceSim;
    h = await startHarness('binanceusdm', {}, { credentials: { apiKey: 'replay-key-0001', secret: 'replay-secret-0001' } }, (s) => {
      sim = new BinanceSim(s, USDM, 'usdm');
    });
    const id = 'BINANCEUSDM:BTC/USDT:USDT';
    await h.gateway.connect();
    await h.gateway.subscribeTrades([id]);
    await h.server.waitForTopic('btcusdt@trade');

    const recorded = sim.recordedTradeIds();
    const dropAt = sim.indexOfTrade(8_000);
    const resumeAt = sim.indexOfTrade(11_500);
    await sim.play(dropAt, { only: isTrade });
    await waitFor(() => h.rec.trades.length >= 7_000, 10_000, 'the first part of the replay');
    h.server.dropAll();
    // 3,500 trades happen while the socket is down: the venue knows them, the client does not.
    sim.skip(resumeAt);
    await h.server.waitForConnections(2);
    await h.server.waitForTopic('btcusdt@trade');
    await sim.play(USDM.length, { only: isTrade });
    await waitFor(() => h.rec.trades.at(-1)?.tradeId === recorded.at(-1), 20_000, 'the last recorded trade');
    await h.gateway.whenIdle();

    expect(h.rec.trades.map((t) => t.tradeId)).toEqual(recorded);
    expect(h.rec.trades.map(strip)).toEqual(expectedTicks(USDM, id));
    const status = h.gateway.status();
    expect(status.reconnectCount).toBe(1);
    expect(status.state).toBe('connected');
    const subscribes = h.server.wsReceived.filter((m) => m.text.includes('SUBSCRIBE') && m.text.includes('btcusdt@trade'));
    expect(subscribes).toHaveLength(2);
    // The gap was fetched by id (contiguous trade ids), in pages of at most 1000, with the API key.
    const rest = h.server.requestsTo('/fapi/v1/historicalTrades', 'GET');
    expect(rest.length).toBeGreaterThanOrEqual(4);
    const firstFrom = rest[0]!.query.get('fromId')!;
    expect(recorded).toContain(String(BigInt(firstFrom) - 1n));
    expect(recorded.indexOf(firstFrom)).toBeLessThanOrEqual(8_000);
    expect(rest.every((r) => r.headers['x-mbx-apikey'] === 'replay-key-0001')).toBe(true);
  });
});

describe('Binance USDⓈ-M book and top of book', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('builds the L2 book from the recorded snapshot and depth diffs, as an independent book builder does', async () => {
    let sim!: BinanceSim;
    h = await startHarness('binanceusdm', {}, {}, (s) => {
      sim = new BinanceSim(s, USDM, 'usdm');
    });
    const id = 'BINANCEUSDM:BTC/USDT:USDT';
    await h.gateway.connect();
    await h.gateway.subscribeBook([id], 20);
    await h.server.waitForTopic('btcusdt@depth');
    const frames = USDM.slice(0, 1500);
    await sim.play(1500, { only: isDepth });
    await waitFor(() => h.server.requestsTo('/fapi/v1/depth').length > 0, 5000, 'the REST snapshot');

    // Oracle: Binance's documented rule — start from the snapshot, drop diffs with u < lastUpdateId, apply the rest.
    const snap = USDM.find((f) => 'lastUpdateId' in f.json)!.json as { lastUpdateId: number; bids: string[][]; asks: string[][] };
    const bids = new Map(snap.bids.map(([p, q]) => [Number(p), Number(q)]));
    const asks = new Map(snap.asks.map(([p, q]) => [Number(p), Number(q)]));
    let lastDiff: { u: number } | null = null;
    for (const f of frames.filter(isDepth)) {
      const d = f.json['data'] as { u: number; b: string[][]; a: string[][] };
      if (d.u < snap.lastUpdateId) continue;
      for (const [side, levels] of [[bids, d.b], [asks, d.a]] as const) {
        for (const [p, q] of levels) {
          if (Number(q) === 0) side.delete(Number(p));
          else side.set(Number(p), Number(q));
        }
      }
      lastDiff = d;
    }
    expect(lastDiff).not.toBeNull();
    const top = (m: Map<number, number>, desc: boolean) =>
      [...m.entries()].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).slice(0, 20);
    await waitFor(() => h.rec.books.at(-1)?.sequence === lastDiff!.u, 10_000, 'the book at the last replayed diff');
    const book = h.rec.books.at(-1)!;
    expect(book.instrumentId).toBe(id);
    expect(book.bids).toEqual(top(bids, true));
    expect(book.asks).toEqual(top(asks, false));
  });

  it('turns bookTicker frames into quotes that follow the recording', async () => {
    let sim!: BinanceSim;
    h = await startHarness('binanceusdm', {}, {}, (s) => {
      sim = new BinanceSim(s, USDM, 'usdm');
    });
    await h.gateway.connect();
    await h.gateway.subscribeQuotes(['BINANCEUSDM:BTC/USDT:USDT']);
    await h.server.waitForTopic('btcusdt@bookTicker');
    const frames = USDM.slice(0, 3000).filter(isBookTicker);
    await sim.play(3000, { only: isBookTicker });
    // ccxt stamps a bookTicker quote with its event time E (Binance also sends the match time T).
    const last = frames.at(-1)!.json['data'] as { b: string; B: string; a: string; A: string; E: number };
    await waitFor(() => h.rec.quotes.at(-1)?.tsEvent === last.E && h.rec.quotes.at(-1)?.askSize === Number(last.A), 10_000, 'the last quote');
    expect(h.rec.quotes.at(-1)).toMatchObject({ bid: Number(last.b), bidSize: Number(last.B), ask: Number(last.a), askSize: Number(last.A) });
    // ccxt keeps the latest quote per symbol, so a burst may coalesce: every quote seen is a recorded one, in order.
    const recordedQuotes = frames.map((f) => {
      const d = f.json['data'] as { b: string; B: string; a: string; A: string; E: number };
      return `${d.E}|${d.b}|${d.B}|${d.a}|${d.A}`;
    });
    let at = 0;
    for (const q of h.rec.quotes) {
      const key = `${q.tsEvent}|${q.bid}|${q.bidSize}|${q.ask}|${q.askSize}`;
      const found = recordedQuotes.findIndex((r, i) => i >= at && r.split('|').map(Number).join('|') === key);
      expect(found, `quote ${key} is in the recording after position ${at}`).toBeGreaterThanOrEqual(at);
      at = found;
    }
    // One quote (the latest) per burst of frames ccxt reads in one go: the replay sends bursts of 50.
    expect(h.rec.quotes.length).toBeGreaterThanOrEqual(Math.floor(frames.length / 50) - 1);
  });
});

describe('Binance spot trades', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('replays the recorded spot @trade frames on a "/stream" socket: every trade once', async () => {
    let sim!: BinanceSim;
    h = await startHarness('binance', {}, {}, (s) => {
      sim = new BinanceSim(s, SPOT, 'spot');
    });
    const id = 'BINANCE:BTC/USDT';
    await h.gateway.connect();
    await h.gateway.subscribeTrades([id]);
    await h.server.waitForTopic('btcusdt@trade');
    expect([...h.server.connections].every((c) => c.path.startsWith('/stream/'))).toBe(true);
    await sim.play(SPOT.length, { only: isTrade });
    const recorded = sim.recordedTradeIds();
    await waitFor(() => h.rec.trades.at(-1)?.tradeId === recorded.at(-1), 20_000, 'the last spot trade');
    await h.gateway.whenIdle();
    expect(h.rec.trades.map(strip)).toEqual(expectedTicks(SPOT, id));
  });
});
