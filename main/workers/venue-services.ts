import type { GatewayStatus } from '../../shared/model/index.js';
import type { Gateway } from '../adapters/gateway.js';
import type { CcxtGateway } from '../adapters/ccxt/gateway.js';
import type { ParquetStore } from '../storage/parquet/parquet-store.js';
import { UniverseStore } from '../storage/universe/universe-store.js';
import type { KestrelConfig, VenueConfig } from '../system/config.js';
import { HistorySync } from '../system/history-sync.js';
import { CcxtHistorySource } from '../system/ccxt-history-source.js';
import { UniverseService } from '../system/universe-service.js';
import { CcxtUniverseSource } from '../system/ccxt-universe-source.js';
import { historySyncSettings } from '../system/market-data-services-config.js';

export interface VenueServicesSinks {
  progress(p: { job: string; done: number; total: number | null; message: string }): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The universe changed: the venue's subscriptions should become `instrumentIds`. */
  universe(gateway: Gateway, config: VenueConfig, instrumentIds: string[]): void;
}

interface PerGateway {
  sync: HistorySync;
  ids: Set<string>;
  reconnects: number;
}

/**
 * The market-data worker's background services per crypto venue: REST history fill on start and
 * after every reconnect, funding and premium-index polling, and the daily universe refresh that
 * subscriptions follow. IB history is left to IB's own rules (not filled here).
 */
export class VenueServices {
  private readonly perGateway = new Map<string, PerGateway>();
  private readonly universes: UniverseService[] = [];

  constructor(
    private readonly config: KestrelConfig,
    private readonly dataDir: string,
    private readonly store: ParquetStore | null,
    private readonly sinks: VenueServicesSinks,
  ) {}

  /** A venue now streams `ids`: fill their history, poll their funding, maybe start its universe. */
  onSubscribed(gateway: Gateway, venue: VenueConfig, ids: string[]): void {
    if (venue.type !== 'ccxt' || !this.store) return;
    const ccxt = gateway as CcxtGateway;
    let g = this.perGateway.get(gateway.gatewayId);
    const fresh = !g;
    if (!g) {
      const sync = new HistorySync({
        source: new CcxtHistorySource(() => ccxt.venueSession()),
        store: this.store,
        settings: historySyncSettings(this.config),
        onProgress: ({ job, done, total, message }) => this.sinks.progress({ job, done, total, message }),
        log: (level, message) => this.sinks.log(level, message),
      });
      g = { sync, ids: new Set(), reconnects: gateway.status().reconnectCount };
      this.perGateway.set(gateway.gatewayId, g);
      if (this.config.funding.enabled) {
        const ids = g.ids;
        sync.startFundingPoll(this.config.funding.pollMinutes * 60_000, () => [...ids]);
      }
    }
    for (const id of ids) g.ids.add(id);
    if (this.config.history.onStart) void g.sync.syncAll(ids, { reason: 'start' });
    if (fresh) this.maybeStartUniverse(gateway, venue);
  }

  /** After a reconnect the gap since the last stored record is filled again. */
  onStatus(status: GatewayStatus): void {
    const g = this.perGateway.get(status.gatewayId);
    if (!g || status.state !== 'connected' || status.reconnectCount <= g.reconnects) return;
    g.reconnects = status.reconnectCount;
    if (this.config.history.afterReconnect) void g.sync.syncAll([...g.ids], { reason: 'reconnect' });
  }

  async stop(): Promise<void> {
    for (const u of this.universes) u.stop();
    for (const g of this.perGateway.values()) g.sync.stop();
  }

  private maybeStartUniverse(gateway: Gateway, venue: VenueConfig): void {
    const u = this.config.universe;
    if (!u.enabled || venue.type !== 'ccxt' || u.venue !== venue.ccxt.venue || this.universes.length) return;
    const ccxt = gateway as CcxtGateway;
    const service = new UniverseService({
      source: new CcxtUniverseSource(() => ccxt.venueSession(), { marketTypes: u.marketTypes }),
      store: new UniverseStore(this.dataDir),
      rule: u.rule,
      schedule: u.refresh,
      refreshIfStale: u.refreshIfStale,
      retryDelayMs: u.retryDelayMs,
      onUniverse: (instrumentIds) => this.sinks.universe(gateway, venue, instrumentIds),
      log: (level, message) => this.sinks.log(level, message),
    });
    this.universes.push(service);
    void service.start();
  }
}
