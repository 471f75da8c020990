import type { Clock, Fill, Instrument, Order, OrderEvent, SubmitOrder, TradingState } from '../../shared/model/index.js';
import { isOpenStatus } from '../../shared/model/index.js';
import { KestrelError } from '../../shared/api/errors.js';
import type { Gateway } from '../adapters/gateway.js';
import type { OrderJournal } from './journal.js';
import { checkPreTrade } from '../risk/pre-trade-checks.js';
import { TradingStateMachine } from '../risk/trading-state.js';
import { Portfolio } from '../portfolio/portfolio.js';

export interface OrderManagerEvents {
  onOrder(order: Order): void;
  onFill(fill: Fill): void;
  onTradingState(state: TradingState): void;
}

export interface OrderManagerOptions {
  clock: Clock;
  journal: OrderJournal;
  /** One gateway per account. */
  gateways: ReadonlyMap<string, Gateway>;
  defaultAccountId: string;
  dryRunAccounts?: ReadonlySet<string>;
  instrument(instrumentId: string): Instrument | undefined;
  referencePrice(instrumentId: string): number | null;
  portfolio: Portfolio;
  events: OrderManagerEvents;
  /** Fills before this time (per account) belong to a session that was reset; they stay journaled. */
  portfolioSince?: (accountId: string) => number;
}

const QTY_EPS = 1e-9;

/**
 * The OMS. Order of every order: risk checks → journal → gateway. Venue events come back through
 * `onVenueOrder` / `onVenueFill`, are journaled, then shown. Fills are the authority for filled
 * quantity and average price; a fill arriving after a cancel is still recorded, never dropped.
 */
export class OrderManager {
  readonly tradingState: TradingStateMachine;
  private seq = 0;
  private readonly sessionTag: string;

  constructor(private readonly o: OrderManagerOptions) {
    this.tradingState = new TradingStateMachine(o.journal, o.clock);
    this.sessionTag = o.clock.nowMs().toString(36).slice(-6);
    for (const f of o.journal.listFills()) if (f.tsEvent >= (o.portfolioSince?.(f.accountId) ?? 0)) o.portfolio.applyFill(f);
  }

  async submit(cmd: SubmitOrder, actor = 'user'): Promise<{ clientOrderId: string; status: Order['status'] }> {
    const accountId = cmd.accountId ?? this.o.defaultAccountId;
    const verdict = checkPreTrade(cmd, {
      tradingState: this.tradingState.get(),
      instrument: this.o.instrument(cmd.instrumentId),
      accountKnown: this.o.gateways.has(accountId),
      referencePrice: this.o.referencePrice(cmd.instrumentId),
      isFlatten: actor === 'kill-switch',
    });
    if (!verdict.ok) throw new KestrelError(verdict.code, verdict.reason);
    const clientOrderId = cmd.clientOrderId ?? this.nextClientOrderId();
    if (this.o.journal.getOrder(clientOrderId)) throw new KestrelError('refused', `clientOrderId ${clientOrderId} was already used`);

    const now = this.o.clock.nowMs();
    const order: Order = {
      clientOrderId,
      venueOrderId: null,
      accountId,
      instrumentId: cmd.instrumentId,
      side: cmd.side,
      type: cmd.type,
      timeInForce: cmd.timeInForce ?? (cmd.type === 'market' ? 'IOC' : 'GTC'),
      quantity: cmd.quantity,
      price: cmd.price ?? null,
      stopPrice: cmd.stopPrice ?? null,
      status: 'pending',
      filledQuantity: 0,
      avgFillPrice: null,
      reason: null,
      tsCreated: now,
      tsUpdated: now,
    };
    this.o.journal.insertOrder(order, this.event(clientOrderId, 'submitted', `${actor}: ${cmd.side} ${cmd.quantity} ${cmd.instrumentId} ${cmd.type}${cmd.price ? ` @ ${cmd.price}` : ''}`));
    this.o.events.onOrder(order);

    if (this.o.dryRunAccounts?.has(accountId)) {
      return this.finish(order, 'canceled', 'dry run: journaled, not sent');
    }
    const gateway = this.o.gateways.get(accountId)!;
    try {
      const ack = await gateway.submitOrder(clientOrderId, { ...cmd, accountId, clientOrderId });
      const current = this.o.journal.getOrder(clientOrderId)!;
      // The venue may already have reported fills or a final state through the listener.
      if (current.status === 'pending') {
        const next: Order = { ...current, venueOrderId: ack.venueOrderId, status: ack.status === 'pending' ? 'open' : ack.status, tsUpdated: this.o.clock.nowMs() };
        this.o.journal.updateOrder(next, this.event(clientOrderId, next.status === 'rejected' ? 'rejected' : 'accepted', null));
        this.o.events.onOrder(next);
        return { clientOrderId, status: next.status };
      }
      return { clientOrderId, status: current.status };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.finish(this.o.journal.getOrder(clientOrderId)!, 'rejected', reason);
      throw new KestrelError('refused', `order rejected by ${gateway.venue}: ${reason}`);
    }
  }

  async cancel(clientOrderId: string, actor = 'user'): Promise<{ clientOrderId: string; status: Order['status'] }> {
    const order = this.o.journal.getOrder(clientOrderId);
    if (!order) throw new KestrelError('not_found', `no order with clientOrderId ${clientOrderId}`);
    if (!isOpenStatus(order.status)) throw new KestrelError('refused', `order ${clientOrderId} is already ${order.status}`);
    const gateway = this.o.gateways.get(order.accountId);
    if (!gateway) throw new KestrelError('unavailable', `no gateway for account ${order.accountId}`);
    this.o.journal.audit(actor, 'cancel', clientOrderId);
    try {
      await gateway.cancelOrder(clientOrderId, order.venueOrderId, order.instrumentId);
    } catch (err) {
      // A refused cancel (the order filled first, or the venue does not know it) leaves the order as the venue has it.
      const reason = err instanceof Error ? err.message : String(err);
      const now = this.o.journal.getOrder(clientOrderId)!;
      this.o.journal.updateOrder(now, this.event(clientOrderId, 'cancel_rejected', reason));
      throw new KestrelError('refused', `cancel of ${clientOrderId} refused by ${gateway.venue}: ${reason}`);
    }
    return this.afterCancelRequest(clientOrderId, actor);
  }

  async cancelAll(actor = 'user'): Promise<number> {
    const open = this.o.journal.listOrders('open');
    const accounts = new Set(open.map((o) => o.accountId));
    for (const accountId of accounts) {
      const gw = this.o.gateways.get(accountId);
      if (gw?.has.cancelAll) await gw.cancelAllOrders();
    }
    let count = 0;
    for (const o of open) {
      const now = this.o.journal.getOrder(o.clientOrderId)!;
      if (!isOpenStatus(now.status)) {
        count++;
        continue;
      }
      const gw = this.o.gateways.get(now.accountId);
      if (gw && !gw.has.cancelAll) await gw.cancelOrder(now.clientOrderId, now.venueOrderId, now.instrumentId);
      this.afterCancelRequest(o.clientOrderId, actor);
      count++;
    }
    return count;
  }

  /** Emergency stop: persist HALTED first (so nothing new passes), then cancel everything, then flatten if asked. */
  async halt(reason: string, flatten: boolean, actor = 'user'): Promise<TradingState> {
    const state = this.tradingState.halt(reason, actor);
    this.o.events.onTradingState(state);
    await this.cancelAll('kill-switch');
    if (flatten) {
      for (const p of this.o.portfolio.positions()) {
        if (Math.abs(p.quantity) < QTY_EPS) continue;
        await this.submit(
          { accountId: p.accountId, instrumentId: p.instrumentId, side: p.quantity > 0 ? 'sell' : 'buy', type: 'market', quantity: Math.abs(p.quantity), tag: 'flatten' },
          'kill-switch',
        ).catch((err: unknown) => this.o.journal.audit('kill-switch', 'flatten-failed', `${p.instrumentId}: ${(err as Error).message}`));
      }
    }
    return state;
  }

  rearm(reason: string, actor = 'user'): TradingState {
    const state = this.tradingState.rearm(reason, actor);
    this.o.events.onTradingState(state);
    return state;
  }

  /** A venue's word on an order: status and venue id. Fill quantities come from fills. */
  onVenueOrder(update: Order): void {
    const current = this.o.journal.getOrder(update.clientOrderId);
    if (!current) {
      this.o.journal.audit('venue', 'unknown-order', JSON.stringify({ clientOrderId: update.clientOrderId, status: update.status }));
      return;
    }
    if (!isOpenStatus(current.status)) return;
    const status = update.status === 'filled' || update.status === 'partially_filled' ? current.status : update.status;
    if (status === current.status && update.venueOrderId === current.venueOrderId) return;
    const next: Order = { ...current, venueOrderId: update.venueOrderId ?? current.venueOrderId, status, reason: update.reason ?? current.reason, tsUpdated: this.o.clock.nowMs() };
    const kind = status === 'canceled' ? 'canceled' : status === 'rejected' ? 'rejected' : status === 'expired' ? 'expired' : 'accepted';
    this.o.journal.updateOrder(next, this.event(next.clientOrderId, kind, update.reason));
    this.o.events.onOrder(next);
  }

  onVenueFill(fill: Fill): void {
    const current = this.o.journal.getOrder(fill.clientOrderId);
    if (!current) {
      // Never drop a fill: record it against the audit log so reconciliation can find it.
      this.o.journal.audit('venue', 'fill-for-unknown-order', JSON.stringify(fill));
      return;
    }
    const filled = current.filledQuantity + fill.quantity;
    const avg = ((current.avgFillPrice ?? 0) * current.filledQuantity + fill.price * fill.quantity) / filled;
    const stillOpen = isOpenStatus(current.status);
    const status: Order['status'] = filled >= current.quantity - QTY_EPS ? 'filled' : stillOpen ? 'partially_filled' : current.status;
    const next: Order = { ...current, filledQuantity: filled, avgFillPrice: avg, status, venueOrderId: current.venueOrderId ?? fill.venueOrderId, tsUpdated: this.o.clock.nowMs() };
    if (!this.o.journal.insertFill(fill, next)) return;
    this.o.portfolio.applyFill(fill);
    this.o.events.onFill(fill);
    this.o.events.onOrder(next);
  }

  /**
   * A cancel is done when the venue says so (the paper venue says so at once). Until then the order
   * stays open — it may still fill, and a refused cancel leaves it working — and the request is journaled.
   */
  private afterCancelRequest(clientOrderId: string, actor: string): { clientOrderId: string; status: Order['status'] } {
    const after = this.o.journal.getOrder(clientOrderId)!;
    if (isOpenStatus(after.status)) this.o.journal.updateOrder(after, this.event(clientOrderId, 'cancel_requested', `by ${actor}`));
    return { clientOrderId, status: after.status };
  }

  private finish(order: Order, status: Order['status'], reason: string): { clientOrderId: string; status: Order['status'] } {
    const next: Order = { ...order, status, reason, tsUpdated: this.o.clock.nowMs() };
    this.o.journal.updateOrder(next, this.event(order.clientOrderId, status === 'rejected' ? 'rejected' : 'canceled', reason));
    this.o.events.onOrder(next);
    return { clientOrderId: order.clientOrderId, status };
  }

  private event(clientOrderId: string, kind: OrderEvent['kind'], detail: string | null): OrderEvent {
    return { clientOrderId, kind, detail, tsEvent: this.o.clock.nowMs() };
  }

  private nextClientOrderId(): string {
    for (;;) {
      const id = `K${this.sessionTag}-${(++this.seq).toString().padStart(5, '0')}`;
      if (!this.o.journal.getOrder(id)) return id;
    }
  }
}
