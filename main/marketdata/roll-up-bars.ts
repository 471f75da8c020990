import type { Bar } from '../../shared/model/market.js';
import { parseInterval, timeLabel, windowStart } from './bar-interval.js';

export interface RollUpOptions {
  /** Emit a bar for windows with no trades (o = h = l = c = previous close). Default true. */
  fillEmpty?: boolean;
  /** Close before the first bar, for empty windows at the start (otherwise those are left out). */
  previousClose?: number;
  /** Extend the output to cover [fromMs, toMs) even where no bar exists. */
  fromMs?: number;
  toMs?: number;
}

/** A bar with no trades: its prices only carry the previous close. */
export function isEmptyBar(b: Bar): boolean {
  return b.tradeCount === 0 && b.volume === 0;
}

/**
 * Rolls bars of one instrument up to a longer interval aligned to UTC (5m → 1h, 4h, 24h; 1m → 5m),
 * or fills the holes of a series at its own interval. Empty source bars are skipped, so the result
 * equals aggregating the trades directly: the open is the first traded price of the window, not a
 * carried close. Input must be one instrument, sorted by openTime, of one interval dividing `interval`.
 */
export function rollUpBars(bars: readonly Bar[], interval: string, options: RollUpOptions = {}): Bar[] {
  const target = parseInterval(interval);
  const fillEmpty = options.fillEmpty ?? true;
  const out: Bar[] = [];
  let prevClose = options.previousClose ?? NaN;
  let prevOpenTime = -Infinity;
  const instrumentId = bars[0]?.instrumentId ?? '';
  let cur: Bar | null = null;

  const emptyBar = (openTime: number): Bar => ({
    instrumentId,
    interval: target.label,
    openTime,
    closeTime: openTime + target.ms - 1,
    timeLabel: timeLabel(openTime, target.ms),
    open: prevClose,
    high: prevClose,
    low: prevClose,
    close: prevClose,
    volume: 0,
    quoteVolume: 0,
    tradeCount: 0,
    vwap: null,
    buyVolume: 0,
    sellVolume: 0,
    buyQuoteVolume: 0,
    sellQuoteVolume: 0,
    final: true,
  });
  const fillUntil = (endExclusive: number, from: number): void => {
    if (!fillEmpty || Number.isNaN(prevClose)) return;
    for (let w = from; w < endExclusive; w += target.ms) out.push(emptyBar(w));
  };
  const finish = (): void => {
    if (!cur) return;
    cur.vwap = cur.tradeCount > 0 || cur.volume > 0 ? cur.quoteVolume / cur.volume : null;
    if (!isEmptyBar(cur)) prevClose = cur.close;
    out.push(cur);
    cur = null;
  };

  let nextWindow = options.fromMs !== undefined ? windowStart(options.fromMs, target.ms) : NaN;
  for (const b of bars) {
    if (b.instrumentId !== instrumentId) throw new Error(`rollUpBars got bars of ${instrumentId} and ${b.instrumentId}; roll up one instrument at a time`);
    if (!(b.openTime > prevOpenTime)) throw new Error(`bars must be sorted by openTime without repeats (at ${b.openTime})`);
    const sourceMs = b.closeTime - b.openTime + 1;
    if (target.ms % sourceMs !== 0) throw new Error(`a ${sourceMs} ms bar cannot be rolled up to ${target.label}`);
    prevOpenTime = b.openTime;
    const w = windowStart(b.openTime, target.ms);
    if (cur && cur.openTime !== w) finish();
    if (!cur) {
      if (Number.isNaN(nextWindow)) nextWindow = w;
      fillUntil(w, nextWindow);
      nextWindow = w + target.ms;
      if (isEmptyBar(b)) {
        if (Number.isNaN(prevClose)) prevClose = b.close;
        cur = emptyBar(w);
        continue;
      }
      cur = { ...b, interval: target.label, openTime: w, closeTime: w + target.ms - 1, timeLabel: timeLabel(w, target.ms), final: true };
      continue;
    }
    if (isEmptyBar(b)) continue;
    if (isEmptyBar(cur)) {
      cur = { ...b, interval: target.label, openTime: w, closeTime: w + target.ms - 1, timeLabel: timeLabel(w, target.ms), final: true };
      continue;
    }
    cur.high = Math.max(cur.high, b.high);
    cur.low = Math.min(cur.low, b.low);
    cur.close = b.close;
    cur.volume += b.volume;
    cur.quoteVolume += b.quoteVolume;
    cur.tradeCount += b.tradeCount;
    cur.buyVolume += b.buyVolume;
    cur.sellVolume += b.sellVolume;
    cur.buyQuoteVolume += b.buyQuoteVolume;
    cur.sellQuoteVolume += b.sellQuoteVolume;
    cur.final = cur.final && b.final;
  }
  finish();
  if (options.toMs !== undefined && !Number.isNaN(nextWindow)) fillUntil(options.toMs, nextWindow);
  return out;
}
