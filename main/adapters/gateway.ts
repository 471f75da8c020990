import type {
  Balance,
  Fill,
  GatewayStatus,
  Instrument,
  Order,
  OrderBook,
  Position,
  QuoteTick,
  SubmitOrder,
  TradeTick,
} from '../../shared/model/index.js';

/** What a venue supports, in the style of ccxt's `has`. */
export interface GatewayCapabilities {
  trades: boolean;
  quotes: boolean;
  book: boolean;
  orders: boolean;
  cancelAll: boolean;
  balances: boolean;
  positions: boolean;
  fundingRates: boolean;
  ohlcv: boolean;
  tradeHistory: boolean;
}

export interface GatewayListener {
  onTrades?(ticks: TradeTick[]): void;
  onQuote?(quote: QuoteTick): void;
  onBook?(book: OrderBook): void;
  /** An order changed at the venue (ack, partial fill, cancel, reject). */
  onOrder?(order: Order): void;
  onFill?(fill: Fill): void;
  onStatus?(status: GatewayStatus): void;
}

/** A venue order as the venue reports it, keyed by Kestrel's clientOrderId where the venue echoes it. */
export interface VenueOrderAck {
  clientOrderId: string;
  venueOrderId: string;
  status: Order['status'];
}

/**
 * The port every venue adapter implements (IB, ccxt venues, paper, replay, simulator).
 * Verbs follow ccxt: fetch* is one request, watch/subscribe* a stream, submit/cancel change state.
 */
export interface Gateway {
  readonly gatewayId: string;
  readonly venue: string;
  readonly has: GatewayCapabilities;

  connect(): Promise<void>;
  disconnect(): Promise<void>;
  status(): GatewayStatus;
  setListener(listener: GatewayListener): void;

  loadInstruments(): Promise<Instrument[]>;
  searchInstruments(query: string): Promise<Instrument[]>;

  subscribeTrades(instrumentIds: string[]): Promise<void>;
  subscribeQuotes(instrumentIds: string[]): Promise<void>;
  subscribeBook(instrumentIds: string[], depth?: number): Promise<void>;
  unsubscribe(instrumentIds: string[]): Promise<void>;

  fetchBalances(): Promise<Balance[]>;
  fetchPositions(): Promise<Position[]>;

  submitOrder(clientOrderId: string, order: SubmitOrder): Promise<VenueOrderAck>;
  cancelOrder(clientOrderId: string, venueOrderId: string | null, instrumentId: string): Promise<void>;
  cancelAllOrders(): Promise<void>;
  fetchOpenOrders(): Promise<Order[]>;
  fetchFillsSince(sinceMs: number): Promise<Fill[]>;
}

export const NO_CAPABILITIES: GatewayCapabilities = {
  trades: false,
  quotes: false,
  book: false,
  orders: false,
  cancelAll: false,
  balances: false,
  positions: false,
  fundingRates: false,
  ohlcv: false,
  tradeHistory: false,
};
