import { KestrelError } from '../../shared/api/errors.js';
import type { Bar, FundingRate, TradeTick } from '../../shared/model/market.js';
import type { CcxtVenue } from '../adapters/ccxt/ccxt-venue.js';
import {
  fetchBarHistory,
  fetchFundingHistory,
  fetchPremiumIndexHistory,
  fetchTradeHistory,
  type HistoryBar,
  type HistoryResult,
} from '../adapters/ccxt/history.js';
import { VenueError, type VenueErrorKind } from '../adapters/ccxt/venue-error.js';
import type { PremiumIndexBar } from '../marketdata/funding.js';
import type { HistoryCapabilities, HistoryFetchIo, HistoryFetchOutcome, HistorySource } from './history-sync.js';

/** Venue failures that may pass if asked again later. */
const RETRYABLE: ReadonlySet<VenueErrorKind> = new Set(['timeout', 'network', 'unavailable', 'rate_limited', 'banned', 'bad_response']);

function toBar(b: HistoryBar): Bar {
  const missing = (['quoteVolume', 'tradeCount', 'buyVolume', 'sellVolume', 'buyQuoteVolume', 'sellQuoteVolume'] as const).filter((k) => b[k] === null);
  if (missing.length) throw new KestrelError('internal', `${b.instrumentId} ${b.interval} bar at ${new Date(b.openTime).toISOString()} lacks ${missing.join(', ')}`);
  return {
    instrumentId: b.instrumentId,
    interval: b.interval,
    openTime: b.openTime,
    closeTime: b.closeTime,
    timeLabel: b.timeLabel,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    quoteVolume: b.quoteVolume!,
    tradeCount: b.tradeCount!,
    vwap: b.vwap,
    buyVolume: b.buyVolume!,
    sellVolume: b.sellVolume!,
    buyQuoteVolume: b.buyQuoteVolume!,
    sellQuoteVolume: b.sellQuoteVolume!,
    final: true,
  };
}

const outcome = (r: HistoryResult<unknown>): HistoryFetchOutcome => ({ complete: r.complete, note: r.note });

/**
 * A ccxt venue's REST history for HistorySync, through the adapter's paged history functions (every
 * request within the venue's shared rate budget). `session` is asked for the venue on each call, so
 * a gateway that reconnects with a new session is followed: pass `() => gateway.venueSession()`.
 */
export class CcxtHistorySource implements HistorySource {
  constructor(private readonly session: () => CcxtVenue) {}

  get venue(): string {
    return this.session().label;
  }

  capabilities(instrumentId: string): HistoryCapabilities {
    const v = this.session();
    const symbol = v.symbolOf(instrumentId);
    const market = v.ex.markets?.[symbol];
    if (!market) throw new KestrelError('not_found', `unknown instrument ${instrumentId}: ${v.config.venue} lists no market ${symbol}`);
    const q = v.quirks;
    return {
      trades: q.tradeHistory === 'window' || q.tradeHistory === 'cursor-backward' ? 'paged' : q.tradeHistory,
      tradePaging: q.tradeHistory === 'cursor-backward' ? 'backward' : 'forward',
      completeBars: q.fetchRawKlines !== undefined,
      perp: market.swap === true,
      fundingHistory: q.defaultFundingIntervalHours !== null && v.ex.has['fetchFundingRateHistory'] === true,
      premiumIndex: q.premiumIndexKlines,
      gatewayBackfillsTrades: q.tradeBackfill !== 'none',
    };
  }

  async fetchTrades(instrumentId: string, fromMs: number, toMs: number, io: HistoryFetchIo<TradeTick>): Promise<HistoryFetchOutcome> {
    return outcome(await fetchTradeHistory(this.session(), instrumentId, fromMs, toMs, (p) => io.onProgress(p.fraction), { onBatch: io.onBatch, signal: io.signal }));
  }

  async fetchBars(instrumentId: string, interval: string, fromMs: number, toMs: number, io: HistoryFetchIo<Bar>): Promise<HistoryFetchOutcome> {
    return outcome(
      await fetchBarHistory(this.session(), instrumentId, interval, fromMs, toMs, (p) => io.onProgress(p.fraction), {
        onBatch: (rows) => io.onBatch(rows.map(toBar)),
        signal: io.signal,
      }),
    );
  }

  async fetchFunding(instrumentId: string, fromMs: number, toMs: number, io: HistoryFetchIo<FundingRate>): Promise<HistoryFetchOutcome> {
    return outcome(await fetchFundingHistory(this.session(), instrumentId, fromMs, toMs, (p) => io.onProgress(p.fraction), { onBatch: io.onBatch, signal: io.signal }));
  }

  async fetchPremiumIndex(instrumentId: string, interval: string, fromMs: number, toMs: number, io: HistoryFetchIo<PremiumIndexBar>): Promise<HistoryFetchOutcome> {
    return outcome(
      await fetchPremiumIndexHistory(this.session(), instrumentId, interval, fromMs, toMs, (p) => io.onProgress(p.fraction), { onBatch: io.onBatch, signal: io.signal }),
    );
  }

  retryAfterMs(err: unknown): number | null {
    if (!(err instanceof VenueError) || !RETRYABLE.has(err.kind)) return null;
    // After 429/418 the venue's shared budget holds every request until Retry-After has passed.
    const paused = this.session().budget.stats().pausedUntilMs - Date.now();
    return Math.max(0, paused);
  }
}
