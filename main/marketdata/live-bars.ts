import type { Bar, TradeTick } from '../../shared/model/index.js';
import { BarAggregator } from './bar-aggregator.js';

/** Where closed bars go for history (the Parquet store in the market-data worker). */
export interface BarHistorySink {
  appendBars(bars: Bar[]): void;
  appendTrades(trades: TradeTick[]): void;
  readBars(q: { instrumentId: string; interval: string; from?: number | undefined; to?: number | undefined }): Promise<Bar[]>;
}

export interface LiveBarsOptions {
  intervals: string[];
  graceMs: number;
  barsInMemory: number;
  history: BarHistorySink | null;
  /** Final bars, corrections, and the forming bar of each instrument (for live charts). */
  onBar(bar: Bar): void;
  onBarsComplete?(interval: string, openTime: number): void;
}

/**
 * Live bars for charts and strategies: the aggregator's final bars kept in a ring per instrument and
 * interval, corrections applied in place, the forming bar published as trades arrive, closed bars
 * handed to history. Older bars than the ring holds come from history.
 */
export class LiveBars {
  private readonly aggregator: BarAggregator;
  private readonly rings = new Map<string, Bar[]>();
  private readonly pendingFinal: Bar[] = [];

  constructor(private readonly o: LiveBarsOptions) {
    this.aggregator = new BarAggregator({
      intervals: o.intervals,
      graceMs: o.graceMs,
      sink: {
        onBar: (bar, kind) => this.onAggregatedBar(bar, kind),
        onBarsComplete: (interval, openTime) => o.onBarsComplete?.(interval, openTime),
      },
    });
  }

  setUniverse(instrumentIds: string[]): void {
    this.aggregator.setUniverse(instrumentIds);
  }

  onTrades(trades: TradeTick[], venueTimeMs: number): void {
    if (trades.length) this.aggregator.addTicks(trades);
    this.aggregator.advanceTo(venueTimeMs);
    if (trades.length) {
      this.o.history?.appendTrades(trades);
      const touched = new Set(trades.map((t) => t.instrumentId));
      for (const id of touched) {
        for (const interval of this.o.intervals) {
          const forming = this.aggregator.partialBar(id, interval);
          if (forming) this.o.onBar(forming);
        }
      }
    }
    if (this.pendingFinal.length) this.o.history?.appendBars(this.pendingFinal.splice(0));
  }

  async query(q: { instrumentId: string; interval: string; from?: number | undefined; to?: number | undefined; limit?: number | undefined }): Promise<Bar[]> {
    const ring = this.rings.get(`${q.instrumentId}|${q.interval}`) ?? [];
    const from = q.from ?? 0;
    const to = q.to ?? Number.MAX_SAFE_INTEGER;
    let out = ring.filter((b) => b.openTime >= from && b.openTime <= to);
    const oldestInRing = ring[0]?.openTime ?? Number.MAX_SAFE_INTEGER;
    if (this.o.history && from < oldestInRing) {
      const older = await this.o.history.readBars({ instrumentId: q.instrumentId, interval: q.interval, from, to: Math.min(to, oldestInRing - 1) });
      out = [...older, ...out];
    }
    const forming = this.aggregator.partialBar(q.instrumentId, q.interval);
    if (forming && forming.openTime >= from && forming.openTime <= to && (out.length === 0 || out[out.length - 1]!.openTime < forming.openTime)) out.push(forming);
    return q.limit && out.length > q.limit ? out.slice(-q.limit) : out;
  }

  private onAggregatedBar(bar: Bar, kind: 'final' | 'correction' | 'partial'): void {
    if (kind === 'partial') return;
    const key = `${bar.instrumentId}|${bar.interval}`;
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = []));
    const at = ring.findIndex((b) => b.openTime === bar.openTime);
    if (at >= 0) ring[at] = bar;
    else {
      ring.push(bar);
      if (ring.length > this.o.barsInMemory) ring.splice(0, ring.length - this.o.barsInMemory);
    }
    this.pendingFinal.push(bar);
    this.o.onBar(bar);
  }
}
