import type { Fill, Order, OrderEvent, TradingState } from '../../shared/model/index.js';

/**
 * Where the OMS writes before it acts. Implemented by storage/sqlite/sqlite-journal.ts; engines see
 * only this port. Every method is synchronous and atomic: when it returns, the record is durable.
 */
export interface OrderJournal {
  insertOrder(order: Order, event: OrderEvent): void;
  updateOrder(order: Order, event: OrderEvent | null): void;
  /** Records a fill and the order it changed, atomically. Returns false when the fill was already journaled. */
  insertFill(fill: Fill, order: Order): boolean;
  getOrder(clientOrderId: string): Order | null;
  listOrders(filter: 'open' | 'all'): Order[];
  listFills(sinceMs?: number): Fill[];
  listEvents(clientOrderId: string): OrderEvent[];
  getTradingState(): TradingState | null;
  setTradingState(state: TradingState): void;
  audit(actor: string, action: string, detail: string): void;
}
