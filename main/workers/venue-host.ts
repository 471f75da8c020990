import type { Fill, GatewayStatus, Instrument, Order, OrderBook, QuoteTick, SubmitOrder, TradeTick } from '../../shared/model/index.js';
import { makeInstrumentId } from '../../shared/model/index.js';
import { KestrelError } from '../../shared/api/errors.js';
import type { Gateway } from '../adapters/gateway.js';
import type { VenueConfig } from '../system/config.js';
import { createVenueGateway, venueAccountId } from '../system/gateway-factory.js';
import { ReplayVenue } from '../adapters/replay/replay-venue.js';
import { replayInstrument } from '../adapters/replay/replay-instrument.js';
import type { RpcEndpoint } from './rpc.js';

export interface VenueHostSinks {
  onInstruments(list: Instrument[]): void;
  onTrades(ticks: TradeTick[]): void;
  onQuote(quote: QuoteTick): void;
  onBook(book: OrderBook): void;
  /** Instruments now streaming from a venue (at start, and after `resubscribe`). */
  onSubscribed(gateway: Gateway, config: VenueConfig, instrumentIds: string[]): void;
  onStatus(status: GatewayStatus): void;
  onOrder(accountId: string, order: Order): void;
  onFill(accountId: string, fill: Fill): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** An account whose orders go to a real venue through a gateway of this host. */
export interface VenueAccount {
  accountId: string;
  gatewayId: string;
  venue: string;
  dryRun: boolean;
}

interface Hosted {
  config: VenueConfig;
  gateway: Gateway;
  accountId: string;
}

/**
 * The gateways side of the market-data worker: one Gateway per configured venue, connected in the
 * background (adapters reconnect on their own), subscribed to the configured instruments, with
 * market data and order events handed to the sinks. Order calls arrive from the execution worker
 * over a direct port (see `serve`).
 */
export class VenueHost {
  private readonly hosted = new Map<string, Hosted>();

  constructor(
    private readonly venues: VenueConfig[],
    private readonly sinks: VenueHostSinks,
    private readonly dataDir: string,
  ) {}

  /** The replayed venue clock when a replay runs (the whole core follows it), else null. */
  replayClock(): { nowMs(): number } | null {
    for (const h of this.hosted.values()) if (h.gateway instanceof ReplayVenue) return h.gateway.clock;
    return null;
  }

  async start(): Promise<void> {
    for (const config of this.venues) {
      let gateway: Gateway;
      try {
        gateway = await createVenueGateway(config, this.sinks.log, this.dataDir);
      } catch (err) {
        this.sinks.log('error', `cannot set up a ${config.type} venue: ${(err as Error).message}`);
        continue;
      }
      const accountId = venueAccountId(config);
      this.hosted.set(gateway.gatewayId, { config, gateway, accountId });
      const seen = gateway instanceof ReplayVenue ? this.replayInstruments(config) : null;
      gateway.setListener({
        onTrades: (t) => {
          if (seen) for (const x of t) seen(x.instrumentId);
          this.sinks.onTrades(t);
        },
        onQuote: (q) => {
          seen?.(q.instrumentId);
          this.sinks.onQuote(q);
        },
        onBook: (b) => {
          seen?.(b.instrumentId);
          this.sinks.onBook(b);
        },
        onStatus: (s) => this.sinks.onStatus(s),
        onOrder: (o) => this.sinks.onOrder(accountId, o),
        onFill: (f) => this.sinks.onFill(accountId, f),
      });
      void this.bringUp(gateway, config);
    }
  }

  /** Recordings name their instruments as they play: announce each the first time it appears. */
  private replayInstruments(config: VenueConfig): (instrumentId: string) => void {
    const known = new Set<string>();
    const sizes = config.type === 'replay' ? new Map(config.replay.instruments.map((i) => [i.instrumentId, i])) : new Map();
    return (id) => {
      if (known.has(id)) return;
      known.add(id);
      this.sinks.onInstruments([replayInstrument(id, sizes.get(id))]);
      this.sinks.onSubscribed(this.hostedFor(config)!, config, [id]);
    };
  }

  private hostedFor(config: VenueConfig): Gateway | undefined {
    for (const h of this.hosted.values()) if (h.config === config) return h.gateway;
    return undefined;
  }

  accounts(): VenueAccount[] {
    return [...this.hosted.values()]
      .filter((h) => h.config.orders === 'venue')
      .map((h) => ({ accountId: h.accountId, gatewayId: h.gateway.gatewayId, venue: h.gateway.venue, dryRun: h.config.dryRun }));
  }

  /** Follows a new universe: subscribes what was added, unsubscribes what left. */
  async follow(gateway: Gateway, config: VenueConfig, before: string[], after: string[]): Promise<void> {
    const added = after.filter((id) => !before.includes(id));
    const removed = before.filter((id) => !after.includes(id));
    if (removed.length) await gateway.unsubscribe(removed).catch((err: unknown) => this.sinks.log('warn', `${gateway.gatewayId}: unsubscribe failed: ${(err as Error).message}`));
    if (!added.length) return;
    if (gateway.has.trades) await gateway.subscribeTrades(added);
    if (gateway.has.quotes) await gateway.subscribeQuotes(added);
    this.sinks.onSubscribed(gateway, config, added);
  }

  statuses(): GatewayStatus[] {
    return [...this.hosted.values()].map((h) => h.gateway.status());
  }

  /** Order calls from the execution worker, by gateway id. */
  serve(ep: RpcEndpoint): void {
    const gw = (p: unknown): Gateway => {
      const id = (p as { gatewayId?: string }).gatewayId ?? '';
      const h = this.hosted.get(id);
      if (!h) throw new KestrelError('not_found', `no venue gateway ${id}`);
      return h.gateway;
    };
    ep.handle('gw.accounts', () => this.accounts());
    ep.handle('gw.submitOrder', (p) => {
      const { clientOrderId, order } = p as { clientOrderId: string; order: SubmitOrder };
      return gw(p).submitOrder(clientOrderId, order);
    });
    ep.handle('gw.cancelOrder', (p) => {
      const { clientOrderId, venueOrderId, instrumentId } = p as { clientOrderId: string; venueOrderId: string | null; instrumentId: string };
      return gw(p).cancelOrder(clientOrderId, venueOrderId, instrumentId);
    });
    ep.handle('gw.cancelAllOrders', (p) => gw(p).cancelAllOrders());
    ep.handle('gw.fetchOpenOrders', (p) => gw(p).fetchOpenOrders());
    ep.handle('gw.fetchFillsSince', (p) => gw(p).fetchFillsSince((p as { sinceMs: number }).sinceMs));
    ep.handle('gw.fetchBalances', (p) => gw(p).fetchBalances());
    ep.handle('gw.fetchPositions', (p) => gw(p).fetchPositions());
  }

  /** The kill switch's fail-safe path: cancel everything at every venue that takes orders. */
  async cancelEverything(): Promise<string[]> {
    const failures: string[] = [];
    for (const h of this.hosted.values()) {
      if (h.config.orders !== 'venue' || !h.gateway.has.orders) continue;
      await h.gateway.cancelAllOrders().catch((err: unknown) => failures.push(`${h.gateway.gatewayId}: ${(err as Error).message}`));
    }
    return failures;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.hosted.values()].map((h) => h.gateway.disconnect().catch(() => undefined)));
  }

  private async bringUp(gateway: Gateway, config: VenueConfig): Promise<void> {
    try {
      await gateway.connect();
    } catch (err) {
      // The adapter keeps retrying; its status shows the reason.
      this.sinks.log('warn', `${gateway.gatewayId}: ${(err as Error).message}`);
    }
    try {
      const instruments = await gateway.loadInstruments();
      this.sinks.onInstruments(instruments);
      if (gateway instanceof ReplayVenue) {
        // A recording names its instruments as it plays; '*' takes every one of them.
        const wanted = config.subscribe.includes('*') ? ['*'] : config.subscribe;
        await gateway.subscribeTrades(wanted);
        await gateway.subscribeQuotes(wanted);
        await gateway.subscribeBook(wanted);
        gateway.onFinished((f) => this.sinks.log(f.error ? 'error' : 'info', `replay finished: ${f.stats.trades} trades, ${f.stats.quotes} quotes${f.error ? ` — ${f.error}` : ''}`));
        gateway.play();
        return;
      }
      const ids = config.subscribe.map((s) => (s.startsWith(`${gateway.venue}:`) ? s : makeInstrumentId(gateway.venue, s)));
      if (!ids.length) return;
      const known = new Set(instruments.map((i) => i.instrumentId));
      // Venues like IB list only what was searched or held: look the rest up by id.
      for (const id of ids.filter((x) => !known.has(x))) {
        const found = (await gateway.searchInstruments(id).catch(() => [])).filter((i) => i.instrumentId === id);
        if (found.length) {
          this.sinks.onInstruments(found);
          known.add(id);
        }
      }
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length) this.sinks.log('warn', `${gateway.gatewayId}: not listed by the venue, not subscribed: ${unknown.join(', ')}`);
      const wanted = ids.filter((id) => known.has(id));
      if (gateway.has.trades) await gateway.subscribeTrades(wanted);
      if (gateway.has.quotes) await gateway.subscribeQuotes(wanted);
      this.sinks.onSubscribed(gateway, config, wanted);
    } catch (err) {
      this.sinks.log('error', `${gateway.gatewayId}: could not load instruments or subscribe: ${(err as Error).message}`);
    }
  }
}
