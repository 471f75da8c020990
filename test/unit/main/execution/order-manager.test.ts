import { afterEach, describe, expect, it } from 'vitest';
import { OrderManager } from '../../../../main/execution/order-manager.js';
import { Portfolio } from '../../../../main/portfolio/portfolio.js';
import { PaperVenue } from '../../../../main/adapters/paper/paper-venue.js';
import { openDatabase } from '../../../../main/storage/sqlite/database.js';
import { SqliteJournal } from '../../../../main/storage/sqlite/sqlite-journal.js';
import type { Fill, Instrument, Order, TradingState } from '../../../../shared/model/index.js';
import { KestrelError } from '../../../../shared/api/errors.js';
import { tempDir } from '../../../support/kernel-harness.js';

const BTC: Instrument = {
  instrumentId: 'SIM:BTC/USDT:USDT', venue: 'SIM', symbol: 'BTC/USDT:USDT', kind: 'perp', base: 'BTC', quote: 'USDT', settle: 'USDT',
  tickSize: 0.1, lotSize: 0.001, minNotional: 0, multiplier: 1, simulated: true, active: true,
};

function setup(dir: string) {
  let now = 1_700_000_000_000;
  const clock = { nowMs: () => now };
  const db = openDatabase(dir);
  const journal = new SqliteJournal(db);
  const venue = new PaperVenue({ clock, instruments: [BTC] });
  const portfolio = new Portfolio();
  const seen = { orders: [] as Order[], fills: [] as Fill[], states: [] as TradingState[] };
  const oms = new OrderManager({
    clock,
    journal,
    gateways: new Map([['paper', venue]]),
    defaultAccountId: 'paper',
    instrument: (id) => (id === BTC.instrumentId ? BTC : undefined),
    referencePrice: () => 100_000,
    portfolio,
    events: { onOrder: (o) => seen.orders.push(o), onFill: (f) => seen.fills.push(f), onTradingState: (s) => seen.states.push(s) },
  });
  venue.setListener({ onOrder: (o) => oms.onVenueOrder(o), onFill: (f) => oms.onVenueFill(f) });
  void venue.connect();
  venue.onQuote({ instrumentId: BTC.instrumentId, bid: 99_999.9, bidSize: 2, ask: 100_000, askSize: 2, tsEvent: now, tsInit: now });
  const trade = (price: number, quantity: number, id: number) => {
    now += 10;
    venue.onTrade({ instrumentId: BTC.instrumentId, tradeId: String(id), price, quantity, side: 'sell', tsEvent: now, tsInit: now });
  };
  return { oms, journal, venue, portfolio, seen, trade, db };
}

describe('OrderManager with the paper venue', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const tmp = () => {
    const t = tempDir();
    dirs.push(t);
    return t.dir;
  };

  it('journals before sending, fills a market order at the ask with a taker fee, and derives the position', async () => {
    const { oms, journal, seen, portfolio } = setup(tmp());
    const ack = await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.5 });
    expect(ack.status).toBe('filled');
    expect(journal.listEvents(ack.clientOrderId).map((e) => e.kind)[0]).toBe('submitted');
    expect(seen.orders[0]!.status).toBe('pending');
    expect(seen.fills).toHaveLength(1);
    expect(seen.fills[0]).toMatchObject({ price: 100_000, quantity: 0.5, liquidity: 'taker' });
    expect(seen.fills[0]!.fee).toBeCloseTo(0.5 * 100_000 * 5e-4, 6);
    expect(journal.getOrder(ack.clientOrderId)).toMatchObject({ status: 'filled', filledQuantity: 0.5, avgFillPrice: 100_000 });
    expect(portfolio.position('paper', BTC.instrumentId)).toBe(0.5);
  });

  it('rests a limit order until trades cross it, then fills as maker', async () => {
    const { oms, journal, seen, trade } = setup(tmp());
    const ack = await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'limit', price: 99_900, quantity: 0.2 });
    expect(ack.status).toBe('open');
    trade(99_950, 1, 1);
    expect(seen.fills).toHaveLength(0);
    trade(99_890, 1, 2);
    expect(seen.fills).toHaveLength(1);
    expect(seen.fills[0]).toMatchObject({ price: 99_900, liquidity: 'maker' });
    expect(journal.getOrder(ack.clientOrderId)!.status).toBe('filled');
  });

  it('halts: persists HALTED, cancels open orders, refuses new ones; re-arm needs a reason and works', async () => {
    const dir = tmp();
    const { oms, journal, seen, db } = setup(dir);
    const a = await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'limit', price: 90_000, quantity: 0.1 });
    await oms.halt('operator stop', false);
    expect(journal.getOrder(a.clientOrderId)!.status).toBe('canceled');
    expect(seen.states.at(-1)!.state).toBe('HALTED');
    const err = await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KestrelError);
    expect((err as KestrelError).message).toMatch(/trading is halted \(operator stop\)/);
    db.close();

    const again = setup(dir);
    expect(again.oms.tradingState.get()).toMatchObject({ state: 'HALTED', reason: 'operator stop' });
    again.oms.rearm('checked', 'tester');
    expect(again.oms.tradingState.isHalted()).toBe(false);
    expect((await again.oms.submit({ instrumentId: BTC.instrumentId, side: 'sell', type: 'market', quantity: 0.1 })).status).toBe('filled');
  });

  it('flattens positions on a halt when asked, with market orders that pass the halt', async () => {
    const { oms, portfolio } = setup(tmp());
    await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.3 });
    expect(portfolio.position('paper', BTC.instrumentId)).toBe(0.3);
    await oms.halt('flatten test', true);
    expect(portfolio.position('paper', BTC.instrumentId)).toBe(0);
  });

  it('refuses a reused clientOrderId and a cancel of an unknown or finished order, naming it', async () => {
    const { oms } = setup(tmp());
    await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.1, clientOrderId: 'mine-1' });
    await expect(oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.1, clientOrderId: 'mine-1' })).rejects.toThrow(/mine-1 was already used/);
    await expect(oms.cancel('nope')).rejects.toThrow(/no order with clientOrderId nope/);
    await expect(oms.cancel('mine-1')).rejects.toThrow(/already filled/);
  });

  it('keeps an order working until the venue answers the cancel; a fill that comes first wins and the cancel is refused', async () => {
    const dir = tmp();
    let now = 1_700_000_000_000;
    const clock = { nowMs: () => now };
    const due: (() => void)[] = [];
    const venue = new PaperVenue({ clock, scheduler: { schedule: (_ms, fn) => void due.push(fn) }, instruments: [BTC], config: { latency: { submitMs: 0, cancelMs: 50 } } });
    const journal = new SqliteJournal(openDatabase(dir));
    const fills: Fill[] = [];
    const oms = new OrderManager({
      clock, journal, gateways: new Map([['paper', venue]]), defaultAccountId: 'paper',
      instrument: () => BTC, referencePrice: () => 100_000, portfolio: new Portfolio(),
      events: { onOrder: () => undefined, onFill: (f) => fills.push(f), onTradingState: () => undefined },
    });
    venue.setListener({ onOrder: (o) => oms.onVenueOrder(o), onFill: (f) => oms.onVenueFill(f) });
    await venue.connect();
    venue.onQuote({ instrumentId: BTC.instrumentId, bid: 99_999.9, bidSize: 2, ask: 100_000, askSize: 2, tsEvent: now, tsInit: now });
    const ack = await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'limit', price: 99_900, quantity: 0.1 });
    const cancel = oms.cancel(ack.clientOrderId);
    expect(journal.getOrder(ack.clientOrderId)!.status).toBe('open');
    // The cancel is on its way; meanwhile the market trades through the order.
    now += 10;
    venue.onTrade({ instrumentId: BTC.instrumentId, tradeId: '9', price: 99_800, quantity: 1, side: 'sell', tsEvent: now, tsInit: now });
    for (const fn of due.splice(0)) fn();
    await expect(cancel).rejects.toThrow(/refused by PAPER: .*already filled/);
    expect(fills).toHaveLength(1);
    expect(journal.getOrder(ack.clientOrderId)).toMatchObject({ status: 'filled', filledQuantity: 0.1 });
    expect(journal.listEvents(ack.clientOrderId).map((e) => e.kind)).toContain('cancel_rejected');
  });

  it('never doubles a fill the venue reports twice', async () => {
    const { oms, journal, seen } = setup(tmp());
    await oms.submit({ instrumentId: BTC.instrumentId, side: 'buy', type: 'market', quantity: 0.1 });
    const f = seen.fills[0]!;
    oms.onVenueFill({ ...f });
    expect(journal.listFills()).toHaveLength(1);
    expect(seen.fills).toHaveLength(1);
  });
});
