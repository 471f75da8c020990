import type { Bar } from '../../shared/model/market.js';
import { timeLabel } from './bar-interval.js';

/**
 * One bar window in progress, stored as ACC_FIELDS consecutive doubles in a Float64Array, so the
 * aggregator holds bars in a few flat arrays instead of one object per window. Open and close keep
 * the (time, trade id) of their trade: that is what makes folding two partial windows (late trades,
 * parallel file scans, roll-ups) give the same bar whatever the arrival order.
 */
export const ACC_FIELDS = 16;
export const A_OPEN_TS = 0;
export const A_OPEN_ID = 1;
export const A_OPEN = 2;
export const A_HIGH = 3;
export const A_LOW = 4;
export const A_CLOSE = 5;
/** +Infinity while the window is empty: the hot path's `t >= closeTs` test then sends the first trade to the slow path, which sets the open. */
export const A_CLOSE_TS = 6;
export const A_CLOSE_ID = 7;
/** Buy = the taker bought (is_buyer_maker = false); BUY + isBuyerMaker addresses SELL. */
export const A_BUY_VOL = 8;
export const A_SELL_VOL = 9;
export const A_BUY_QUOTE = 10;
export const A_SELL_QUOTE = 11;
export const A_COUNT = 12;
/**
 * Highest trade id seen for the instrument, kept in its open base window so the hot path reads it
 * from the same row it updates (carried over when the window rolls). Unused in other windows.
 */
export const A_MAX_ID = 13;

export function resetAcc(acc: Float64Array, o: number): void {
  acc[o + A_OPEN_TS] = Infinity;
  acc[o + A_OPEN_ID] = Infinity;
  acc[o + A_OPEN] = NaN;
  acc[o + A_HIGH] = -Infinity;
  acc[o + A_LOW] = Infinity;
  acc[o + A_CLOSE] = NaN;
  acc[o + A_CLOSE_TS] = Infinity;
  acc[o + A_CLOSE_ID] = -Infinity;
  acc[o + A_BUY_VOL] = 0;
  acc[o + A_SELL_VOL] = 0;
  acc[o + A_BUY_QUOTE] = 0;
  acc[o + A_SELL_QUOTE] = 0;
  acc[o + A_COUNT] = 0;
  acc[o + A_MAX_ID] = -Infinity;
}

/**
 * Folds one trade into a window, in any order. Open is the smallest (time, id), close the largest;
 * on a tie (trades without ids) the first arrival opens and the last closes.
 * Returns true when the trade became the window's close.
 */
export function applyTrade(acc: Float64Array, o: number, tsMs: number, id: number, price: number, qty: number, side: number): boolean {
  let becameClose = false;
  if (acc[o + A_COUNT] === 0) {
    acc[o + A_OPEN_TS] = tsMs;
    acc[o + A_OPEN_ID] = id;
    acc[o + A_OPEN] = price;
    acc[o + A_HIGH] = price;
    acc[o + A_LOW] = price;
    acc[o + A_CLOSE] = price;
    acc[o + A_CLOSE_TS] = tsMs;
    acc[o + A_CLOSE_ID] = id;
    becameClose = true;
  } else {
    const openTs = acc[o + A_OPEN_TS]!;
    if (tsMs < openTs || (tsMs === openTs && id < acc[o + A_OPEN_ID]!)) {
      acc[o + A_OPEN_TS] = tsMs;
      acc[o + A_OPEN_ID] = id;
      acc[o + A_OPEN] = price;
    }
    const closeTs = acc[o + A_CLOSE_TS]!;
    if (tsMs > closeTs || (tsMs === closeTs && id >= acc[o + A_CLOSE_ID]!)) {
      acc[o + A_CLOSE_TS] = tsMs;
      acc[o + A_CLOSE_ID] = id;
      acc[o + A_CLOSE] = price;
      becameClose = true;
    }
    if (price > acc[o + A_HIGH]!) acc[o + A_HIGH] = price;
    if (price < acc[o + A_LOW]!) acc[o + A_LOW] = price;
  }
  acc[o + A_BUY_VOL + side]! += qty;
  acc[o + A_BUY_QUOTE + side]! += price * qty;
  acc[o + A_COUNT]! += 1;
  return becameClose;
}

/** Folds window `src[so]` into window `dst[d]` (roll-ups, late trades, merging parallel scans). */
export function combineAcc(dst: Float64Array, d: number, src: Float64Array, so: number): void {
  const n = src[so + A_COUNT]!;
  if (n === 0) return;
  if (dst[d + A_COUNT] === 0) {
    for (let k = 0; k < ACC_FIELDS; k++) dst[d + k] = src[so + k]!;
    return;
  }
  const sOpenTs = src[so + A_OPEN_TS]!;
  const dOpenTs = dst[d + A_OPEN_TS]!;
  if (sOpenTs < dOpenTs || (sOpenTs === dOpenTs && src[so + A_OPEN_ID]! < dst[d + A_OPEN_ID]!)) {
    dst[d + A_OPEN_TS] = sOpenTs;
    dst[d + A_OPEN_ID] = src[so + A_OPEN_ID]!;
    dst[d + A_OPEN] = src[so + A_OPEN]!;
  }
  const sCloseTs = src[so + A_CLOSE_TS]!;
  const dCloseTs = dst[d + A_CLOSE_TS]!;
  if (sCloseTs > dCloseTs || (sCloseTs === dCloseTs && src[so + A_CLOSE_ID]! >= dst[d + A_CLOSE_ID]!)) {
    dst[d + A_CLOSE_TS] = sCloseTs;
    dst[d + A_CLOSE_ID] = src[so + A_CLOSE_ID]!;
    dst[d + A_CLOSE] = src[so + A_CLOSE]!;
  }
  if (src[so + A_HIGH]! > dst[d + A_HIGH]!) dst[d + A_HIGH] = src[so + A_HIGH]!;
  if (src[so + A_LOW]! < dst[d + A_LOW]!) dst[d + A_LOW] = src[so + A_LOW]!;
  dst[d + A_BUY_VOL]! += src[so + A_BUY_VOL]!;
  dst[d + A_SELL_VOL]! += src[so + A_SELL_VOL]!;
  dst[d + A_BUY_QUOTE]! += src[so + A_BUY_QUOTE]!;
  dst[d + A_SELL_QUOTE]! += src[so + A_SELL_QUOTE]!;
  dst[d + A_COUNT]! += n;
}

/** Turns an empty window into the seed-004 empty bar: o = h = l = c = previous close, no volume. */
export function fillEmptyAcc(acc: Float64Array, o: number, previousClose: number): void {
  acc[o + A_OPEN] = previousClose;
  acc[o + A_HIGH] = previousClose;
  acc[o + A_LOW] = previousClose;
  acc[o + A_CLOSE] = previousClose;
}

/** True when the window has a bar to show: trades, or a previous close to carry (empty bar). */
export function accHasBar(acc: Float64Array, o: number): boolean {
  return acc[o + A_COUNT] !== 0 || !Number.isNaN(acc[o + A_OPEN]);
}

/** The window as a shared/model Bar; an empty window has vwap null (NaN in CSV). */
export function accToBar(acc: Float64Array, o: number, instrumentId: string, interval: string, intervalMs: number, openTimeMs: number, final: boolean): Bar {
  const buyVolume = acc[o + A_BUY_VOL]!;
  const sellVolume = acc[o + A_SELL_VOL]!;
  const buyQuoteVolume = acc[o + A_BUY_QUOTE]!;
  const sellQuoteVolume = acc[o + A_SELL_QUOTE]!;
  const volume = buyVolume + sellVolume;
  const quoteVolume = buyQuoteVolume + sellQuoteVolume;
  const tradeCount = acc[o + A_COUNT]!;
  return {
    instrumentId,
    interval,
    openTime: openTimeMs,
    closeTime: openTimeMs + intervalMs - 1,
    timeLabel: timeLabel(openTimeMs, intervalMs),
    open: acc[o + A_OPEN]!,
    high: acc[o + A_HIGH]!,
    low: acc[o + A_LOW]!,
    close: acc[o + A_CLOSE]!,
    volume,
    quoteVolume,
    tradeCount,
    vwap: tradeCount === 0 ? null : quoteVolume / volume,
    buyVolume,
    sellVolume,
    buyQuoteVolume,
    sellQuoteVolume,
    final,
  };
}
