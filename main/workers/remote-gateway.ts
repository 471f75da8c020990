import type { Balance, Fill, GatewayStatus, Instrument, Order, Position, SubmitOrder } from '../../shared/model/index.js';
import { KestrelError } from '../../shared/api/errors.js';
import type { Gateway, GatewayCapabilities, GatewayListener, VenueOrderAck } from '../adapters/gateway.js';
import type { RpcEndpoint } from './rpc.js';

/**
 * A venue gateway hosted by the market-data worker, seen from the execution worker: order calls go
 * over the direct port; order events come back through `deliverOrder` / `deliverFill`. The port
 * is swapped when either worker restarts.
 */
export class RemoteGateway implements Gateway {
  readonly has: GatewayCapabilities = {
    trades: false,
    quotes: false,
    book: false,
    orders: true,
    cancelAll: true,
    balances: true,
    positions: true,
    fundingRates: false,
    ohlcv: false,
    tradeHistory: true,
  };
  private listener: GatewayListener = {};

  constructor(
    readonly gatewayId: string,
    readonly venue: string,
    private readonly port: () => RpcEndpoint | null,
  ) {}

  private ep(): RpcEndpoint {
    const ep = this.port();
    if (!ep) throw new KestrelError('unavailable', `the gateway ${this.gatewayId} is not reachable (market-data worker restarting)`);
    return ep;
  }

  private call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.ep().call<T>(method, { gatewayId: this.gatewayId, ...params });
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  status(): GatewayStatus {
    return { gatewayId: this.gatewayId, venue: this.venue, state: this.port() ? 'connected' : 'disconnected', simulated: false, latencyMs: null, messagesPerSec: 0, lastMessageAgeMs: null, reconnectCount: 0, lastError: null, tsUpdated: Date.now() };
  }

  setListener(listener: GatewayListener): void {
    this.listener = listener;
  }

  deliverOrder(order: Order): void {
    this.listener.onOrder?.(order);
  }

  deliverFill(fill: Fill): void {
    this.listener.onFill?.(fill);
  }

  async loadInstruments(): Promise<Instrument[]> {
    return [];
  }
  async searchInstruments(): Promise<Instrument[]> {
    return [];
  }
  async subscribeTrades(): Promise<void> {}
  async subscribeQuotes(): Promise<void> {}
  async subscribeBook(): Promise<void> {}
  async unsubscribe(): Promise<void> {}

  fetchBalances(): Promise<Balance[]> {
    return this.call('gw.fetchBalances');
  }
  fetchPositions(): Promise<Position[]> {
    return this.call('gw.fetchPositions');
  }
  submitOrder(clientOrderId: string, order: SubmitOrder): Promise<VenueOrderAck> {
    return this.call('gw.submitOrder', { clientOrderId, order });
  }
  cancelOrder(clientOrderId: string, venueOrderId: string | null, instrumentId: string): Promise<void> {
    return this.call('gw.cancelOrder', { clientOrderId, venueOrderId, instrumentId });
  }
  cancelAllOrders(): Promise<void> {
    return this.call('gw.cancelAllOrders');
  }
  fetchOpenOrders(): Promise<Order[]> {
    return this.call('gw.fetchOpenOrders');
  }
  fetchFillsSince(sinceMs: number): Promise<Fill[]> {
    return this.call('gw.fetchFillsSince', { sinceMs });
  }
}
