import type { Bar } from '../../shared/model/market.js';
import type { BarEventKind, BarSink, TradeRejection } from '../../main/marketdata/bar-events.js';

/** A BarSink that records every event and keeps the latest version of each bar (corrections replace). */
export class CollectingBarSink implements BarSink {
  readonly events: { bar: Bar; kind: BarEventKind }[] = [];
  readonly complete: { interval: string; openTime: number }[] = [];
  readonly rejections: TradeRejection[] = [];
  private readonly latest = new Map<string, Bar>();

  onBar(bar: Bar, kind: BarEventKind): void {
    this.events.push({ bar, kind });
    if (kind !== 'partial') this.latest.set(`${bar.instrumentId}|${bar.interval}|${bar.openTime}`, bar);
  }

  onBarsComplete(interval: string, openTime: number): void {
    this.complete.push({ interval, openTime });
  }

  onTradeRejected(r: TradeRejection): void {
    this.rejections.push(r);
  }

  /** Latest version of every bar of one interval, sorted by instrument then open time. */
  bars(interval: string, instrumentId?: string): Bar[] {
    return [...this.latest.values()]
      .filter((b) => b.interval === interval && (instrumentId === undefined || b.instrumentId === instrumentId))
      .sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : a.openTime - b.openTime));
  }

  kinds(kind: BarEventKind): Bar[] {
    return this.events.filter((e) => e.kind === kind).map((e) => e.bar);
  }
}
