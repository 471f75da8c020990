import { KestrelError } from '../../../shared/api/errors.js';
import type { FundingRate, TradeTick } from '../../../shared/model/index.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../shared/model/time.js';
import { normaliseFundingHistory, type FundingPoint, type PremiumIndexBar } from '../../marketdata/funding.js';
import type { CcxtVenue } from './ccxt-venue.js';
import { parseFundingHistoryEntry, parseTradeTick } from './parse.js';

/**
 * REST history through ccxt, paged within the venue's limits (every request goes through the
 * venue's shared rate budget), with progress callbacks. Results either come back in memory or —
 * with `onBatch` — are handed over page by page, so a caller can write them to storage as they come.
 */

export type HistoryKind = 'trades' | 'bars' | 'funding' | 'premiumIndex';

export interface HistoryProgress {
  kind: HistoryKind;
  instrumentId: string;
  fromMs: number;
  toMs: number;
  /** Time up to which the range has been fetched (or down to which, for newest-first venues). */
  cursorMs: number;
  fetched: number;
  pages: number;
  /** 0..1 of the time range covered. */
  fraction: number;
}
export type HistoryProgressCallback = (progress: HistoryProgress) => void;

export interface HistoryOptions<T> {
  /** Receives each page (in time order within the page); items are then not kept in memory. */
  onBatch?: (items: T[]) => void | Promise<void>;
  signal?: AbortSignal;
  /** Page size (defaults to the venue's maximum). */
  pageLimit?: number;
}

export interface HistoryResult<T> {
  /** The items, oldest first (empty when onBatch took them). */
  items: T[];
  count: number;
  pages: number;
  /** False when the venue could not serve the whole range; `note` says why. */
  complete: boolean;
  note: string | null;
}

/**
 * A venue kline with the seed-004 fields the venue reports; null where it does not (ccxt's OHLCV
 * has only o/h/l/c/volume; Binance's raw klines add quote volume, trade count and taker-buy volume).
 */
export interface HistoryBar {
  instrumentId: string;
  interval: string;
  openTime: number;
  closeTime: number;
  timeLabel: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number | null;
  tradeCount: number | null;
  vwap: number | null;
  buyVolume: number | null;
  sellVolume: number | null;
  buyQuoteVolume: number | null;
  sellQuoteVolume: number | null;
}

const TIMEFRAME = /^(\d+)([mhdw])$/;

export function timeframeMs(interval: string): number {
  const m = TIMEFRAME.exec(interval);
  if (!m) throw new KestrelError('bad_request', `interval "${interval}" must look like 1m, 5m, 1h, 4h or 1d`);
  const n = Number(m[1]);
  const unit = { m: 60_000, h: MS_PER_HOUR, d: MS_PER_DAY, w: 7 * MS_PER_DAY }[m[2] as 'm' | 'h' | 'd' | 'w'];
  if (n <= 0) throw new KestrelError('bad_request', `interval "${interval}" must be positive`);
  return n * unit;
}

/** 1-based index of the window within its UTC day (1..288 for 5m); 1 for daily and longer. */
export function timeLabelOf(openTime: number, intervalMs: number): number {
  if (intervalMs >= MS_PER_DAY) return 1;
  return Math.floor((openTime - Math.floor(openTime / MS_PER_DAY) * MS_PER_DAY) / intervalMs) + 1;
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isInteger(fromMs) || fromMs < 0) throw new KestrelError('bad_request', `fromMs must be epoch milliseconds, got ${fromMs}`);
  if (!Number.isInteger(toMs) || toMs < 0) throw new KestrelError('bad_request', `toMs must be epoch milliseconds, got ${toMs}`);
  if (fromMs > toMs) throw new KestrelError('bad_request', `fromMs (${new Date(fromMs).toISOString()}) is after toMs (${new Date(toMs).toISOString()})`);
}

function resolveSymbol(venue: CcxtVenue, symbolOrInstrumentId: string): string {
  if (symbolOrInstrumentId.startsWith(`${venue.label}:`)) return venue.symbolOf(symbolOrInstrumentId);
  if (venue.ex.markets && !venue.ex.markets[symbolOrInstrumentId]) throw new KestrelError('not_found', `${venue.config.venue} lists no market ${symbolOrInstrumentId}`);
  return symbolOrInstrumentId;
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new KestrelError('refused', `${what} was cancelled`);
}

class Collector<T> {
  readonly items: T[] = [];
  count = 0;
  pages = 0;
  constructor(private readonly onBatch: ((items: T[]) => void | Promise<void>) | undefined) {}
  async add(items: T[]): Promise<void> {
    this.pages += 1;
    if (items.length === 0) return;
    this.count += items.length;
    if (this.onBatch) await this.onBatch(items);
    else this.items.push(...items);
  }
  result(complete: boolean, note: string | null): HistoryResult<T> {
    return { items: this.items, count: this.count, pages: this.pages, complete, note };
  }
}

/**
 * Pages a series whose rows sit on a time grid (bars, funding, premium index) by windows that hold
 * at most one page: `limit` grid steps, where `stepMs` is the shortest spacing rows can have. Works
 * whichever end of the window the venue answers from (OKX pages newest first). A venue that answers
 * with more rows than asked gets a halved window.
 */
async function pageByWindows<T>(args: {
  fromMs: number;
  toMs: number;
  stepMs: number;
  limit: number;
  fetchWindow: (sinceMs: number, untilMs: number, limit: number) => Promise<{ rows: T[]; rawCount: number }>;
  timeOf: (row: T) => number;
  deliver: (rows: T[]) => Promise<void>;
  progress: (cursorMs: number) => void;
  signal: AbortSignal | undefined;
  what: string;
}): Promise<void> {
  let cursor = args.fromMs;
  let windowMs = Math.max(args.stepMs, args.limit * args.stepMs);
  while (cursor <= args.toMs) {
    throwIfAborted(args.signal, args.what);
    const untilMs = Math.min(args.toMs, cursor + windowMs - 1);
    const { rows, rawCount } = await args.fetchWindow(cursor, untilMs, args.limit);
    if (rawCount > args.limit && untilMs - cursor + 1 > args.stepMs) {
      windowMs = Math.max(args.stepMs, Math.floor(windowMs / 2));
      continue;
    }
    const inWindow = rows.filter((r) => args.timeOf(r) >= cursor && args.timeOf(r) <= untilMs).sort((a, b) => args.timeOf(a) - args.timeOf(b));
    await args.deliver(inWindow);
    cursor = untilMs + 1;
    args.progress(cursor);
    windowMs = Math.max(args.stepMs, args.limit * args.stepMs);
  }
}

function progressReporter(kind: HistoryKind, instrumentId: string, fromMs: number, toMs: number, collector: Collector<unknown>, onProgress?: HistoryProgressCallback) {
  return (cursorMs: number, reverse = false) => {
    if (!onProgress) return;
    const span = Math.max(1, toMs - fromMs);
    const covered = reverse ? toMs - cursorMs : cursorMs - fromMs;
    onProgress({ kind, instrumentId, fromMs, toMs, cursorMs, fetched: collector.count, pages: collector.pages, fraction: Math.min(1, Math.max(0, covered / span)) });
  };
}

/** Public trades of one market between fromMs and toMs (inclusive), each trade once, oldest first. */
export async function fetchTradeHistory(
  venue: CcxtVenue,
  symbolOrInstrumentId: string,
  fromMs: number,
  toMs: number,
  onProgress?: HistoryProgressCallback,
  options: HistoryOptions<TradeTick> = {},
): Promise<HistoryResult<TradeTick>> {
  checkRange(fromMs, toMs);
  const symbol = resolveSymbol(venue, symbolOrInstrumentId);
  const instrumentId = venue.instrumentId(symbol);
  const mode = venue.quirks.tradeHistory;
  const limit = options.pageLimit ?? venue.quirks.historyPageLimit.trades;
  const collector = new Collector<TradeTick>(options.onBatch);
  const report = progressReporter('trades', instrumentId, fromMs, toMs, collector as Collector<unknown>, onProgress);
  const ctx = { instrumentId: (s: string) => venue.instrumentId(s), nowMs: () => Date.now() };
  const parse = (raws: unknown[]) => raws.map((r) => parseTradeTick(r, ctx));
  const what = `trade history of ${instrumentId}`;

  if (mode === 'none') {
    return collector.result(false, `${venue.config.venue} has no public trade history over REST`);
  }
  if (mode === 'recent') {
    const ticks = parse(await venue.call(`fetchTrades ${symbol}`, (ex) => ex.fetchTrades(symbol, undefined, limit))).sort((a, b) => a.tsEvent - b.tsEvent);
    const inRange = ticks.filter((t) => t.tsEvent >= fromMs && t.tsEvent <= toMs);
    await collector.add(inRange);
    report(toMs);
    const oldest = ticks[0]?.tsEvent;
    const complete = oldest !== undefined && oldest <= fromMs;
    return collector.result(complete, complete ? null : `${venue.config.venue} serves only its latest ${limit} trades over REST; older trades in the range are not available`);
  }
  if (mode === 'cursor-backward') {
    // Newest first by trade id (OKX history-trades): pages arrive from toMs back to fromMs.
    let after: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      throwIfAborted(options.signal, what);
      const params: Record<string, unknown> = { method: 'publicGetMarketHistoryTrades' };
      if (after) params['after'] = after;
      const page = parse(await venue.call(`fetchTrades ${symbol}`, (ex) => ex.fetchTrades(symbol, undefined, limit, params)));
      if (page.length === 0) break;
      page.sort((a, b) => a.tsEvent - b.tsEvent);
      const fresh = page.filter((t) => t.tsEvent >= fromMs && t.tsEvent <= toMs && !seen.has(t.tradeId));
      for (const t of fresh) seen.add(t.tradeId);
      await collector.add(fresh);
      const oldest = page[0]!;
      report(oldest.tsEvent, true);
      if (oldest.tsEvent < fromMs || page.length < limit) break;
      const minId = page.reduce((m, t) => (BigInt(t.tradeId) < BigInt(m) ? t.tradeId : m), page[0]!.tradeId);
      if (minId === after) break;
      after = minId;
    }
    if (!options.onBatch) collector.items.sort((a, b) => a.tsEvent - b.tsEvent || (a.tradeId < b.tradeId ? -1 : 1));
    return collector.result(true, null);
  }

  // 'window': oldest first by time; a full page continues from its last trade (repeats dropped by id).
  const market = venue.ex.market(symbol);
  const windowMs = MS_PER_HOUR;
  let cursor = fromMs;
  let boundaryIds = new Set<string>();
  let note: string | null = null;
  while (cursor <= toMs) {
    throwIfAborted(options.signal, what);
    const untilMs = Math.min(toMs, cursor + windowMs - 1);
    const params = { until: untilMs, ...(venue.quirks.tradeWindowParams?.(market, cursor, untilMs) ?? {}) };
    const page = parse(await venue.call(`fetchTrades ${symbol}`, (ex) => ex.fetchTrades(symbol, cursor, limit, params)));
    page.sort((a, b) => a.tsEvent - b.tsEvent);
    const fresh = page.filter((t) => t.tsEvent >= cursor && t.tsEvent <= untilMs && !boundaryIds.has(t.tradeId));
    await collector.add(fresh);
    const last = page[page.length - 1];
    if (page.length >= limit && last && last.tsEvent <= untilMs) {
      if (last.tsEvent > cursor) {
        boundaryIds = new Set(page.filter((t) => t.tsEvent === last.tsEvent).map((t) => t.tradeId));
        cursor = last.tsEvent;
      } else {
        note = `more than ${limit} trades at ${new Date(cursor).toISOString()}; some of that millisecond may be missing`;
        boundaryIds = new Set();
        cursor += 1;
      }
    } else {
      boundaryIds = new Set();
      cursor = untilMs + 1;
    }
    report(cursor);
  }
  return collector.result(note === null, note);
}

/** Bars from the venue between fromMs and toMs (by open time), oldest first. */
export async function fetchBarHistory(
  venue: CcxtVenue,
  symbolOrInstrumentId: string,
  interval: string,
  fromMs: number,
  toMs: number,
  onProgress?: HistoryProgressCallback,
  options: HistoryOptions<HistoryBar> = {},
): Promise<HistoryResult<HistoryBar>> {
  checkRange(fromMs, toMs);
  const symbol = resolveSymbol(venue, symbolOrInstrumentId);
  const instrumentId = venue.instrumentId(symbol);
  const stepMs = timeframeMs(interval);
  const limit = options.pageLimit ?? venue.quirks.historyPageLimit.ohlcv;
  const collector = new Collector<HistoryBar>(options.onBatch);
  const report = progressReporter('bars', instrumentId, fromMs, toMs, collector as Collector<unknown>, onProgress);
  const market = venue.ex.market(symbol);
  const raw = venue.quirks.fetchRawKlines;

  await pageByWindows<HistoryBar>({
    fromMs,
    toMs,
    stepMs,
    limit,
    signal: options.signal,
    what: `bar history of ${instrumentId}`,
    timeOf: (b) => b.openTime,
    deliver: (rows) => collector.add(rows),
    progress: (c) => report(c),
    fetchWindow: async (sinceMs, untilMs, pageLimit) => {
      if (raw) {
        const rows = await venue.call(`klines ${symbol} ${interval}`, (ex) => raw(ex, market, interval, sinceMs, pageLimit, untilMs));
        return {
          rawCount: rows.length,
          rows: rows.map((k) => ({
            instrumentId,
            interval,
            openTime: k.openTime,
            closeTime: k.openTime + stepMs - 1,
            timeLabel: timeLabelOf(k.openTime, stepMs),
            open: k.open,
            high: k.high,
            low: k.low,
            close: k.close,
            volume: k.volume,
            quoteVolume: k.quoteVolume,
            tradeCount: k.tradeCount,
            vwap: k.volume > 0 ? k.quoteVolume / k.volume : null,
            buyVolume: k.takerBuyVolume,
            sellVolume: k.volume - k.takerBuyVolume,
            buyQuoteVolume: k.takerBuyQuoteVolume,
            sellQuoteVolume: k.quoteVolume - k.takerBuyQuoteVolume,
          })),
        };
      }
      const ohlcv = await venue.call(`fetchOHLCV ${symbol} ${interval}`, (ex) => ex.fetchOHLCV(symbol, interval, sinceMs, pageLimit, { until: untilMs }));
      return {
        rawCount: ohlcv.length,
        rows: ohlcv
          .filter((r) => r.length >= 6 && r.slice(0, 6).every((v) => typeof v === 'number' && Number.isFinite(v)))
          .map((r) => {
            const [t, o, h, l, c, v] = r as number[];
            return {
              instrumentId,
              interval,
              openTime: t!,
              closeTime: t! + stepMs - 1,
              timeLabel: timeLabelOf(t!, stepMs),
              open: o!,
              high: h!,
              low: l!,
              close: c!,
              volume: v!,
              quoteVolume: null,
              tradeCount: null,
              vwap: null,
              buyVolume: null,
              sellVolume: null,
              buyQuoteVolume: null,
              sellQuoteVolume: null,
            };
          }),
      };
    },
  });
  return collector.result(true, null);
}

/** The venue-stated funding cadence of a perp, where ccxt exposes it; undefined otherwise. */
async function venueFundingIntervalHours(venue: CcxtVenue, symbol: string): Promise<number | undefined> {
  const market = venue.ex.market(symbol);
  const fromMarket = venue.quirks.fundingIntervalFromMarket?.(market);
  if (fromMarket) return fromMarket;
  if (venue.ex.has['fetchFundingInterval'] === true) {
    try {
      const info = await venue.call(`fetchFundingInterval ${symbol}`, (ex) => ex.fetchFundingInterval(symbol));
      const m = /^(\d+)h$/.exec(String((info as { interval?: unknown }).interval ?? ''));
      if (m) return Number(m[1]);
    } catch {
      // Not fatal: the cadence is then read from the spacing of the payments.
    }
  }
  return undefined;
}

/**
 * Past funding payments of a perp, normalised: each row's cadence (from the venue where it says,
 * else from the spacing of payments, else the venue default — 8h, Hyperliquid 1h) and its 24h rate.
 * Rows are normalised together, so onBatch (if given) receives them once at the end.
 */
export async function fetchFundingHistory(
  venue: CcxtVenue,
  symbolOrInstrumentId: string,
  fromMs: number,
  toMs: number,
  onProgress?: HistoryProgressCallback,
  options: HistoryOptions<FundingRate> = {},
): Promise<HistoryResult<FundingRate>> {
  checkRange(fromMs, toMs);
  const symbol = resolveSymbol(venue, symbolOrInstrumentId);
  const instrumentId = venue.instrumentId(symbol);
  if (venue.quirks.defaultFundingIntervalHours === null || venue.ex.has['fetchFundingRateHistory'] !== true)
    throw new KestrelError('refused', `${venue.config.venue} has no funding rate history (spot venue)`);
  const limit = options.pageLimit ?? venue.quirks.historyPageLimit.funding;
  const points: FundingPoint[] = [];
  const counter = new Collector<FundingPoint>(undefined);
  const report = progressReporter('funding', instrumentId, fromMs, toMs, counter as Collector<unknown>, onProgress);
  const stated = await venueFundingIntervalHours(venue, symbol);

  await pageByWindows<FundingPoint>({
    fromMs,
    toMs,
    // The shortest cadence any venue pays at, so a window never holds more rows than a page.
    stepMs: MS_PER_HOUR,
    limit,
    signal: options.signal,
    what: `funding history of ${instrumentId}`,
    timeOf: (p) => p.fundingTime,
    deliver: async (rows) => {
      points.push(...rows);
      await counter.add(rows);
    },
    progress: (c) => report(c),
    fetchWindow: async (sinceMs, untilMs, pageLimit) => {
      const raws = await venue.call(`fetchFundingRateHistory ${symbol}`, (ex) => ex.fetchFundingRateHistory(symbol, sinceMs, pageLimit, { until: untilMs }));
      const rows: FundingPoint[] = raws.map((r) => {
        const e = parseFundingHistoryEntry(r);
        const p: FundingPoint = { fundingTime: e.fundingTime, rate: e.rate };
        if (e.premium !== undefined) p.premium = e.premium;
        if (stated !== undefined) p.intervalHours = stated;
        return p;
      });
      return { rows, rawCount: raws.length };
    },
  });

  const rates = normaliseFundingHistory(instrumentId, points, { defaultIntervalHours: stated ?? venue.quirks.defaultFundingIntervalHours });
  const collector = new Collector<FundingRate>(options.onBatch);
  await collector.add(rates);
  return { ...collector.result(true, null), pages: counter.pages };
}

/** Premium index klines (Binance USDⓈ-M, Bybit); refused on venues that have none. */
export async function fetchPremiumIndexHistory(
  venue: CcxtVenue,
  symbolOrInstrumentId: string,
  interval: string,
  fromMs: number,
  toMs: number,
  onProgress?: HistoryProgressCallback,
  options: HistoryOptions<PremiumIndexBar> = {},
): Promise<HistoryResult<PremiumIndexBar>> {
  checkRange(fromMs, toMs);
  const symbol = resolveSymbol(venue, symbolOrInstrumentId);
  const instrumentId = venue.instrumentId(symbol);
  if (!venue.quirks.premiumIndexKlines)
    throw new KestrelError('refused', `${venue.config.venue} has no premium index klines${venue.config.venue === 'hyperliquid' ? ' (its funding history carries the premium)' : ''}`);
  const stepMs = timeframeMs(interval);
  const limit = options.pageLimit ?? venue.quirks.historyPageLimit.ohlcv;
  const collector = new Collector<PremiumIndexBar>(options.onBatch);
  const report = progressReporter('premiumIndex', instrumentId, fromMs, toMs, collector as Collector<unknown>, onProgress);
  await pageByWindows<PremiumIndexBar>({
    fromMs,
    toMs,
    stepMs,
    limit,
    signal: options.signal,
    what: `premium index history of ${instrumentId}`,
    timeOf: (b) => b.openTime,
    deliver: (rows) => collector.add(rows),
    progress: (c) => report(c),
    fetchWindow: async (sinceMs, untilMs, pageLimit) => {
      const ohlcv = await venue.call(`premium index klines ${symbol} ${interval}`, (ex) =>
        ex.fetchOHLCV(symbol, interval, sinceMs, pageLimit, { price: 'premiumIndex', until: untilMs }),
      );
      const rows = ohlcv
        .filter((r) => r.length >= 5 && r.slice(0, 5).every((v) => typeof v === 'number' && Number.isFinite(v)))
        .map((r) => {
          const [t, o, h, l, c] = r as number[];
          return { instrumentId, interval, openTime: t!, closeTime: t! + stepMs - 1, open: o!, high: h!, low: l!, close: c! };
        });
      return { rows, rawCount: ohlcv.length };
    },
  });
  return collector.result(true, null);
}
