import type { Fill, GatewayStatus, Order, OrderBook, QuoteTick, TradeTick } from '../../../shared/model/index.js';
import type { IbGatewayConfigInput } from '../../../main/adapters/ib/config.js';
import { IbGateway } from '../../../main/adapters/ib/gateway.js';
import { FakeTws, type FakeTwsOptions } from '../../fakes/tws/fake-tws.js';

/** Timings small enough for tests; the defaults (seed 002's 20 s retry) are covered by config tests. */
export const FAST: IbGatewayConfigInput = {
  reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  connectTimeoutMs: 2_000,
  requestTimeoutMs: 2_000,
  heartbeatIntervalMs: 50,
  heartbeatTimeoutMs: 400,
  commissionWaitMs: 200,
  fillHoldMaxMs: 1_500,
  resubscribeDebounceMs: 20,
  statusIntervalMs: 100,
};

export const CLIENT_ID = 7;

export interface Recorded {
  quotes: QuoteTick[];
  trades: TradeTick[];
  books: OrderBook[];
  orders: Order[];
  fills: Fill[];
  statuses: GatewayStatus[];
  /** Order and fill events interleaved, in arrival order. */
  sequence: Array<{ kind: 'order'; order: Order } | { kind: 'fill'; fill: Fill }>;
}

export interface IbHarness {
  fake: FakeTws;
  gw: IbGateway;
  events: Recorded;
  close(): Promise<void>;
}

export async function startIb(opts: { fake?: FakeTwsOptions; config?: IbGatewayConfigInput; connect?: boolean } = {}): Promise<IbHarness> {
  const fake = new FakeTws(opts.fake);
  const port = await fake.start();
  const gw = new IbGateway({ port, clientId: CLIENT_ID, ...FAST, ...opts.config });
  const events: Recorded = { quotes: [], trades: [], books: [], orders: [], fills: [], statuses: [], sequence: [] };
  gw.setListener({
    onQuote: (q) => events.quotes.push(q),
    onTrades: (t) => events.trades.push(...t),
    onBook: (b) => events.books.push(b),
    onOrder: (o) => {
      events.orders.push(o);
      events.sequence.push({ kind: 'order', order: o });
    },
    onFill: (f) => {
      events.fills.push(f);
      events.sequence.push({ kind: 'fill', fill: f });
    },
    onStatus: (s) => events.statuses.push(s),
  });
  if (opts.connect !== false) await gw.connect();
  return {
    fake,
    gw,
    events,
    close: async () => {
      await gw.disconnect();
      await fake.stop();
    },
  };
}

/** Polls until `cond` holds; fails naming `what` (integration tests only: they talk over TCP). */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending socket traffic land (for asserting that something did NOT happen). */
export const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));
