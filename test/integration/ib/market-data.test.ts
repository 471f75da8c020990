/**
 * Market data against the fake TWS. The recording has no market-data traffic, so TICK_PRICE,
 * TICK_SIZE and MARKET_DEPTH are built from @stoqey/ib's decoder field order (messages.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OUT } from '../../fakes/tws/messages.js';
import { eventually, settle, startIb, type IbHarness } from './harness.js';

const AAPL = 'IB:STK:AAPL:SMART:USD';
const AAPL_CONID = 265598;
const ES = 'IB:FUT:ES:CME:USD:20250919:50';
const ES_CONID = 637533641;

describe('IbGateway ↔ fake TWS: L1 and L2 market data', () => {
  let h: IbHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reqMktData ticks become QuoteTicks, one per TWS message pair', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the market data line');
    const req = h.fake.requests(OUT.REQ_MKT_DATA)[0]?.fields ?? [];
    expect([req[4], req[5], req[10], req[12]]).toEqual(['AAPL', 'STK', 'SMART', 'USD']);
    h.fake.pushQuote(AAPL_CONID, { bid: 201.1, bidSize: 300, ask: 201.2, askSize: 200 });
    await eventually(() => h?.events.quotes.length === 1, 'a quote');
    await settle(50);
    // bid+size and ask+size arrive as one message each; the first complete quote is emitted once.
    expect(h.events.quotes).toHaveLength(1);
    expect(h.events.quotes[0]).toMatchObject({ instrumentId: AAPL, bid: 201.1, bidSize: 300, ask: 201.2, askSize: 200 });
    h.fake.pushSize(AAPL_CONID, 0, 500);
    await eventually(() => h?.events.quotes.length === 2, 'a size-only update');
    expect(h.events.quotes[1]).toMatchObject({ bid: 201.1, bidSize: 500 });
  });

  it('LAST ticks with size become TradeTicks with quote-rule sides', async () => {
    h = await startIb();
    await h.gw.subscribeTrades([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the market data line');
    h.fake.pushQuote(AAPL_CONID, { bid: 100, bidSize: 1, ask: 100.1, askSize: 1 });
    h.fake.pushTrade(AAPL_CONID, 100.1, 25);
    h.fake.pushTrade(AAPL_CONID, 100, 5);
    await eventually(() => h?.events.trades.length === 2, 'two trades');
    expect(h.events.trades.map((t) => [t.price, t.quantity, t.side])).toEqual([
      [100.1, 25, 'buy'],
      [100, 5, 'sell'],
    ]);
    expect(new Set(h.events.trades.map((t) => t.tradeId)).size).toBe(2);
  });

  it('one line serves quotes and trades; unsubscribe cancels it', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.gw.subscribeTrades([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'one line');
    expect(h.fake.requests(OUT.REQ_MKT_DATA)).toHaveLength(1);
    await h.gw.unsubscribe([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 0, 2_000, 'the line cancelled');
    expect(h.fake.requests(OUT.CANCEL_MKT_DATA)).toHaveLength(1);
  });

  it('reqMktDepth rows become an OrderBook (insert, update, delete)', async () => {
    h = await startIb();
    await h.gw.subscribeBook([ES], 5);
    await h.fake.waitFor(() => h?.fake.requests(OUT.REQ_MKT_DEPTH).length === 1, 2_000, 'the depth request');
    await settle(20);
    expect(h.fake.requests(OUT.REQ_MKT_DEPTH)[0]?.fields[15]).toBe('5');
    h.fake.pushDepth(ES_CONID, 0, 0, 1, 6300, 10);
    h.fake.pushDepth(ES_CONID, 1, 0, 1, 6299.75, 4);
    h.fake.pushDepth(ES_CONID, 0, 0, 0, 6300.25, 7);
    h.fake.pushDepth(ES_CONID, 0, 1, 1, 6300, 12);
    h.fake.pushDepth(ES_CONID, 0, 0, 1, 6300.25, 1);
    h.fake.pushDepth(ES_CONID, 0, 2, 1, 0, 0);
    await eventually(() => {
      const b = h?.events.books.at(-1);
      return b?.bids.length === 2 && b.bids[0]?.[1] === 12 && b.asks.length === 1;
    }, 'the book after six operations');
    expect(h.events.books.at(-1)).toMatchObject({ instrumentId: ES, bids: [[6300, 12], [6299.75, 4]], asks: [[6300.25, 7]] });
  });

  it('a market data error names the instrument in plain words', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes(['IB:STK:NOSUCH:SMART:USD']);
    await eventually(() => h?.gw.status().lastError !== null, 'an error');
    expect(h.gw.status().lastError).toMatch(/^IB 200: no contract matches .*\[IB:STK:NOSUCH:SMART:USD\]/);
  });

  it('rejects malformed instrumentIds before anything is sent', async () => {
    h = await startIb();
    await expect(h.gw.subscribeQuotes(['IB:FUT:ES:CME:USD'])).rejects.toThrow(/must have 7 non-empty parts/);
    await expect(h.gw.subscribeQuotes(['BINANCE:BTC/USDT'])).rejects.toThrow(/not an IB instrumentId/);
    expect(h.fake.requests(OUT.REQ_MKT_DATA)).toHaveLength(0);
  });

  it('fetches historical bars (reqHistoricalData)', async () => {
    h = await startIb();
    const bars = [
      { time: 1752606000, open: 210, high: 211, low: 209.5, close: 210.5, volume: 1200, wap: 210.2, count: 40 },
      { time: 1752606060, open: 210.5, high: 212, low: 210.4, close: 211.9, volume: 900, wap: 211.1, count: 31 },
    ];
    h.fake.setHistoricalBars(AAPL_CONID, bars);
    const got = await h.gw.fetchHistoricalBars(AAPL, { duration: '1 D', barSize: '1 min' });
    expect(got).toEqual(bars.map((b) => ({ tsOpen: b.time * 1000, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, wap: b.wap, tradeCount: b.count })));
    // The identical request again within 15 s would be a pacing violation: refused before sending.
    await expect(h.gw.fetchHistoricalBars(AAPL, { duration: '1 D', barSize: '1 min' })).rejects.toThrow(/identical historical request/);
    expect(h.fake.requests(OUT.REQ_HISTORICAL_DATA)).toHaveLength(1);
  });
});
