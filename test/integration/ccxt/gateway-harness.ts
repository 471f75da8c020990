import type { GatewayListener } from '../../../main/adapters/gateway.js';
import { CcxtGateway, type CcxtGatewayDeps, type GatewayLogLevel } from '../../../main/adapters/ccxt/gateway.js';
import type { CcxtGatewayConfigInput, CcxtVenueId } from '../../../main/adapters/ccxt/config.js';
import { RateBudget } from '../../../main/adapters/ccxt/rate-budget.js';
import type { Fill, GatewayStatus, Order, OrderBook, QuoteTick, TradeTick } from '../../../shared/model/index.js';
import { installCatalog } from '../../fakes/exchange/catalogs.js';
import { ExchangeServer } from '../../fakes/exchange/exchange-server.js';

/** Everything a gateway told its listener and its log, for assertions. */
export class Recorder implements GatewayListener {
  readonly trades: TradeTick[] = [];
  readonly quotes: QuoteTick[] = [];
  readonly books: OrderBook[] = [];
  readonly orders: Order[] = [];
  readonly fills: Fill[] = [];
  readonly statuses: GatewayStatus[] = [];
  readonly logs: Array<{ level: GatewayLogLevel; message: string }> = [];
  onTrades = (t: TradeTick[]) => void this.trades.push(...t);
  onQuote = (q: QuoteTick) => void this.quotes.push(q);
  onBook = (b: OrderBook) => void this.books.push(b);
  onOrder = (o: Order) => void this.orders.push(o);
  onFill = (f: Fill) => void this.fills.push(f);
  onStatus = (s: GatewayStatus) => void this.statuses.push(s);
  log = (level: GatewayLogLevel, message: string) => void this.logs.push({ level, message });
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Harness {
  server: ExchangeServer;
  gateway: CcxtGateway;
  rec: Recorder;
  close(): Promise<void>;
}

/** A fake venue with its market listing, and a CcxtGateway pointed at it (nothing else reachable). */
export async function startHarness(
  venue: CcxtVenueId,
  config: Partial<CcxtGatewayConfigInput> = {},
  deps: CcxtGatewayDeps = {},
  prepare?: (server: ExchangeServer) => void,
): Promise<Harness> {
  const server = await ExchangeServer.start(venue);
  installCatalog(server);
  prepare?.(server);
  const rec = new Recorder();
  const gateway = new CcxtGateway(
    {
      venue,
      accountId: 'test1',
      restUrl: server.restUrl,
      wsUrl: server.wsUrl,
      heartbeatMs: 0,
      timeoutMs: 3000,
      // ccxt's own limiter would pace the fake like the real venue (1 s per historicalTrades page).
      rateLimitMs: 1,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      backfill: { quietDelayMs: 300 },
      ...config,
    },
    { privateStreams: false, statusIntervalMs: 0, budget: new RateBudget({ costPerSec: 1e6, burst: 1e6 }), log: rec.log, ...deps },
  );
  gateway.setListener(rec);
  return {
    server,
    gateway,
    rec,
    async close() {
      await gateway.disconnect();
      await server.close();
    },
  };
}
