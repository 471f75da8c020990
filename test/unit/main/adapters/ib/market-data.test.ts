import { describe, expect, it } from 'vitest';
import { IbMarketData } from '../../../../../main/adapters/ib/market-data.js';
import type { OrderBook, QuoteTick, TradeTick } from '../../../../../shared/model/index.js';

function setup() {
  const quotes: QuoteTick[] = [];
  const trades: TradeTick[] = [];
  const books: OrderBook[] = [];
  const md = new IbMarketData({ quote: (q) => quotes.push(q), trade: (t) => trades.push(t), book: (b) => books.push(b) }, () => 42, 'test');
  return { md, quotes, trades, books };
}
const tick = (): Promise<void> => new Promise((r) => queueMicrotask(r));

describe('IbMarketData', () => {
  it('coalesces a price and its size into one quote, and waits for both sides', async () => {
    const { md, quotes } = setup();
    md.openQuotes(1, 'IB:STK:AAPL:SMART:USD');
    md.tickPrice(1, 1, 10);
    md.tickSize(1, 0, 5);
    await tick();
    expect(quotes).toHaveLength(0);
    md.tickPrice(1, 2, 10.5);
    md.tickSize(1, 3, 7);
    await tick();
    expect(quotes).toEqual([{ instrumentId: 'IB:STK:AAPL:SMART:USD', bid: 10, bidSize: 5, ask: 10.5, askSize: 7, tsEvent: 42, tsInit: 42 }]);
  });

  it('treats IB’s −1 price as "no price", and delayed ticks like live ones', async () => {
    const { md, quotes } = setup();
    md.openQuotes(1, 'X:Y');
    md.tickPrice(1, 66, 3);
    md.tickPrice(1, 67, -1);
    await tick();
    expect(quotes).toHaveLength(0);
    md.tickPrice(1, 67, 4);
    await tick();
    expect(quotes[0]).toMatchObject({ bid: 3, ask: 4 });
  });

  it('makes a trade from each LAST price carrying a size, sides by quote then tick rule', () => {
    const { md, trades } = setup();
    md.openQuotes(1, 'X:Y');
    md.tickPrice(1, 1, 100);
    md.tickPrice(1, 2, 101);
    const print = (p: number, s: number): void => {
      md.tickPrice(1, 4, p);
      md.tickSize(1, 5, s);
    };
    print(101, 1);
    print(100, 2);
    print(100.5, 3);
    print(100.7, 4);
    print(100.7, 5);
    md.tickSize(1, 5, 9); // size-only update: not a new print
    expect(trades.map((t) => [t.price, t.quantity, t.side])).toEqual([
      [101, 1, 'buy'],
      [100, 2, 'sell'],
      [100.5, 3, 'buy'],
      [100.7, 4, 'buy'],
      [100.7, 5, 'buy'],
    ]);
    expect(new Set(trades.map((t) => t.tradeId)).size).toBe(5);
  });

  it('applies depth insert/update/delete by position and caps rows', async () => {
    const { md, books } = setup();
    md.openDepth(2, 'X:Y', 2);
    md.depth(2, 0, 0, 1, 99, 1);
    md.depth(2, 0, 0, 1, 100, 2);
    md.depth(2, 2, 0, 1, 98, 3);
    md.depth(2, 1, 1, 1, 99, 7);
    md.depth(2, 0, 0, 0, 101, 4);
    md.depth(2, 1, 0, 0, 102, 5);
    md.depth(2, 0, 2, 0, 0, 0);
    await tick();
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ bids: [[100, 2], [99, 7]], asks: [[102, 5]], sequence: 1 });
    md.resetDepth(2);
    await tick();
    expect(books[1]).toMatchObject({ bids: [], asks: [] });
  });

  it('ignores ticks for lines it does not have (e.g. after unsubscribe)', async () => {
    const { md, quotes } = setup();
    md.openQuotes(1, 'X:Y');
    md.close(1);
    md.tickPrice(1, 1, 1);
    md.tickPrice(1, 2, 2);
    await tick();
    expect(quotes).toHaveLength(0);
  });
});
