import type { Fill, Order, OrderEvent, TradingState } from '../../../shared/model/index.js';
import type { OrderJournal } from '../../execution/journal.js';
import type { Db } from './database.js';

interface OrderRow {
  client_order_id: string;
  venue_order_id: string | null;
  account_id: string;
  instrument_id: string;
  side: Order['side'];
  type: Order['type'];
  time_in_force: Order['timeInForce'];
  quantity: number;
  price: number | null;
  stop_price: number | null;
  status: Order['status'];
  filled_quantity: number;
  avg_fill_price: number | null;
  reason: string | null;
  ts_created: number;
  ts_updated: number;
}

interface FillRow {
  fill_id: string;
  venue_trade_id: string;
  client_order_id: string;
  venue_order_id: string | null;
  account_id: string;
  instrument_id: string;
  side: Fill['side'];
  quantity: number;
  price: number;
  fee: number;
  fee_currency: string;
  liquidity: Fill['liquidity'];
  ts_event: number;
}

const toOrder = (r: OrderRow): Order => ({
  clientOrderId: r.client_order_id,
  venueOrderId: r.venue_order_id,
  accountId: r.account_id,
  instrumentId: r.instrument_id,
  side: r.side,
  type: r.type,
  timeInForce: r.time_in_force,
  quantity: r.quantity,
  price: r.price,
  stopPrice: r.stop_price,
  status: r.status,
  filledQuantity: r.filled_quantity,
  avgFillPrice: r.avg_fill_price,
  reason: r.reason,
  tsCreated: r.ts_created,
  tsUpdated: r.ts_updated,
});

const toFill = (r: FillRow): Fill => ({
  fillId: r.fill_id,
  venueTradeId: r.venue_trade_id,
  clientOrderId: r.client_order_id,
  venueOrderId: r.venue_order_id,
  accountId: r.account_id,
  instrumentId: r.instrument_id,
  side: r.side,
  quantity: r.quantity,
  price: r.price,
  fee: r.fee,
  feeCurrency: r.fee_currency,
  liquidity: r.liquidity,
  tsEvent: r.ts_event,
});

const orderParams = (o: Order) => ({
  client_order_id: o.clientOrderId,
  venue_order_id: o.venueOrderId,
  account_id: o.accountId,
  instrument_id: o.instrumentId,
  side: o.side,
  type: o.type,
  time_in_force: o.timeInForce,
  quantity: o.quantity,
  price: o.price,
  stop_price: o.stopPrice,
  status: o.status,
  filled_quantity: o.filledQuantity,
  avg_fill_price: o.avgFillPrice,
  reason: o.reason,
  ts_created: o.tsCreated,
  ts_updated: o.tsUpdated,
});

/** The order journal on SQLite. Statements are prepared once; each write is one transaction. */
export class SqliteJournal implements OrderJournal {
  private readonly stmt;
  private readonly insertOrderTx;
  private readonly updateOrderTx;
  private readonly insertFillTx;

  constructor(private readonly db: Db) {
    this.stmt = {
      insertOrder: db.prepare(`INSERT INTO orders VALUES (@client_order_id, @venue_order_id, @account_id, @instrument_id, @side, @type,
        @time_in_force, @quantity, @price, @stop_price, @status, @filled_quantity, @avg_fill_price, @reason, @ts_created, @ts_updated)`),
      updateOrder: db.prepare(`UPDATE orders SET venue_order_id = @venue_order_id, status = @status, filled_quantity = @filled_quantity,
        avg_fill_price = @avg_fill_price, reason = @reason, ts_updated = @ts_updated WHERE client_order_id = @client_order_id`),
      insertEvent: db.prepare('INSERT INTO order_events (client_order_id, kind, detail, ts_event) VALUES (?, ?, ?, ?)'),
      // ON CONFLICT (not OR IGNORE): a replayed fill is skipped, but a fill that breaks a CHECK still fails loudly.
      insertFill: db.prepare(`INSERT INTO fills VALUES (@fill_id, @venue_trade_id, @client_order_id, @venue_order_id, @account_id,
        @instrument_id, @side, @quantity, @price, @fee, @fee_currency, @liquidity, @ts_event) ON CONFLICT DO NOTHING`),
      getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
      openOrders: db.prepare(`SELECT * FROM orders WHERE status IN ('pending','open','partially_filled') ORDER BY ts_created, rowid`),
      allOrders: db.prepare('SELECT * FROM orders ORDER BY ts_created, rowid'),
      fills: db.prepare('SELECT * FROM fills WHERE ts_event >= ? ORDER BY ts_event, rowid'),
      events: db.prepare('SELECT client_order_id, kind, detail, ts_event FROM order_events WHERE client_order_id = ? ORDER BY seq'),
      getState: db.prepare('SELECT * FROM trading_state WHERE id = 1'),
      setState: db.prepare(`INSERT INTO trading_state (id, state, reason, changed_by, ts_changed) VALUES (1, @state, @reason, @changedBy, @tsChanged)
        ON CONFLICT(id) DO UPDATE SET state = excluded.state, reason = excluded.reason, changed_by = excluded.changed_by, ts_changed = excluded.ts_changed`),
      stateHistory: db.prepare('INSERT INTO trading_state_history (state, reason, changed_by, ts_changed) VALUES (@state, @reason, @changedBy, @tsChanged)'),
      audit: db.prepare('INSERT INTO audit_log (ts, actor, action, detail) VALUES (?, ?, ?, ?)'),
    };
    this.insertOrderTx = db.transaction((o: Order, e: OrderEvent) => {
      this.stmt.insertOrder.run(orderParams(o));
      this.stmt.insertEvent.run(e.clientOrderId, e.kind, e.detail, e.tsEvent);
    });
    this.updateOrderTx = db.transaction((o: Order, e: OrderEvent | null) => {
      const changed = this.stmt.updateOrder.run(orderParams(o)).changes;
      if (changed !== 1) throw new Error(`order ${o.clientOrderId} is not in the journal`);
      if (e) this.stmt.insertEvent.run(e.clientOrderId, e.kind, e.detail, e.tsEvent);
    });
    this.insertFillTx = db.transaction((f: Fill, o: Order): boolean => {
      const added =
        this.stmt.insertFill.run({
          fill_id: f.fillId,
          venue_trade_id: f.venueTradeId,
          client_order_id: f.clientOrderId,
          venue_order_id: f.venueOrderId,
          account_id: f.accountId,
          instrument_id: f.instrumentId,
          side: f.side,
          quantity: f.quantity,
          price: f.price,
          fee: f.fee,
          fee_currency: f.feeCurrency,
          liquidity: f.liquidity,
          ts_event: f.tsEvent,
        }).changes === 1;
      if (!added) return false;
      this.stmt.updateOrder.run(orderParams(o));
      this.stmt.insertEvent.run(o.clientOrderId, o.status === 'filled' ? 'filled' : 'partially_filled', `${f.quantity} @ ${f.price}`, f.tsEvent);
      return true;
    });
  }

  insertOrder(order: Order, event: OrderEvent): void {
    this.insertOrderTx(order, event);
  }

  updateOrder(order: Order, event: OrderEvent | null): void {
    this.updateOrderTx(order, event);
  }

  insertFill(fill: Fill, order: Order): boolean {
    return this.insertFillTx(fill, order);
  }

  getOrder(clientOrderId: string): Order | null {
    const r = this.stmt.getOrder.get(clientOrderId) as OrderRow | undefined;
    return r ? toOrder(r) : null;
  }

  listOrders(filter: 'open' | 'all'): Order[] {
    return ((filter === 'open' ? this.stmt.openOrders : this.stmt.allOrders).all() as OrderRow[]).map(toOrder);
  }

  listFills(sinceMs = 0): Fill[] {
    return (this.stmt.fills.all(sinceMs) as FillRow[]).map(toFill);
  }

  listEvents(clientOrderId: string): OrderEvent[] {
    return (this.stmt.events.all(clientOrderId) as { client_order_id: string; kind: OrderEvent['kind']; detail: string | null; ts_event: number }[]).map((r) => ({
      clientOrderId: r.client_order_id,
      kind: r.kind,
      detail: r.detail,
      tsEvent: r.ts_event,
    }));
  }

  getTradingState(): TradingState | null {
    const r = this.stmt.getState.get() as { state: TradingState['state']; reason: string; changed_by: string; ts_changed: number } | undefined;
    return r ? { state: r.state, reason: r.reason, changedBy: r.changed_by, tsChanged: r.ts_changed } : null;
  }

  setTradingState(state: TradingState): void {
    this.db.transaction(() => {
      this.stmt.setState.run(state);
      this.stmt.stateHistory.run(state);
    })();
  }

  audit(actor: string, action: string, detail: string): void {
    this.stmt.audit.run(Date.now(), actor, action, detail);
  }
}
