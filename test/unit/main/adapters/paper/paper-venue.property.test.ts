import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PaperVenue } from '../../../../../main/adapters/paper/paper-venue.js';
import type { Fill, Instrument, Order, OrderBook, TimeInForce } from '../../../../../shared/model/index.js';
import { FakeClock, ManualScheduler, PERP, SPOT } from './fake-time.js';

const INSTRUMENTS = [PERP, SPOT];
/** Mid prices in ticks (PERP 100.0, SPOT 100.00) so both grids see comparable numbers. */
const MID_TICKS = [1_000, 10_000];

const priceOf = (instrument: Instrument, ticks: number): number => Number((ticks * instrument.tickSize).toFixed(4));
const qtyOf = (instrument: Instrument, lots: number): number => Number((lots * instrument.lotSize).toFixed(6));

const level = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }));
const bookAction = fc.record({
  kind: fc.constant('book' as const),
  inst: fc.integer({ min: 0, max: 1 }),
  drift: fc.integer({ min: -8, max: 8 }),
  bids: fc.array(level, { maxLength: 5 }),
  asks: fc.array(level, { maxLength: 5 }),
});
const quoteAction = fc.record({
  kind: fc.constant('quote' as const),
  inst: fc.integer({ min: 0, max: 1 }),
  drift: fc.integer({ min: -8, max: 8 }),
  spread: fc.integer({ min: 1, max: 4 }),
  bidLots: fc.integer({ min: 0, max: 40 }),
  askLots: fc.integer({ min: 0, max: 40 }),
});
const tradeAction = fc.record({
  kind: fc.constant('trade' as const),
  inst: fc.integer({ min: 0, max: 1 }),
  drift: fc.integer({ min: -25, max: 25 }),
  lots: fc.integer({ min: 1, max: 60 }),
});
const submitAction = fc.record({
  kind: fc.constant('submit' as const),
  inst: fc.integer({ min: 0, max: 1 }),
  account: fc.constantFrom('a', 'b'),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
  tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'DAY', 'IOC', 'FOK'),
  offset: fc.integer({ min: -20, max: 20 }),
  lots: fc.integer({ min: 1, max: 80 }),
  withLimit: fc.boolean(),
});
const cancelAction = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
const advanceAction = fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 }) });
// Weighted so that a typical run has several orders meeting several prints.
const action = fc.oneof(
  { weight: 2, arbitrary: bookAction },
  { weight: 2, arbitrary: quoteAction },
  { weight: 5, arbitrary: tradeAction },
  { weight: 4, arbitrary: submitAction },
  { weight: 1, arbitrary: cancelAction },
  { weight: 2, arbitrary: advanceAction },
);
const actions = fc.array(action, { minLength: 10, maxLength: 100 });

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

interface Run {
  venue: PaperVenue;
  log: Array<{ type: 'order'; order: Order } | { type: 'fill'; fill: Fill } | { type: 'trade'; index: number; quantity: number }>;
  submitted: Array<{ id: string; quantity: number }>;
  books: Map<string, OrderBook>;
  /** For each instrument, taker quantity taken per price since its last full book. */
  takenSinceBook: Map<string, Map<number, number>>;
  takerViolations: string[];
  lastTrade: Map<string, number>;
}

async function play(actions: Action[], opts: { checkCash: boolean; latency: boolean; booksOnly: boolean }): Promise<Run> {
  const clock = new FakeClock();
  const scheduler = new ManualScheduler(clock);
  const venue = new PaperVenue({
    clock,
    scheduler,
    instruments: INSTRUMENTS,
    config: {
      accounts: [
        { accountId: 'a', cash: { USDT: 50_000 }, leverage: 3 },
        { accountId: 'b', cash: { USDT: 20_000 }, leverage: 1 },
      ],
      fees: { default: { makerBps: -1, takerBps: 5 }, venues: {} },
      latency: opts.latency ? { submitMs: 7, cancelMs: 3 } : { submitMs: 0, cancelMs: 0 },
      checkCash: opts.checkCash,
      syntheticDepth: { levelTicks: 2, maxLevels: 3 },
    },
  });
  const run: Run = { venue, log: [], submitted: [], books: new Map(), takenSinceBook: new Map(), takerViolations: [], lastTrade: new Map() };
  venue.setListener({
    onOrder: (order) => run.log.push({ type: 'order', order }),
    onFill: (fill) => {
      run.log.push({ type: 'fill', fill });
      if (fill.liquidity !== 'taker') return;
      const book = run.books.get(fill.instrumentId);
      if (!book) return;
      const side = fill.side === 'buy' ? book.asks : book.bids;
      const shown = side.find(([p]) => Math.abs(p - fill.price) < 1e-9);
      const taken = run.takenSinceBook.get(fill.instrumentId)!;
      const total = (taken.get(fill.price) ?? 0) + fill.quantity;
      taken.set(fill.price, total);
      if (!shown) run.takerViolations.push(`${fill.clientOrderId} filled at ${fill.price}, not in the book`);
      else if (total > shown[1] + 1e-9) run.takerViolations.push(`${fill.clientOrderId} took ${total} at ${fill.price}, book showed ${shown[1]}`);
    },
  });
  await venue.connect();
  const mids = [...MID_TICKS];
  let seq = 0;
  let tradeIndex = 0;
  const pending: Array<Promise<unknown>> = [];
  for (const a of actions) {
    clock.now += 1;
    if (a.kind === 'advance') {
      scheduler.advanceBy(a.ms);
      continue;
    }
    if (a.kind === 'cancel') {
      const target = run.submitted[a.pick % Math.max(1, run.submitted.length)];
      if (target) pending.push(venue.cancelOrder(target.id, null, '').catch(() => undefined));
      continue;
    }
    const inst = INSTRUMENTS[a.inst]!;
    if (a.kind === 'book' || (a.kind === 'quote' && opts.booksOnly)) {
      mids[a.inst]! += a.drift;
      const bidsSpec = a.kind === 'book' ? a.bids : [[1, a.bidLots || 1] as [number, number]];
      const asksSpec = a.kind === 'book' ? a.asks : [[1, a.askLots || 1] as [number, number]];
      // Best bid at the mid, best ask one tick above, each further level `gap` ticks worse.
      const ladder = (start: number, direction: 1 | -1, spec: Array<[number, number]>): Array<[number, number]> => {
        let ticks = start;
        return spec.map(([gap, lots]) => {
          const lvl: [number, number] = [priceOf(inst, ticks), qtyOf(inst, lots)];
          ticks += direction * gap;
          return lvl;
        });
      };
      const bids = ladder(mids[a.inst]!, -1, bidsSpec);
      const asks = ladder(mids[a.inst]! + 1, 1, asksSpec);
      const book: OrderBook = { instrumentId: inst.instrumentId, bids, asks, tsEvent: clock.now };
      run.books.set(inst.instrumentId, book);
      run.takenSinceBook.set(inst.instrumentId, new Map());
      venue.onBook(book);
    } else if (a.kind === 'quote') {
      mids[a.inst]! += a.drift;
      venue.onQuote({
        instrumentId: inst.instrumentId,
        bid: priceOf(inst, mids[a.inst]!),
        bidSize: qtyOf(inst, a.bidLots),
        ask: priceOf(inst, mids[a.inst]! + a.spread),
        askSize: qtyOf(inst, a.askLots),
        tsEvent: clock.now,
        tsInit: clock.now,
      });
    } else if (a.kind === 'trade') {
      const price = priceOf(inst, mids[a.inst]! + a.drift);
      const quantity = qtyOf(inst, a.lots);
      run.log.push({ type: 'trade', index: tradeIndex, quantity });
      run.lastTrade.set(inst.instrumentId, price);
      venue.onTrade({ instrumentId: inst.instrumentId, tradeId: String(tradeIndex++), price, quantity, side: 'buy', tsEvent: clock.now, tsInit: clock.now });
    } else {
      const id = `o${seq++}`;
      const quantity = qtyOf(inst, a.lots);
      const price = priceOf(inst, mids[a.inst]! + a.offset);
      const stopPrice = priceOf(inst, mids[a.inst]! + (a.side === 'buy' ? Math.abs(a.offset) + 1 : -Math.abs(a.offset) - 1));
      const order =
        a.type === 'market'
          ? { instrumentId: inst.instrumentId, accountId: a.account, side: a.side, type: a.type, quantity, timeInForce: a.tif }
          : a.type === 'limit'
            ? { instrumentId: inst.instrumentId, accountId: a.account, side: a.side, type: a.type, quantity, price, timeInForce: a.tif }
            : { instrumentId: inst.instrumentId, accountId: a.account, side: a.side, type: a.type, quantity, stopPrice, ...(a.withLimit ? { price: stopPrice } : {}), timeInForce: a.tif };
      run.submitted.push({ id, quantity });
      pending.push(venue.submitOrder(id, order));
    }
  }
  scheduler.advanceBy(1_000);
  await Promise.all(pending);
  return run;
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected']);

describe('PaperVenue properties', () => {
  it('never fills more than an order asks for, and fills add up to what the order reports', async () => {
    await fc.assert(
      fc.asyncProperty(actions, fc.boolean(), fc.boolean(), async (list, checkCash, latency) => {
        const run = await play(list, { checkCash, latency, booksOnly: false });
        const filledBy = new Map<string, number>();
        for (const e of run.log) if (e.type === 'fill') filledBy.set(e.fill.clientOrderId, (filledBy.get(e.fill.clientOrderId) ?? 0) + e.fill.quantity);
        for (const s of run.submitted) {
          const sum = filledBy.get(s.id) ?? 0;
          expect(sum).toBeLessThanOrEqual(s.quantity + 1e-9);
          const last = [...run.log].reverse().find((e) => e.type === 'order' && e.order.clientOrderId === s.id);
          if (last?.type === 'order') {
            expect(last.order.filledQuantity).toBeLessThanOrEqual(last.order.quantity);
            expect(last.order.filledQuantity).toBeCloseTo(sum, 9);
          } else {
            expect(sum).toBe(0);
          }
        }
        for (const e of run.log) if (e.type === 'fill') expect(e.fill.quantity).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('sends no fill for an order after it was canceled (or otherwise finished)', async () => {
    await fc.assert(
      fc.asyncProperty(actions, fc.boolean(), async (list, latency) => {
        const run = await play(list, { checkCash: false, latency, booksOnly: false });
        const finished = new Set<string>();
        for (const e of run.log) {
          if (e.type === 'order') {
            expect(finished.has(e.order.clientOrderId), `update for ${e.order.clientOrderId} after it finished`).toBe(false);
            if (TERMINAL.has(e.order.status)) finished.add(e.order.clientOrderId);
          } else if (e.type === 'fill') {
            expect(finished.has(e.fill.clientOrderId), `fill for ${e.fill.clientOrderId} after it finished`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('conserves cash plus position value, less the fees paid', async () => {
    await fc.assert(
      fc.asyncProperty(actions, fc.boolean(), fc.integer({ min: -30, max: 30 }), async (list, latency, finalDrift) => {
        const run = await play(list, { checkCash: false, latency, booksOnly: false });
        // Mark both instruments with a last print so the venue's marks are known to the test.
        for (const [i, inst] of INSTRUMENTS.entries()) {
          const price = priceOf(inst, MID_TICKS[i]! + finalDrift);
          run.venue.onTrade({ instrumentId: inst.instrumentId, tradeId: `final-${i}`, price, quantity: inst.lotSize, side: 'buy', tsEvent: 1, tsInit: 1 });
          run.lastTrade.set(inst.instrumentId, price);
        }
        const fills = run.log.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
        for (const [accountId, start] of [['a', 50_000], ['b', 20_000]] as const) {
          let expected = start;
          for (const f of fills.filter((x) => x.accountId === accountId)) {
            const signed = f.side === 'buy' ? f.quantity : -f.quantity;
            expected += signed * (run.lastTrade.get(f.instrumentId)! - f.price) - f.fee;
          }
          const equity = run.venue.accountSummary(accountId).equity.USDT ?? 0;
          expect(equity).toBeCloseTo(expected, 6);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with full books, takers fill only at prices the book showed and never more than it showed', async () => {
    await fc.assert(
      fc.asyncProperty(actions, async (list) => {
        const run = await play(list, { checkCash: false, latency: false, booksOnly: true });
        expect(run.takerViolations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('one print never fills resting paper orders for more than its own size', async () => {
    await fc.assert(
      fc.asyncProperty(actions, async (list) => {
        const run = await play(list, { checkCash: false, latency: false, booksOnly: false });
        let current: { quantity: number; makers: number } | null = null;
        for (const e of run.log) {
          if (e.type === 'trade') current = { quantity: e.quantity, makers: 0 };
          else if (e.type === 'fill' && e.fill.liquidity === 'maker' && current) {
            current.makers += e.fill.quantity;
            expect(current.makers).toBeLessThanOrEqual(current.quantity + 1e-9);
          } else if (e.type === 'fill' && e.fill.liquidity === 'taker') current = null;
        }
      }),
      { numRuns: 300 },
    );
  });
});
