import { z } from 'zod';
import {
  Bar,
  BarInterval,
  Fill,
  FundingRate,
  GatewayStatus,
  Instrument,
  InstrumentId,
  Order,
  OrderStatus,
  Position,
  Balance,
  Account,
  QuoteTick,
  SubmitOrder,
  TradeTick,
  TradingState,
  WorkerEvent,
} from '../model/index.js';

/**
 * The one contract between the renderer (and scripts) and the core. Each method has an input and
 * an output schema; the IPC bridge, the WebSocket transport, the REST routes and the OpenAPI
 * document are all derived from this table.
 */
const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) => ({ input, output, doc });

const Empty = z.object({}).strict();
const Reason = z.string().trim().min(1, 'a reason is required').max(500);

export const QuoteRow = z.object({
  instrumentId: InstrumentId,
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  last: z.number().nullable(),
  ts: z.number(),
  simulated: z.boolean(),
});
export type QuoteRow = z.infer<typeof QuoteRow>;

export const OrderAck = z.object({ clientOrderId: z.string(), status: OrderStatus });
export const SystemState = z.object({
  tradingState: TradingState.shape.state,
  tradingStateReason: z.string(),
  tsChanged: z.number(),
  gateways: z.array(GatewayStatus),
  workers: z.array(z.object({ worker: z.string(), alive: z.boolean(), restarts: z.number() })),
  simulated: z.boolean(),
  version: z.string(),
  /** The bar intervals this core aggregates (config marketdata.intervals). */
  barIntervals: z.array(BarInterval),
});
export type SystemState = z.infer<typeof SystemState>;

export const BarsQuery = z.object({
  instrumentId: InstrumentId,
  interval: BarInterval.default('1m'),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().positive().max(100_000).optional(),
});

export const apiMethods = {
  'instruments.list': method(Empty, z.array(Instrument), 'Every instrument the core knows.'),
  'quotes.list': method(Empty, z.array(QuoteRow), 'Latest bid/ask/last per instrument.'),
  'bars.list': method(BarsQuery, z.array(Bar), 'Bars of one instrument and interval, oldest first.'),
  'funding.list': method(
    z.object({ instrumentId: InstrumentId, from: z.coerce.number().int().nonnegative().optional(), to: z.coerce.number().int().nonnegative().optional() }).strict(),
    z.array(FundingRate),
    'Stored funding payments of a perp, oldest first, with the rate scaled to 24h.',
  ),
  'orders.list': method(z.object({ status: z.enum(['open', 'all']).default('open') }), z.array(Order), 'Orders, open ones by default.'),
  'orders.submit': method(SubmitOrder, OrderAck, 'Place an order. Risk-checked, journaled, then sent.'),
  'orders.cancel': method(z.object({ clientOrderId: z.string().min(1) }).strict(), OrderAck, 'Cancel one open order.'),
  'orders.cancelAll': method(Empty, z.object({ canceled: z.number() }), 'Cancel every open order.'),
  'fills.list': method(z.object({ since: z.coerce.number().optional() }), z.array(Fill), 'Fills, oldest first.'),
  'positions.list': method(Empty, z.array(Position), 'Positions derived from fills, marked to the latest quote.'),
  'balances.list': method(Empty, z.array(Balance), 'Cash per account and currency.'),
  'state.get': method(Empty, SystemState, 'Trading state, gateways and workers.'),
  'accounts.list': method(Empty, z.array(Account), 'Accounts with their venue, mode (paper, testnet, live) and dry-run flag.'),
  'gateways.list': method(Empty, z.array(GatewayStatus), 'Health of each venue connection.'),
  'paper.reset': method(
    z.object({ accountId: z.string().min(1).optional() }).strict(),
    z.object({ accounts: z.array(z.string()) }),
    'Start a paper account over: cancel its orders, restore its starting cash, clear its positions. Journaled orders and fills stay.',
  ),
  'killSwitch.halt': method(
    z.object({ reason: Reason, flatten: z.boolean().default(false) }).strict(),
    TradingState,
    'Emergency stop: cancel every open order, refuse new ones until re-armed.',
  ),
  'killSwitch.rearm': method(z.object({ reason: Reason }).strict(), TradingState, 'Re-arm trading after a halt.'),
} as const;

export type ApiMethods = typeof apiMethods;
export type MethodName = keyof ApiMethods;
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.infer<ApiMethods[M]['output']>;

export const apiEvents = {
  quotes: z.array(QuoteRow),
  trades: z.array(TradeTick),
  bar: Bar,
  /** Every streamed instrument has its bar for this interval and window (once per window). */
  barsComplete: z.object({ interval: BarInterval, openTime: z.number() }),
  order: Order,
  fill: Fill,
  positions: z.array(Position),
  tradingState: TradingState,
  gateway: GatewayStatus,
  worker: WorkerEvent,
  progress: z.object({ job: z.string(), done: z.number(), total: z.number().nullable(), message: z.string() }),
} as const;
export type ApiEvents = typeof apiEvents;
export type EventName = keyof ApiEvents;
export type EventData<E extends EventName> = z.infer<ApiEvents[E]>;

export const METHOD_NAMES = Object.keys(apiMethods) as MethodName[];
export const EVENT_NAMES = Object.keys(apiEvents) as EventName[];

/** What the renderer holds: the same shape whether it came from the preload or the WebSocket client. */
export interface KestrelApi {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void;
}
