import type { Fill, Order, Position } from '../../shared/model/index.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { toCsv } from './csv.js';

export const REPORT_KINDS = ['orders', 'fills', 'positions', 'summary'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The trading reports a trader exports: every order, every fill, positions derived from the fills,
 * and a per-instrument summary (trades, volume, notional, fees, realized PnL, average buy/sell
 * price and the cost of trading in basis points of notional). Times are ISO-8601 UTC.
 */
export function buildReport(kind: ReportKind, orders: Order[], fills: Fill[]): string {
  switch (kind) {
    case 'orders':
      return toCsv(
        ['ts_created', 'client_order_id', 'venue_order_id', 'account_id', 'instrument_id', 'side', 'type', 'time_in_force', 'quantity', 'price', 'status', 'filled_quantity', 'avg_fill_price', 'reason'],
        orders.map((o) => [iso(o.tsCreated), o.clientOrderId, o.venueOrderId, o.accountId, o.instrumentId, o.side, o.type, o.timeInForce, o.quantity, o.price, o.status, o.filledQuantity, o.avgFillPrice, o.reason]),
      );
    case 'fills':
      return toCsv(
        ['ts', 'fill_id', 'venue_trade_id', 'client_order_id', 'account_id', 'instrument_id', 'side', 'quantity', 'price', 'notional', 'fee', 'fee_currency', 'liquidity'],
        fills.map((f) => [iso(f.tsEvent), f.fillId, f.venueTradeId, f.clientOrderId, f.accountId, f.instrumentId, f.side, f.quantity, f.price, f.quantity * f.price, f.fee, f.feeCurrency, f.liquidity]),
      );
    case 'positions':
      return toCsv(
        ['account_id', 'instrument_id', 'quantity', 'avg_price', 'realized_pnl', 'fees', 'last_fill'],
        positionsFrom(fills).map((p) => [p.accountId, p.instrumentId, p.quantity, p.quantity === 0 ? null : p.avgPrice, p.realizedPnl, p.fees, iso(p.tsUpdated)]),
      );
    case 'summary':
      return toCsv(
        ['account_id', 'instrument_id', 'fills', 'buy_quantity', 'sell_quantity', 'avg_buy_price', 'avg_sell_price', 'notional', 'fees', 'fee_bps', 'realized_pnl', 'net_position', 'first_fill', 'last_fill'],
        summarize(fills),
      );
  }
}

function positionsFrom(fills: Fill[]): Position[] {
  const p = new Portfolio();
  for (const f of fills) p.applyFill(f);
  return p.positions();
}

function summarize(fills: Fill[]): unknown[][] {
  const groups = new Map<string, Fill[]>();
  for (const f of fills) {
    const key = `${f.accountId}|${f.instrumentId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  const positions = new Map(positionsFrom(fills).map((p) => [`${p.accountId}|${p.instrumentId}`, p]));
  return [...groups.entries()].map(([key, g]) => {
    const buys = g.filter((f) => f.side === 'buy');
    const sells = g.filter((f) => f.side === 'sell');
    const qty = (xs: Fill[]) => xs.reduce((s, f) => s + f.quantity, 0);
    const notional = (xs: Fill[]) => xs.reduce((s, f) => s + f.quantity * f.price, 0);
    const total = notional(g);
    const fees = g.reduce((s, f) => s + f.fee, 0);
    const pos = positions.get(key)!;
    return [
      g[0]!.accountId,
      g[0]!.instrumentId,
      g.length,
      qty(buys),
      qty(sells),
      buys.length ? notional(buys) / qty(buys) : null,
      sells.length ? notional(sells) / qty(sells) : null,
      total,
      fees,
      total > 0 ? (fees / total) * 10_000 : null,
      pos.realizedPnl,
      pos.quantity,
      iso(Math.min(...g.map((f) => f.tsEvent))),
      iso(Math.max(...g.map((f) => f.tsEvent))),
    ];
  });
}
