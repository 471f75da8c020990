import type { Fill, Order, OrderStatus, SubmitOrder } from '../../../shared/model/index.js';
import {
  instrumentIdOfContract,
  parseIbTime,
  toFill,
  toOrderStatus,
  toOrderType,
  toTimeInForce,
  venueOrderKey,
  type IbCommissionPayload,
  type IbContractPayload,
  type IbExecutionPayload,
  type IbOrderPayload,
  type IbOrderStatusEvent,
} from './parse.js';

export interface OrderTrackerSink {
  order(order: Order): void;
  fill(fill: Fill): void;
}

export interface OrderTrackerOptions {
  commissionWaitMs: number;
  fillHoldMaxMs: number;
  twsTimeZone: string;
  now: () => number;
}

interface Tracked {
  order: Order;
  ibOrderId: number;
  permId: number | undefined;
  /** TWS has described the order (openOrder or orderStatus); fills wait for this. */
  known: boolean;
  waiters: Array<() => void>;
}

interface PendingFill {
  exec: IbExecutionPayload;
  contract: IbContractPayload;
  commission: IbCommissionPayload | undefined;
  since: number;
  timer: ReturnType<typeof setTimeout> | null;
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);

/**
 * Turns TWS's order traffic into Kestrel Order and Fill events, whatever order it arrives in.
 * TWS may send execDetails before openOrder/orderStatus, a commission report after the
 * execution, and the same execution again (reqExecutions after a reconnect). So: a fill is held
 * until its order is known and its commission arrived (each wait bounded), emitted once per
 * execId, and never dropped.
 */
export class IbOrderTracker {
  private readonly byKey = new Map<string, Tracked>();
  private readonly byClientOrderId = new Map<string, Tracked>();
  private readonly pending = new Map<string, PendingFill>();
  private readonly emitted = new Map<string, Fill>();
  private readonly earlyCommissions = new Map<string, IbCommissionPayload>();
  /** orderStatus of orders no openOrder has described yet (other clients' orders). */
  private readonly heldStatus = new Map<number, IbOrderStatusEvent>();

  constructor(
    private readonly sink: OrderTrackerSink,
    private readonly opts: OrderTrackerOptions,
  ) {}

  /** An order Kestrel is about to send. Throws if this clientOrderId was sent before. */
  register(clientOrderId: string, ibOrderId: number, cmd: SubmitOrder, accountId: string): Order {
    if (this.byClientOrderId.has(clientOrderId)) {
      const prior = this.byClientOrderId.get(clientOrderId);
      throw new Error(`clientOrderId ${clientOrderId} was already sent to IB as order ${prior?.ibOrderId}; not sending it twice`);
    }
    const now = this.opts.now();
    const order: Order = {
      clientOrderId,
      venueOrderId: String(ibOrderId),
      accountId,
      instrumentId: cmd.instrumentId,
      side: cmd.side,
      type: cmd.type,
      timeInForce: cmd.timeInForce ?? 'DAY',
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
    const t: Tracked = { order, ibOrderId, permId: undefined, known: false, waiters: [] };
    this.byKey.set(String(ibOrderId), t);
    this.byClientOrderId.set(clientOrderId, t);
    return { ...order };
  }

  find(clientOrderId: string | null, venueOrderId: string | null): { ibOrderId: number; order: Order } | undefined {
    const t = (clientOrderId ? this.byClientOrderId.get(clientOrderId) : undefined) ?? (venueOrderId ? this.byKey.get(venueOrderId) : undefined);
    return t ? { ibOrderId: t.ibOrderId, order: { ...t.order } } : undefined;
  }

  openOrders(): Order[] {
    return [...this.byKey.values()].filter((t) => !TERMINAL.has(t.order.status)).map((t) => ({ ...t.order }));
  }

  /** The order never left Kestrel (the connection dropped first): it is rejected, not retried. */
  markNotSent(ibOrderId: number, reason: string): void {
    const t = this.byKey.get(String(ibOrderId));
    if (t && !t.known) this.update(t, { status: 'rejected', reason }, true);
  }

  /** Resolves with the order once TWS acknowledged or refused it, or after timeoutMs as it stands. */
  async waitForAck(ibOrderId: number, timeoutMs: number): Promise<Order> {
    const t = this.byKey.get(String(ibOrderId));
    if (!t) throw new Error(`IB order ${ibOrderId} is not tracked`);
    if (t.known || TERMINAL.has(t.order.status)) return { ...t.order };
    await this.waitOn(t, timeoutMs, () => t.known || TERMINAL.has(t.order.status));
    return { ...t.order };
  }

  /** Resolves once the order reached a terminal state, or after timeoutMs. */
  async waitForTerminal(ibOrderId: number, timeoutMs: number): Promise<Order | undefined> {
    const t = this.byKey.get(String(ibOrderId));
    if (!t) return undefined;
    if (!TERMINAL.has(t.order.status)) await this.waitOn(t, timeoutMs, () => TERMINAL.has(t.order.status));
    return { ...t.order };
  }

  onOpenOrder(contract: IbContractPayload, o: IbOrderPayload, ibStatus: string): void {
    const key = venueOrderKey(o.orderId, o.permId);
    let t = this.byKey.get(key) ?? (o.orderRef ? this.byClientOrderId.get(o.orderRef) : undefined);
    if (!t) {
      t = this.adopt(contract, o);
      const held = this.heldStatus.get(o.orderId);
      this.heldStatus.delete(o.orderId);
      t.permId = o.permId;
      t.known = true;
      this.applyOpenOrderStatus(t, ibStatus);
      if (held) this.applyStatus(t, held, false);
      this.sink.order({ ...t.order });
      this.wake(t);
      this.releaseFillsOf(t);
      return;
    }
    t.permId = o.permId ?? t.permId;
    const wasKnown = t.known;
    t.known = true;
    const changed = this.applyOpenOrderStatus(t, ibStatus);
    if (changed || !wasKnown) this.sink.order({ ...t.order });
    this.wake(t);
    this.releaseFillsOf(t);
  }

  onOrderStatus(ev: IbOrderStatusEvent): void {
    const t = this.byKey.get(venueOrderKey(ev.orderId, ev.permId));
    if (!t) {
      // Not ours and not described yet: keep the latest status until openOrder arrives.
      this.heldStatus.set(ev.orderId, ev);
      return;
    }
    t.permId = ev.permId ?? t.permId;
    const wasKnown = t.known;
    t.known = true;
    const changed = this.applyStatus(t, ev, false);
    if (changed || !wasKnown) this.sink.order({ ...t.order });
    this.wake(t);
    this.releaseFillsOf(t);
  }

  /**
   * An error TWS sent for an order id. 'error' (anything not a warning or a cancel refusal)
   * rejects an order TWS has not acknowledged yet: such an order never reached the book.
   * Returns false if the id is not an order Kestrel knows.
   */
  onOrderError(ibOrderId: number, kind: 'order-rejected' | 'order-canceled' | 'error' | 'other', message: string): boolean {
    const t = this.byKey.get(String(ibOrderId));
    if (!t) return false;
    const refused = kind === 'order-rejected' || (kind === 'error' && !t.known);
    if (refused && !TERMINAL.has(t.order.status)) {
      this.update(t, { status: 'rejected', reason: message }, true);
    } else if (kind === 'order-canceled' && !TERMINAL.has(t.order.status)) {
      this.update(t, { status: 'canceled', reason: message }, true);
    } else {
      this.wake(t);
    }
    return true;
  }

  onExecution(contract: IbContractPayload, exec: IbExecutionPayload): void {
    if (this.emitted.has(exec.execId) || this.pending.has(exec.execId)) return;
    const p: PendingFill = { exec, contract, commission: this.earlyCommissions.get(exec.execId), since: this.opts.now(), timer: null };
    this.earlyCommissions.delete(exec.execId);
    this.pending.set(exec.execId, p);
    this.evaluate(p);
  }

  onCommission(report: IbCommissionPayload): void {
    const p = this.pending.get(report.execId);
    if (p) {
      p.commission = report;
      this.evaluate(p);
    } else if (!this.emitted.has(report.execId)) {
      this.earlyCommissions.set(report.execId, report);
    }
  }

  /** Fills seen so far (emitted, and held ones as they would be emitted now), oldest first. */
  fillsSince(sinceMs: number): Fill[] {
    const all = [...this.emitted.values(), ...[...this.pending.values()].map((p) => this.buildFill(p))];
    return all.filter((f) => f.tsEvent >= sinceMs).sort((a, b) => a.tsEvent - b.tsEvent);
  }

  fillOf(execId: string): Fill | undefined {
    const p = this.pending.get(execId);
    return this.emitted.get(execId) ?? (p ? this.buildFill(p) : undefined);
  }

  /** Emits every held fill now (shutdown): a fill is never dropped. */
  flush(): void {
    for (const p of [...this.pending.values()]) this.emit(p);
  }

  // ---- internals ---------------------------------------------------------------------------

  private adopt(contract: IbContractPayload, o: IbOrderPayload): Tracked {
    const now = this.opts.now();
    const type = toOrderType(o.orderType);
    const order: Order = {
      clientOrderId: o.orderRef || `IB-${o.permId ?? o.orderId}`,
      venueOrderId: venueOrderKey(o.orderId, o.permId),
      accountId: o.account ?? '',
      instrumentId: instrumentIdOfContract(contract),
      side: o.action === 'BUY' ? 'buy' : 'sell',
      type,
      timeInForce: toTimeInForce(o.tif),
      quantity: o.totalQuantity,
      price: type === 'limit' ? (o.lmtPrice ?? null) : null,
      stopPrice: type === 'stop' ? (o.auxPrice ?? null) : null,
      status: 'open',
      filledQuantity: 0,
      avgFillPrice: null,
      reason: null,
      tsCreated: now,
      tsUpdated: now,
    };
    const t: Tracked = { order, ibOrderId: o.orderId, permId: o.permId, known: false, waiters: [] };
    this.byKey.set(order.venueOrderId ?? String(o.orderId), t);
    if (!this.byClientOrderId.has(order.clientOrderId)) this.byClientOrderId.set(order.clientOrderId, t);
    return t;
  }

  /** openOrder carries a state but no fill counts; "Filled" there means all of it. */
  private applyOpenOrderStatus(t: Tracked, ibStatus: string): boolean {
    const filled = ibStatus === 'Filled' ? t.order.quantity : t.order.filledQuantity;
    return this.applyStatus(t, { orderId: t.ibOrderId, status: ibStatus, filled, remaining: t.order.quantity - filled }, false);
  }

  private applyStatus(t: Tracked, ev: IbOrderStatusEvent, emit: boolean): boolean {
    const filled = ev.filled ?? t.order.filledQuantity;
    const remaining = ev.remaining ?? Math.max(0, t.order.quantity - filled);
    const status = toOrderStatus(ev.status, filled, remaining);
    const patch: Partial<Order> = {};
    // IB repeats and reorders status messages; a terminal state never goes back to open.
    if (status && status !== t.order.status && !TERMINAL.has(t.order.status)) patch.status = status;
    if (filled > t.order.filledQuantity) patch.filledQuantity = filled;
    if (ev.avgFillPrice && ev.avgFillPrice > 0 && ev.avgFillPrice !== t.order.avgFillPrice) patch.avgFillPrice = ev.avgFillPrice;
    if (Object.keys(patch).length === 0) return false;
    this.update(t, patch, emit);
    return true;
  }

  private update(t: Tracked, patch: Partial<Order>, emit: boolean): void {
    t.order = { ...t.order, ...patch, tsUpdated: this.opts.now() };
    if (emit) this.sink.order({ ...t.order });
    this.wake(t);
  }

  private trackedFor(exec: IbExecutionPayload): Tracked | undefined {
    return this.byKey.get(venueOrderKey(exec.orderId, exec.permId)) ?? (exec.orderRef ? this.byClientOrderId.get(exec.orderRef) : undefined);
  }

  private releaseFillsOf(t: Tracked): void {
    for (const p of [...this.pending.values()]) if (this.trackedFor(p.exec) === t) this.evaluate(p);
  }

  private evaluate(p: PendingFill): void {
    const known = this.trackedFor(p.exec)?.known ?? false;
    const waited = this.opts.now() - p.since;
    const commissionDue = p.commission !== undefined || waited >= this.opts.commissionWaitMs;
    if ((known && commissionDue) || waited >= this.opts.fillHoldMaxMs) {
      this.emit(p);
      return;
    }
    const at = known ? this.opts.commissionWaitMs : this.opts.fillHoldMaxMs;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = null;
      if (this.pending.get(p.exec.execId) === p) this.evaluate(p);
    }, Math.max(0, at - waited));
    p.timer.unref?.();
  }

  private emit(p: PendingFill): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(p.exec.execId);
    if (this.emitted.has(p.exec.execId)) return;
    const fill = this.buildFill(p);
    this.emitted.set(p.exec.execId, fill);
    const t = this.trackedFor(p.exec);
    // Without an orderStatus (e.g. the order finished while disconnected) the execution's
    // cumulative quantity still moves the order forward.
    if (t && p.exec.cumQty !== undefined && p.exec.cumQty > t.order.filledQuantity && !TERMINAL.has(t.order.status)) {
      const status: OrderStatus = p.exec.cumQty >= t.order.quantity ? 'filled' : 'partially_filled';
      this.update(t, { filledQuantity: p.exec.cumQty, avgFillPrice: p.exec.avgPrice ?? t.order.avgFillPrice, status }, true);
    }
    this.sink.fill(fill);
  }

  private buildFill(p: PendingFill): Fill {
    const t = this.trackedFor(p.exec);
    return toFill(p.exec, {
      instrumentId: t?.order.instrumentId ?? instrumentIdOfContract(p.contract),
      clientOrderId: t?.order.clientOrderId ?? (p.exec.orderRef || `IB-${p.exec.permId ?? p.exec.orderId}`),
      venueOrderId: t?.order.venueOrderId ?? venueOrderKey(p.exec.orderId, p.exec.permId),
      fee: p.commission?.commission ?? 0,
      feeCurrency: p.commission?.currency ?? '',
      tsEvent: parseIbTime(p.exec.time, this.opts.twsTimeZone) ?? p.since,
    });
  }

  private async waitOn(t: Tracked, timeoutMs: number, done: () => boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      timer.unref?.();
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      const check = (): void => {
        if (done()) finish();
        else t.waiters.push(check);
      };
      t.waiters.push(check);
    });
  }

  private wake(t: Tracked): void {
    const ws = t.waiters;
    t.waiters = [];
    for (const w of ws) w();
  }
}
