/**
 * The whole core on a crypto venue speaking its real protocols: the gateways worker runs ccxt
 * (REST + ccxt.pro websockets) against the loopback exchange server replaying real Binance USDⓈ-M
 * frames (hftbacktest, 2024-08-08). Trades become bars in the core; a paper order fills against the
 * venue's live top of book; no request leaves the machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeServer } from '../../fakes/exchange/exchange-server.js';
import { installCatalog } from '../../fakes/exchange/catalogs.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { nextEvent, startKernel, tempDir, waitFor } from '../../support/kernel-harness.js';

const ID = 'BINANCEUSDM:BTC/USDT:USDT';
const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const isTrade = (f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade';
const isBookTicker = (f: RecordedFrame) => (f.json['stream'] as string | undefined)?.endsWith('@bookTicker') === true;

describe('kernel with a ccxt venue (Binance USDⓈ-M over the loopback exchange)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('builds bars from the venue trades and fills a paper order against the venue quote', async () => {
    const server = await ExchangeServer.start('binanceusdm');
    installCatalog(server);
    const sim = new BinanceSim(server, USDM, 'usdm');
    cleanup.push(() => server.close());
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const k = await startKernel(tmp.dir, {
      simulator: { enabled: false },
      venues: [
        {
          type: 'ccxt',
          ccxt: { venue: 'binanceusdm', accountId: 'feed', restUrl: server.restUrl, wsUrl: server.wsUrl, heartbeatMs: 0, rateLimitMs: 1, backfill: { enabled: false } },
          subscribe: ['BTC/USDT:USDT'],
        },
      ],
      paper: { fees: { default: { makerBps: 2, takerBps: 5 }, venues: { BINANCEUSDM: { makerBps: 2, takerBps: 4 } } } },
    });
    cleanup.push(() => k.stop());
    // The start-up history fill reports its progress to the UI.
    const progress = nextEvent(k, 'progress', (p) => p.job.includes('BINANCEUSDM'), 20_000);

    await server.waitForTopic('btcusdt@trade');
    await server.waitForTopic('btcusdt@bookTicker');
    const upTo = sim.indexOfTrade(3_000);
    const frames = USDM.slice(0, upTo);
    const tradesSent = frames.filter(isTrade).length;
    const lastTicker = frames.filter(isBookTicker).at(-1)!.json['data'] as { a: string; b: string };
    await sim.play(upTo, { only: (f) => isTrade(f) || isBookTicker(f) });

    const quote = await waitFor(async () => {
      const q = (await k.call('quotes.list', {})).find((r) => r.instrumentId === ID);
      return q && q.ask === Number(lastTicker.a) ? q : null;
    }, 'the last recorded bookTicker as the quote', 20_000);
    expect(quote.bid).toBe(Number(lastTicker.b));
    expect(quote.simulated).toBe(false);

    const bars = await waitFor(async () => {
      const b = await k.call('bars.list', { instrumentId: ID, interval: '1m' });
      return b.reduce((n, x) => n + x.tradeCount, 0) === tradesSent ? b : null;
    }, 'every replayed trade counted in the 1m bars', 20_000);
    expect(bars.length).toBeGreaterThan(0);
    for (const b of bars) expect(b.closeTime - b.openTime).toBe(60_000 - 1);

    // The execution worker gets the same quote a moment after the market-data worker shows it.
    await new Promise((r) => setTimeout(r, 300));
    const ack = await k.call('orders.submit', { instrumentId: ID, side: 'buy', type: 'market', quantity: 0.01 });
    expect(ack.status).toBe('filled');
    const fill = (await k.call('fills.list', {})).find((f) => f.clientOrderId === ack.clientOrderId)!;
    expect(fill.price).toBe(Number(lastTicker.a));
    expect(fill.fee).toBeCloseTo(0.01 * fill.price * 4e-4, 8);
    const gw = (await k.call('gateways.list', {})).find((g) => g.venue === 'BINANCEUSDM')!;
    expect(gw.state).toBe('connected');
    expect(gw.simulated).toBe(false);
    expect((await progress).message).toMatch(/\S/);
  });
});
