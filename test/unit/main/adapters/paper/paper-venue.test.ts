import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../../../../main/adapters/paper/paper-venue.js';
import type { PaperVenueConfigInput } from '../../../../../main/adapters/paper/paper-config.js';
import type { Fill, Order, OrderBook, QuoteTick, TradeTick } from '../../../../../shared/model/index.js';
import { KestrelError } from '../../../../../shared/api/errors.js';
import { FakeClock, ManualScheduler, PERP, SPOT } from './fake-time.js';

const NO_FEES = { default: { makerBps: 0, takerBps: 0 } };

async function setup(config: PaperVenueConfigInput = {}) {
  const clock = new FakeClock();
  const scheduler = new ManualScheduler(clock);
  const venue = new PaperVenue({ clock, scheduler, instruments: [PERP, SPOT], config: { fees: NO_FEES, ...config } });
  const orders: Order[] = [];
  const fills: Fill[] = [];
  venue.setListener({ onOrder: (o) => orders.push(o), onFill: (f) => fills.push(f) });
  await venue.connect();
  let tradeId = 0;
  const trade = (price: number, quantity: number, instrumentId = PERP.instrumentId): void => {
    const t: TradeTick = { instrumentId, tradeId: String(++tradeId), price, quantity, side: 'sell', tsEvent: clock.now, tsInit: clock.now };
    venue.onTrade(t);
  };
  const quote = (bid: number, bidSize: number, ask: number, askSize: number, instrumentId = PERP.instrumentId): void => {
    const q: QuoteTick = { instrumentId, bid, bidSize, ask, askSize, tsEvent: clock.now, tsInit: clock.now };
    venue.onQuote(q);
  };
  const book = (bids: Array<[number, number]>, asks: Array<[number, number]>, instrumentId = PERP.instrumentId): void => {
    const b: OrderBook = { instrumentId, bids, asks, tsEvent: clock.now };
    venue.onBook(b);
  };
  return { venue, clock, scheduler, orders, fills, trade, quote, book };
}

const fillsOf = (fills: Fill[], id: string) => fills.filter((f) => f.clientOrderId === id).map((f) => [f.price, f.quantity, f.liquidity]);

describe('PaperVenue market orders', () => {
  it('walk the levels of a full book and never fill at a price the book did not show', async () => {
    const { venue, book, fills } = await setup();
    book([[99.9, 5]], [[100, 1], [100.5, 2], [101, 5]]);
    const ack = await venue.submitOrder('m1', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 2.5 });
    expect(ack.status).toBe('filled');
    expect(fillsOf(fills, 'm1')).toEqual([
      [100, 1, 'taker'],
      [100.5, 1.5, 'taker'],
    ]);
    // The liquidity taken stays taken until the next book: the next buy starts at what was left.
    await venue.submitOrder('m2', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    expect(fillsOf(fills, 'm2')).toEqual([
      [100.5, 0.5, 'taker'],
      [101, 0.5, 'taker'],
    ]);
  });

  it('expire the part a full book cannot fill, with a reason', async () => {
    const { venue, book, fills, orders } = await setup();
    book([[99, 1]], [[100, 1]]);
    const ack = await venue.submitOrder('m1', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 3 });
    expect(ack.status).toBe('expired');
    expect(fillsOf(fills, 'm1')).toEqual([[100, 1, 'taker']]);
    const last = orders.filter((o) => o.clientOrderId === 'm1').at(-1)!;
    expect(last.filledQuantity).toBe(1);
    expect(last.reason).toMatch(/order book had no more liquidity/);
  });

  it('with only the top of book known, fill the touch and then one tick worse per synthetic level of the touch size', async () => {
    const { venue, quote, fills } = await setup({ syntheticDepth: { levelTicks: 1, maxLevels: 3 } });
    quote(99.9, 2, 100, 1);
    await venue.submitOrder('s1', { instrumentId: PERP.instrumentId, side: 'sell', type: 'market', quantity: 5 });
    expect(fillsOf(fills, 's1')).toEqual([
      [99.9, 2, 'taker'],
      [99.8, 2, 'taker'],
      [99.7, 1, 'taker'],
    ]);
    const ack = await venue.submitOrder('b1', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 10 });
    // touch 1 + three synthetic levels of 1 each: 4 filled, the rest expires.
    expect(fillsOf(fills, 'b1')).toEqual([
      [100, 1, 'taker'],
      [100.1, 1, 'taker'],
      [100.2, 1, 'taker'],
      [100.3, 1, 'taker'],
    ]);
    expect(ack.status).toBe('expired');
    expect(ack.reason).toMatch(/synthetic levels/);
  });

  it('a quote after a full book refreshes the top and keeps the deeper levels', async () => {
    const { venue, book, quote, fills } = await setup();
    book([[99, 1]], [[100, 1], [101, 1], [102, 1]]);
    quote(99.5, 1, 100.5, 2); // ask 100 is gone, 100.5 is the new touch, 101 and 102 remain
    await venue.submitOrder('m1', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 4 });
    expect(fillsOf(fills, 'm1')).toEqual([
      [100.5, 2, 'taker'],
      [101, 1, 'taker'],
      [102, 1, 'taker'],
    ]);
  });

  it('are rejected with a reason when there is no market data, or the instrument or account is unknown', async () => {
    const { venue, orders } = await setup();
    const noData = await venue.submitOrder('a', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    expect(noData).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/no market data yet for TEST:BTC\/USDT:USDT/) });
    const unknown = await venue.submitOrder('b', { instrumentId: 'TEST:NOPE/USDT', side: 'buy', type: 'market', quantity: 1 });
    expect(unknown.reason).toMatch(/unknown instrument "TEST:NOPE\/USDT"/);
    const account = await venue.submitOrder('c', { accountId: 'ghost', instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100, quantity: 1 });
    expect(account.reason).toMatch(/unknown paper account "ghost"/);
    const lot = await venue.submitOrder('d', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100, quantity: 0.0015 });
    expect(lot.reason).toMatch(/not a multiple of the lot size 0.001/);
    const tick = await venue.submitOrder('e', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100.05, quantity: 1 });
    expect(tick.reason).toMatch(/not a multiple of the tick size 0.1/);
    expect(orders.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('refuse malformed commands outright', async () => {
    const { venue } = await setup();
    await expect(venue.submitOrder('x', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: Number.NaN })).rejects.toThrow(/quantity/);
    await expect(venue.submitOrder('x', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', quantity: 1 })).rejects.toThrow(/a limit order needs a price/);
  });

  it('fill-or-kill fills all at once or nothing', async () => {
    const { venue, book, fills } = await setup();
    book([[99, 1]], [[100, 1], [101, 1]]);
    const killed = await venue.submitOrder('k', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 3, timeInForce: 'FOK' });
    expect(killed.status).toBe('expired');
    expect(fillsOf(fills, 'k')).toEqual([]);
    const filled = await venue.submitOrder('f', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 2, timeInForce: 'FOK' });
    expect(filled.status).toBe('filled');
    expect(fillsOf(fills, 'f')).toEqual([
      [100, 1, 'taker'],
      [101, 1, 'taker'],
    ]);
  });
});

describe('PaperVenue limit orders', () => {
  it('rest below the market and fill at their own price when a trade prints through it', async () => {
    const { venue, quote, trade, fills } = await setup();
    quote(100, 5, 100.1, 5);
    const ack = await venue.submitOrder('l1', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 99.5, quantity: 2 });
    expect(ack.status).toBe('open');
    trade(99.6, 10); // above the limit: nothing
    expect(fills).toEqual([]);
    trade(99.4, 0.5); // through: fills the print's size at the limit price, as maker
    expect(fillsOf(fills, 'l1')).toEqual([[99.5, 0.5, 'maker']]);
    trade(99.0, 7);
    expect(fillsOf(fills, 'l1')).toEqual([
      [99.5, 0.5, 'maker'],
      [99.5, 1.5, 'maker'],
    ]);
    const [open] = await venue.fetchOpenOrders();
    expect(open).toBeUndefined();
  });

  it('at their own price wait for the displayed queue ahead to trade first', async () => {
    const { venue, quote, trade, fills } = await setup();
    quote(100, 3, 100.1, 5); // 3 displayed at 100 when the order arrives
    await venue.submitOrder('q', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100, quantity: 2 });
    trade(100, 2); // queue 3 -> 1
    expect(fills).toEqual([]);
    quote(100, 9, 100.1, 5); // size joining behind us does not move us back
    trade(100, 2); // queue 1 -> 0, one lot of this print reaches us
    expect(fillsOf(fills, 'q')).toEqual([[100, 1, 'maker']]);
    trade(100, 5);
    expect(fillsOf(fills, 'q')).toEqual([
      [100, 1, 'maker'],
      [100, 1, 'maker'],
    ]);
  });

  it('that cross fill at once as taker up to the limit and rest the remainder', async () => {
    const { venue, book, trade, fills } = await setup();
    book([[99, 1]], [[100, 1], [100.5, 1], [101, 1]]);
    const ack = await venue.submitOrder('x', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100.5, quantity: 3 });
    expect(ack.status).toBe('partially_filled');
    expect(fillsOf(fills, 'x')).toEqual([
      [100, 1, 'taker'],
      [100.5, 1, 'taker'],
    ]);
    const [open] = await venue.fetchOpenOrders();
    expect(open).toMatchObject({ clientOrderId: 'x', filledQuantity: 2, status: 'partially_filled' });
    trade(100.5, 4); // nothing displayed on the bid at 100.5: no queue ahead
    expect(fillsOf(fills, 'x').at(-1)).toEqual([100.5, 1, 'maker']);
    expect((await venue.fetchOpenOrders()).length).toBe(0);
  });

  it('IOC keeps what fills at once and expires the rest; GTC rests', async () => {
    const { venue, book } = await setup();
    book([[99, 1]], [[100, 1], [101, 1]]);
    const ioc = await venue.submitOrder('i', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100, quantity: 2, timeInForce: 'IOC' });
    expect(ioc).toMatchObject({ status: 'expired', reason: expect.stringMatching(/immediate-or-cancel: 1 of 2 filled/) });
    const fok = await venue.submitOrder('f', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 101, quantity: 2, timeInForce: 'FOK' });
    expect(fok.status).toBe('expired'); // only 1 left at <= 101 after the IOC took the 100
    const gtc = await venue.submitOrder('g', { instrumentId: PERP.instrumentId, side: 'sell', type: 'limit', price: 105, quantity: 2 });
    expect(gtc.status).toBe('open');
  });

  it('share one print between paper orders in price-time priority, across accounts', async () => {
    const { venue, quote, trade, fills } = await setup({
      accounts: [
        { accountId: 'a', cash: { USDT: 1e6 } },
        { accountId: 'b', cash: { USDT: 1e6 } },
      ],
    });
    quote(101, 1, 101.1, 1);
    await venue.submitOrder('late-better', { accountId: 'b', instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100.5, quantity: 2 });
    await venue.submitOrder('first', { accountId: 'a', instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100.2, quantity: 2 });
    await venue.submitOrder('second', { accountId: 'b', instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 100.2, quantity: 2 });
    trade(100, 3); // 3 lots through all three: best price first, then time
    expect(fillsOf(fills, 'late-better')).toEqual([[100.5, 2, 'maker']]);
    expect(fillsOf(fills, 'first')).toEqual([[100.2, 1, 'maker']]);
    expect(fillsOf(fills, 'second')).toEqual([]);
  });

  it('DAY orders expire at the next 00:00 UTC', async () => {
    const { venue, clock, quote } = await setup();
    clock.now = Date.UTC(2024, 7, 8, 23, 59, 0);
    quote(100, 1, 101, 1);
    await venue.submitOrder('d', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 99, quantity: 1, timeInForce: 'DAY' });
    clock.now = Date.UTC(2024, 7, 8, 23, 59, 59, 999);
    quote(100, 1, 101, 1);
    expect((await venue.fetchOpenOrders()).length).toBe(1);
    clock.now = Date.UTC(2024, 7, 9, 0, 0, 0);
    quote(100, 1, 101, 1);
    expect(await venue.fetchOpenOrders()).toEqual([]);
  });
});

describe('PaperVenue stop orders', () => {
  it('trigger on a trade at the stop and then fill like a market order', async () => {
    const { venue, quote, trade, fills } = await setup();
    quote(99.9, 1, 100, 1);
    trade(99.9, 1);
    const stop = await venue.submitOrder('s', { instrumentId: PERP.instrumentId, side: 'sell', type: 'stop', stopPrice: 99, quantity: 1 });
    expect(stop.status).toBe('open');
    trade(99.1, 1);
    expect(fills).toEqual([]);
    quote(98.9, 2, 99, 1);
    trade(99, 1);
    expect(fillsOf(fills, 's')).toEqual([[98.9, 1, 'taker']]);
  });

  it('that would trigger at once are rejected', async () => {
    const { venue, quote, trade } = await setup();
    quote(99.9, 1, 100, 1);
    trade(100, 1);
    const ack = await venue.submitOrder('s', { instrumentId: PERP.instrumentId, side: 'buy', type: 'stop', stopPrice: 99.5, quantity: 1 });
    expect(ack.reason).toMatch(/would trigger at once: the last trade was 100/);
  });
});

describe('PaperVenue fees, latency and cancels', () => {
  it('charge maker and taker fees in bps of notional, per venue', async () => {
    const { venue, book, trade, fills } = await setup({ fees: { default: { makerBps: 0, takerBps: 0 }, venues: { TEST: { makerBps: -1, takerBps: 4 } } } });
    book([[99, 10]], [[100, 10]]);
    await venue.submitOrder('t', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 2 });
    await venue.submitOrder('m', { instrumentId: PERP.instrumentId, side: 'sell', type: 'limit', price: 102, quantity: 1 });
    trade(102.5, 1);
    expect(fills.map((f) => [f.clientOrderId, f.liquidity, f.fee, f.feeCurrency])).toEqual([
      ['t', 'taker', (2 * 100 * 4) / 10_000, 'USDT'],
      ['m', 'maker', (1 * 102 * -1) / 10_000, 'USDT'],
    ]);
  });

  it('an order reaches the book only after the submit latency, at the prices of that moment', async () => {
    const { venue, scheduler, book, fills } = await setup({ latency: { submitMs: 50, cancelMs: 20 } });
    book([[99, 1]], [[100, 1]]);
    const ack = venue.submitOrder('late', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    scheduler.advanceBy(49);
    expect(fills).toEqual([]);
    book([[100, 1]], [[100.7, 1]]);
    scheduler.advanceBy(1);
    expect((await ack).status).toBe('filled');
    expect(fillsOf(fills, 'late')).toEqual([[100.7, 1, 'taker']]);
  });

  it('a cancel takes effect after its latency; a fill can still beat it, none comes after it', async () => {
    const { venue, scheduler, quote, trade, fills, orders } = await setup({ latency: { submitMs: 0, cancelMs: 20 } });
    quote(100, 1, 100.5, 1);
    await venue.submitOrder('c', { instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 99, quantity: 2 });
    const canceled = venue.cancelOrder('c', null, PERP.instrumentId);
    scheduler.advanceBy(10);
    trade(98, 1); // inside the cancel's flight time: fills
    scheduler.advanceBy(10);
    await canceled;
    trade(98, 5); // after: nothing
    expect(fillsOf(fills, 'c')).toEqual([[99, 1, 'maker']]);
    expect(orders.filter((o) => o.clientOrderId === 'c').map((o) => o.status)).toEqual(['open', 'partially_filled', 'canceled']);
    const again = venue.cancelOrder('c', null, PERP.instrumentId);
    scheduler.advanceBy(20);
    await expect(again).rejects.toThrow(/already canceled/);
    await expect(venue.cancelOrder('nope', null, PERP.instrumentId)).rejects.toBeInstanceOf(KestrelError);
  });

  it('an order canceled while still in flight arrives canceled and never trades', async () => {
    const { venue, scheduler, quote } = await setup({ latency: { submitMs: 30, cancelMs: 5 } });
    quote(100, 1, 100.5, 1);
    const ack = venue.submitOrder('f', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    const cancel = venue.cancelAllOrders();
    scheduler.advanceBy(30);
    await cancel;
    expect(await ack).toMatchObject({ status: 'canceled' });
  });

  it('a repeated clientOrderId returns the first order instead of placing a second', async () => {
    const { venue, quote, fills } = await setup();
    quote(100, 5, 100.1, 5);
    const first = await venue.submitOrder('dup', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    const again = await venue.submitOrder('dup', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    expect(again).toEqual(first);
    expect(fills.length).toBe(1);
  });

  it('fill ids and venue trade ids are unique, also across a restart with a later clock', async () => {
    const { venue, quote, fills, clock } = await setup();
    quote(100, 1, 100.1, 1);
    for (let i = 0; i < 5; i += 1) await venue.submitOrder(`o${i}`, { instrumentId: PERP.instrumentId, side: i % 2 ? 'sell' : 'buy', type: 'market', quantity: 0.5 });
    clock.now += 1000;
    const restarted = new PaperVenue({ clock, instruments: [PERP], config: { fees: NO_FEES } });
    const later: Fill[] = [];
    restarted.setListener({ onFill: (f) => later.push(f) });
    await restarted.connect();
    restarted.onQuote({ instrumentId: PERP.instrumentId, bid: 100, bidSize: 1, ask: 100.1, askSize: 1, tsEvent: clock.now, tsInit: clock.now });
    await restarted.submitOrder('r', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    const all = [...fills, ...later];
    expect(new Set(all.map((f) => f.fillId)).size).toBe(all.length);
    expect(new Set(all.map((f) => f.venueTradeId)).size).toBe(all.length);
  });

  it('a listener may submit from inside a fill callback without re-entering the match', async () => {
    const clock = new FakeClock();
    const venue = new PaperVenue({ clock, instruments: [PERP], config: { fees: NO_FEES } });
    const seen: string[] = [];
    venue.setListener({
      onFill: (f) => {
        seen.push(`fill ${f.clientOrderId} ${f.price}`);
        if (f.clientOrderId === 'first') void venue.submitOrder('hedge', { instrumentId: PERP.instrumentId, side: 'sell', type: 'market', quantity: 1 });
      },
      onOrder: (o) => seen.push(`${o.clientOrderId} ${o.status}`),
    });
    await venue.connect();
    venue.onBook({ instrumentId: PERP.instrumentId, bids: [[99, 1]], asks: [[100, 1]], tsEvent: clock.now });
    await venue.submitOrder('first', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    expect(seen).toEqual(['first open', 'fill first 100', 'first filled', 'hedge open', 'fill hedge 99', 'hedge filled']);
  });
});

describe('PaperVenue accounts', () => {
  it('track cash, average price and realized PnL through a flip', async () => {
    const { venue, book } = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 10_000 }, leverage: 5 }] });
    const at = async (id: string, side: 'buy' | 'sell', quantity: number, price: number): Promise<void> => {
      book([[price, 100]], [[price, 100]]);
      await venue.submitOrder(id, { instrumentId: PERP.instrumentId, side, type: 'market', quantity });
    };
    await at('1', 'buy', 2, 100);
    await at('2', 'buy', 2, 110); // avg 105
    await at('3', 'sell', 6, 120); // closes 4 for +60, opens 2 short at 120
    const [pos] = await venue.fetchPositions('p');
    expect(pos).toMatchObject({ quantity: -2, avgPrice: 120, realizedPnl: 60 });
    book([[115, 1]], [[115, 1]]);
    const [marked] = await venue.fetchPositions('p');
    expect(marked!.unrealizedPnl).toBeCloseTo(10, 9);
    const [usdt] = await venue.fetchBalances('p');
    // wallet 10000 + 60 realized; total adds +10 unrealized; margin 2 * 115 / 5 is used.
    expect(usdt).toMatchObject({ currency: 'USDT', total: 10_070 });
    expect(usdt!.used).toBeCloseTo(46, 9);
  });

  it('spot buys spend the full notional and the account cannot sell what it does not hold', async () => {
    const { venue, book } = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 1_000 } }], fees: { default: { makerBps: 0, takerBps: 10 } } });
    book([[199.99, 100]], [[200, 100]], SPOT.instrumentId);
    const tooBig = await venue.submitOrder('big', { instrumentId: SPOT.instrumentId, side: 'buy', type: 'market', quantity: 5 });
    expect(tooBig.reason).toMatch(/insufficient USDT: the order needs 1001 including the taker fee, 1000 is free/);
    await venue.submitOrder('ok', { instrumentId: SPOT.instrumentId, side: 'buy', type: 'market', quantity: 4 });
    expect(venue.accountSummary('p').cash.USDT).toBeCloseTo(1_000 - 800 - 0.8, 9);
    const oversell = await venue.submitOrder('short', { instrumentId: SPOT.instrumentId, side: 'sell', type: 'market', quantity: 5 });
    expect(oversell.reason).toMatch(/insufficient ETH: holding 4/);
  });

  it('a resting buy reserves its cash so a second one cannot spend it again', async () => {
    const { venue, book } = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 1_000 } }] });
    book([[100, 1]], [[101, 1]], SPOT.instrumentId);
    expect((await venue.submitOrder('a', { instrumentId: SPOT.instrumentId, side: 'buy', type: 'limit', price: 90, quantity: 10 })).status).toBe('open');
    const b = await venue.submitOrder('b', { instrumentId: SPOT.instrumentId, side: 'buy', type: 'limit', price: 90, quantity: 2 });
    expect(b.reason).toMatch(/insufficient USDT: the order needs 180 including the taker fee, 100 is free/);
    const [balance] = await venue.fetchBalances('p');
    expect(balance).toMatchObject({ total: 1_000, used: 900, free: 100 });
  });

  it('perps need margin at the account leverage', async () => {
    const { venue, book } = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 1_000 }, leverage: 2 }] });
    book([[99.9, 100]], [[100, 100]]);
    const ack = await venue.submitOrder('x', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 21 });
    expect(ack.reason).toMatch(/insufficient USDT margin: the order needs 1050 at 2x leverage/);
    expect((await venue.submitOrder('y', { instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 19 })).status).toBe('filled');
  });

  it('reset cancels open orders and restores the starting cash', async () => {
    const { venue, book, orders } = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 5_000 } }, { accountId: 'q', cash: { USDT: 7 } }] });
    book([[99.9, 100]], [[100, 100]]);
    await venue.submitOrder('pos', { accountId: 'p', instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 1 });
    await venue.submitOrder('rest', { accountId: 'p', instrumentId: PERP.instrumentId, side: 'buy', type: 'limit', price: 90, quantity: 1 });
    venue.reset('p');
    expect(orders.at(-1)).toMatchObject({ clientOrderId: 'rest', status: 'canceled', reason: 'paper account reset' });
    expect(await venue.fetchPositions('p')).toEqual([]);
    expect(venue.accountSummary('p').cash).toEqual({ USDT: 5_000 });
    expect(venue.accountSummary('q').cash).toEqual({ USDT: 7 });
    expect(await venue.fetchFillsSince(0, 'p')).toEqual([]);
  });

  it('restore rebuilds balances, positions and resting orders from the journal', async () => {
    const first = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 10_000 }, leverage: 3 }] });
    first.book([[99.9, 100]], [[100, 100]]);
    await first.venue.submitOrder('pos', { accountId: 'p', instrumentId: PERP.instrumentId, side: 'buy', type: 'market', quantity: 2 });
    await first.venue.submitOrder('rest', { accountId: 'p', instrumentId: PERP.instrumentId, side: 'sell', type: 'limit', price: 105, quantity: 1 });
    first.book([[101.9, 100]], [[102, 100]]);
    const journal = {
      openOrders: await first.venue.fetchOpenOrders(),
      positions: await first.venue.fetchPositions(),
      balances: await first.venue.fetchBalances(),
      fills: await first.venue.fetchFillsSince(0),
    };

    const second = await setup({ accounts: [{ accountId: 'p', cash: { USDT: 1 }, leverage: 3 }] });
    const report = second.venue.restore(journal);
    expect(report).toMatchObject({ restoredOrders: 1, positions: 1, balances: 1, expiredOrders: [] });
    second.book([[101.9, 100]], [[102, 100]]);
    expect(await second.venue.fetchBalances()).toEqual((await first.venue.fetchBalances()).map((b) => ({ ...b, tsUpdated: second.clock.now })));
    expect((await second.venue.fetchPositions()).map(({ tsUpdated, ...p }) => p)).toEqual((await first.venue.fetchPositions()).map(({ tsUpdated, ...p }) => p));
    second.trade(105.5, 3);
    expect(fillsOf(second.fills, 'rest')).toEqual([[105, 1, 'maker']]);
    expect((await second.venue.fetchPositions())[0]).toMatchObject({ quantity: 1, realizedPnl: 5 });
  });

  it('restore expires market orders caught in flight instead of filling them later', async () => {
    const { venue, orders } = await setup();
    const now = Date.UTC(2024, 7, 8);
    const inFlight: Order = {
      clientOrderId: 'm',
      venueOrderId: null,
      accountId: 'paper',
      instrumentId: PERP.instrumentId,
      side: 'buy',
      type: 'market',
      timeInForce: 'IOC',
      quantity: 1,
      price: null,
      stopPrice: null,
      status: 'pending',
      filledQuantity: 0,
      avgFillPrice: null,
      reason: null,
      tsCreated: now,
      tsUpdated: now,
    };
    const report = venue.restore({ openOrders: [inFlight], positions: [], balances: [] });
    expect(report.expiredOrders.map((o) => o.status)).toEqual(['expired']);
    expect(orders.at(-1)?.reason).toMatch(/in flight when the paper venue restarted/);
    expect(() => venue.restore({ openOrders: [], positions: [], balances: [] })).toThrow(/before any order/);
  });

  it('rejects a config with a wrong key or value, naming it', () => {
    const clock = new FakeClock();
    expect(() => new PaperVenue({ clock, config: { latency: { submitMs: -1 } } })).toThrow(/latency.submitMs: latency must not be negative/);
    expect(() => new PaperVenue({ clock, config: { latency: { submitMs: 5 } } })).toThrow(/no scheduler/);
    expect(() => new PaperVenue({ clock, config: { fees: { default: { makerBps: 1, takerBps: 1 }, venues: { X: { makerBps: 'a' as unknown as number, takerBps: 1 } } } } })).toThrow(
      /fees.venues.X.makerBps/,
    );
  });
});
