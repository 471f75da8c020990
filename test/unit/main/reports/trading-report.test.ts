import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../../main/reports/trading-report.js';
import { toCsv } from '../../../../main/reports/csv.js';
import type { Fill } from '../../../../shared/model/index.js';

let n = 0;
const fill = (side: 'buy' | 'sell', quantity: number, price: number, fee: number, instrumentId = 'SIM:AAPL'): Fill => ({
  fillId: `F${++n}`, venueTradeId: `T${n}`, clientOrderId: `K${n}`, venueOrderId: null, accountId: 'paper', instrumentId,
  side, quantity, price, fee, feeCurrency: 'USD', liquidity: 'taker', tsEvent: Date.UTC(2026, 0, 2, 10, 0, n),
});

const parse = (csv: string) => csv.trimEnd().split('\r\n').map((l) => l.split(','));

describe('trading reports', () => {
  it('quotes fields that need it and leaves NaN and null empty', () => {
    expect(toCsv(['a', 'b', 'c'], [['x,y', 'say "hi"', null], [Number.NaN, 1.5, 'z']])).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n,1.5,z\r\n');
  });

  it('summarizes fills per instrument: volumes, average prices, fees in bps, realized PnL', () => {
    const fills = [fill('buy', 10, 100, 0.5), fill('buy', 10, 110, 0.5), fill('sell', 5, 120, 0.3), fill('buy', 1, 50, 0.01, 'SIM:SPY')];
    const rows = parse(buildReport('summary', [], fills));
    expect(rows[0]).toEqual(['account_id', 'instrument_id', 'fills', 'buy_quantity', 'sell_quantity', 'avg_buy_price', 'avg_sell_price', 'notional', 'fees', 'fee_bps', 'realized_pnl', 'net_position', 'first_fill', 'last_fill']);
    const aapl = rows.find((r) => r[1] === 'SIM:AAPL')!;
    // Worked by hand: avg buy 105; sold 5 at 120 → realized 5 × 15 = 75; notional 1000 + 1100 + 600.
    expect(aapl.slice(2, 12).map(Number)).toEqual([3, 20, 5, 105, 120, 2700, 1.3, (1.3 / 2700) * 10_000, 75, 15]);
    expect(rows.find((r) => r[1] === 'SIM:SPY')![6]).toBe('');
  });

  it('derives positions from fills and lists every fill with its notional', () => {
    const fills = [fill('buy', 2, 10, 0), fill('sell', 2, 12, 0)];
    const pos = parse(buildReport('positions', [], fills));
    expect(pos[1]!.slice(2, 5)).toEqual(['0', '', '4']);
    const rows = parse(buildReport('fills', [], fills));
    expect(rows).toHaveLength(3);
    expect(rows[1]![9]).toBe('20');
    expect(rows[1]![0]).toMatch(/^2026-01-02T10:00:\d\d\.000Z$/);
  });
});
