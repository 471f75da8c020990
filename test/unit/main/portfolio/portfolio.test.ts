import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Portfolio } from '../../../../main/portfolio/portfolio.js';
import type { Fill } from '../../../../shared/model/index.js';

let n = 0;
const f = (side: 'buy' | 'sell', quantity: number, price: number, fee = 0): Fill => ({
  fillId: `F${++n}`,
  venueTradeId: `T${n}`,
  clientOrderId: 'K',
  venueOrderId: null,
  accountId: 'a',
  instrumentId: 'SIM:X',
  side,
  quantity,
  price,
  fee,
  feeCurrency: 'USD',
  liquidity: 'taker',
  tsEvent: n,
});

describe('Portfolio', () => {
  it('averages the open side and realizes PnL when reducing', () => {
    const p = new Portfolio({ a: 1000 });
    p.applyFill(f('buy', 1, 100));
    p.applyFill(f('buy', 3, 120));
    expect(p.positions()[0]).toMatchObject({ quantity: 4, avgPrice: 115, realizedPnl: 0 });
    p.applyFill(f('sell', 2, 130, 1));
    expect(p.positions()[0]).toMatchObject({ quantity: 2, avgPrice: 115, realizedPnl: 30, fees: 1 });
  });

  it('splits a flip through zero into a close and a new open at the fill price', () => {
    const p = new Portfolio();
    p.applyFill(f('buy', 2, 100));
    p.applyFill(f('sell', 5, 90));
    expect(p.positions()[0]).toMatchObject({ quantity: -3, avgPrice: 90, realizedPnl: -20 });
    p.mark('SIM:X', 80);
    expect(p.positions()[0]!.unrealizedPnl).toBeCloseTo(30, 10);
  });

  it('conserves value: cash + position × price moves only by fees when marked at the last fill', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ buy: fc.boolean(), q: fc.integer({ min: 1, max: 50 }), px: fc.integer({ min: 50, max: 150 }), fee: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 40 }),
        (fills) => {
          const p = new Portfolio({ a: 10_000 });
          let fees = 0;
          let last = 0;
          for (const x of fills) {
            p.applyFill(f(x.buy ? 'buy' : 'sell', x.q, x.px, x.fee));
            fees += x.fee;
            last = x.px;
          }
          const pos = p.positions()[0]!;
          const equity = p.cashOf('a') + pos.quantity * last;
          const pnl = pos.realizedPnl + pos.quantity * (last - pos.avgPrice);
          expect(equity).toBeCloseTo(10_000 - fees + pnl - 0, 6);
          expect(equity - 10_000 + fees).toBeCloseTo(pnl, 6);
        },
      ),
    );
  });
});
