import type { Bar } from '../../shared/model/market.js';

/**
 * final: the window ended by venue time (or the input ended: flush).
 * correction: a late trade within grace changed a bar already delivered as final; replaces it.
 * partial: the forming bar of the open window, for live charts (`final: false`).
 */
export type BarEventKind = 'final' | 'correction' | 'partial';

export type TradeRejectReason =
  /** price or quantity not a finite number > 0, or time not a finite epoch-ms ≥ 0 */
  | 'invalid'
  /** trade id already seen for this instrument (reconnect replay) */
  | 'duplicate'
  /** its window ended more than graceMs of venue time ago */
  | 'late'
  /** its window is older than the first window this aggregator opened */
  | 'before_start'
  /** more than maxGapMs ahead of the venue clock: a broken timestamp, not a quiet market */
  | 'implausible_time'
  /** arrived after flush() ended the stream */
  | 'after_flush';

export const TRADE_REJECT_REASONS: readonly TradeRejectReason[] = ['invalid', 'duplicate', 'late', 'before_start', 'implausible_time', 'after_flush'];

export interface TradeRejection {
  reason: TradeRejectReason;
  instrumentId: string;
  /** -1 when the trade had no numeric id. */
  tradeId: number;
  tsMs: number;
  price: number;
  qty: number;
}

export interface BarSink {
  onBar(bar: Bar, kind: BarEventKind): void;
  /** Every instrument of the universe has its `interval` bar for the window opening at `openTime`. Once per window. */
  onBarsComplete?(interval: string, openTime: number): void;
  /** A trade that was counted out, and why (nothing is dropped silently). */
  onTradeRejected?(rejection: TradeRejection): void;
}

export interface AggregatorStats {
  accepted: number;
  rejected: Record<TradeRejectReason, number>;
  finalBars: number;
  corrections: number;
  completeWindows: number;
  /** Gap ranges the duplicate filter had to forget (sparse venue ids). */
  forgottenIdGaps: number;
}
