import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readCryptofeedWs, readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { replayFrames } from '../../fakes/exchange/ws-protocols.js';
import { startHarness, waitFor, type Harness } from './gateway-harness.js';

/**
 * Real websocket sessions of OKX (cryptofeed, 2022-05-13), Gate USDT futures (cryptofeed,
 * 2023-05-24) and Hyperliquid (hftbacktest, 2025-01-26) replayed through the fake venue to
 * ccxt.pro; the gateway's trades, books and quotes are checked against the recordings.
 */

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

type Book = { bids: Map<number, number>; asks: Map<number, number> };
const top = (m: Map<number, number>, desc: boolean, n: number) => [...m.entries()].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).slice(0, n);

describe('OKX v5 public streams (BTC-USDT)', () => {
  let h: Harness;
  afterEach(async () => h?.close());
  const frames = readCryptofeedWs('OKX.ws.1.0').filter((f) => (f.json['arg'] as { instId?: string } | undefined)?.instId === 'BTC-USDT' && 'data' in f.json);
  const of = (channel: string) => frames.filter((f) => (f.json['arg'] as { channel: string }).channel === channel);

  it('trades, L2 book (checksummed updates) and tickers equal the recording', async () => {
    h = await startHarness('okx');
    const id = 'OKX:BTC/USDT';
    await h.gateway.connect();
    await h.gateway.subscribeTrades([id]);
    await h.gateway.subscribeBook([id], 20);
    await h.gateway.subscribeQuotes([id]);
    for (const t of ['trades:BTC-USDT', 'books:BTC-USDT', 'tickers:BTC-USDT']) await h.server.waitForTopic(t);
    await replayFrames(h.server, frames);

    const trades = of('trades').flatMap((f) => f.json['data'] as Array<{ tradeId: string; px: string; sz: string; side: string; ts: string }>);
    await waitFor(() => h.rec.trades.length >= trades.length, 10_000, 'all recorded OKX trades');
    await h.gateway.whenIdle();
    expect(h.rec.trades.map((t) => [t.tradeId, t.price, t.quantity, t.side, t.tsEvent])).toEqual(
      trades.map((t) => [t.tradeId, Number(t.px), Number(t.sz), t.side, Number(t.ts)]),
    );

    // Oracle book: the snapshot, then each update (size 0 removes the level).
    const book: Book = { bids: new Map(), asks: new Map() };
    let lastTs = 0;
    for (const f of of('books')) {
      const d = (f.json['data'] as Array<{ bids: string[][]; asks: string[][]; ts: string }>)[0]!;
      if (f.json['action'] === 'snapshot') {
        book.bids.clear();
        book.asks.clear();
      }
      for (const [side, levels] of [[book.bids, d.bids], [book.asks, d.asks]] as const) {
        for (const [p, q] of levels) {
          if (Number(q) === 0) side.delete(Number(p));
          else side.set(Number(p), Number(q));
        }
      }
      lastTs = Number(d.ts);
    }
    await waitFor(() => h.rec.books.at(-1)?.tsEvent === lastTs, 10_000, 'the book after the last recorded update');
    expect(h.rec.books.at(-1)!.bids).toEqual(top(book.bids, true, 20));
    expect(h.rec.books.at(-1)!.asks).toEqual(top(book.asks, false, 20));
    expect(h.gateway.status().lastError).toBeNull();

    const lastTicker = (of('tickers').at(-1)!.json['data'] as Array<{ bidPx: string; bidSz: string; askPx: string; askSz: string; last: string; ts: string }>)[0]!;
    await waitFor(() => h.rec.quotes.at(-1)?.tsEvent === Number(lastTicker.ts), 10_000, 'the last recorded ticker');
    expect(h.rec.quotes.at(-1)).toMatchObject({ bid: Number(lastTicker.bidPx), bidSize: Number(lastTicker.bidSz), ask: Number(lastTicker.askPx), askSize: Number(lastTicker.askSz), last: Number(lastTicker.last) });
  });
});

describe('Gate USDT futures book_ticker (WOO_USDT)', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('quotes follow the recorded book_ticker frames and end on the last one', async () => {
    h = await startHarness('gate');
    const frames = readCryptofeedWs('GATEIO_FUTURES.ws.1.0').filter(
      (f) => f.json['channel'] === 'futures.book_ticker' && f.json['event'] === 'update' && (f.json['result'] as { s?: string }).s === 'WOO_USDT',
    );
    expect(frames.length).toBeGreaterThan(30);
    await h.gateway.connect();
    await h.gateway.subscribeQuotes(['GATE:WOO/USDT:USDT']);
    await h.server.waitForTopic('futures.book_ticker:WOO_USDT');
    await replayFrames(h.server, frames, 1);
    const last = frames.at(-1)!.json['result'] as { t: number; b: string; B: number; a: string; A: number };
    await waitFor(() => h.rec.quotes.at(-1)?.tsEvent === last.t, 10_000, 'the last recorded book_ticker');
    expect(h.rec.quotes.at(-1)).toMatchObject({ instrumentId: 'GATE:WOO/USDT:USDT', bid: Number(last.b), bidSize: last.B, ask: Number(last.a), askSize: last.A });
    // Frames read in one go coalesce into their latest quote: what is seen is the recording, in order, with gaps.
    const recorded = frames.map((f) => {
      const r = f.json['result'] as { t: number; b: string; B: number; a: string; A: number };
      return `${r.t}|${Number(r.b)}|${r.B}|${Number(r.a)}|${r.A}`;
    });
    let at = 0;
    for (const q of h.rec.quotes) {
      const key = `${q.tsEvent}|${q.bid}|${q.bidSize}|${q.ask}|${q.askSize}`;
      const found = recorded.indexOf(key, at);
      expect(found, `quote ${key} comes from the recording after position ${at}`).toBeGreaterThanOrEqual(at);
      at = found;
    }
    expect(h.rec.quotes.length).toBeGreaterThan(frames.length / 2);
  });
});

describe('Hyperliquid l2Book and trades (BTC)', () => {
  let h: Harness;
  afterEach(async () => h?.close());
  const frames = readHftbacktest('hyperliquid', 'hftbacktest', 'btcusd_20250126.gz');

  it('every l2Book push becomes the book (and the quote at its top); trades equal the recording', async () => {
    h = await startHarness('hyperliquid');
    const id = 'HYPERLIQUID:BTC/USDC:USDC';
    await h.gateway.connect();
    await h.gateway.subscribeBook([id], 10);
    await h.gateway.subscribeQuotes([id]);
    await h.gateway.subscribeTrades([id]);
    await h.server.waitForTopic('l2Book:BTC');
    await h.server.waitForTopic('trades:BTC');
    await replayFrames(h.server, frames, 1);

    const books = frames.filter((f: RecordedFrame) => f.json['channel'] === 'l2Book');
    const last = books.at(-1)!.json['data'] as { time: number; levels: Array<Array<{ px: string; sz: string }>> };
    await waitFor(() => h.rec.books.at(-1)?.tsEvent === last.time, 10_000, 'the last recorded l2Book');
    const book = h.rec.books.at(-1)!;
    expect(book.bids).toEqual(last.levels[0]!.slice(0, 10).map((l) => [Number(l.px), Number(l.sz)]));
    expect(book.asks).toEqual(last.levels[1]!.slice(0, 10).map((l) => [Number(l.px), Number(l.sz)]));
    expect(h.rec.quotes.at(-1)).toMatchObject({ bid: Number(last.levels[0]![0]!.px), ask: Number(last.levels[1]![0]!.px), tsEvent: last.time });

    const trades = frames
      .filter((f) => f.json['channel'] === 'trades')
      .flatMap((f) => f.json['data'] as Array<{ tid: number; px: string; sz: string; side: string; time: number }>);
    await waitFor(() => h.rec.trades.length >= trades.length, 10_000, 'all recorded Hyperliquid trades');
    await h.gateway.whenIdle();
    // Trades leave in (time, trade id) order, ids compared as numbers.
    const byTime = [...trades].sort((a, b) => a.time - b.time || (BigInt(a.tid) < BigInt(b.tid) ? -1 : 1));
    expect(h.rec.trades.map((t) => [t.tradeId, t.price, t.quantity, t.side, t.tsEvent])).toEqual(
      byTime.map((t) => [String(t.tid), Number(t.px), Number(t.sz), t.side === 'B' ? 'buy' : 'sell', t.time]),
    );
  });
});
