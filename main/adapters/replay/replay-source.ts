import type { OrderBook, QuoteTick, TradeTick } from '../../../shared/model/index.js';

/**
 * One recorded market event. `tsEvent` is venue time (epoch ms) and decides its place on the replay
 * timeline; the tick's `tsInit` is stamped again with the replay clock when it is delivered.
 */
export type ReplayEvent =
  | { kind: 'trade'; tsEvent: number; trade: TradeTick }
  | { kind: 'quote'; tsEvent: number; quote: QuoteTick }
  | { kind: 'book'; tsEvent: number; book: OrderBook };

/**
 * A recording the replay venue can play. `open()` starts from the beginning every time it is called
 * (seek-to-start opens it again), reading lazily so a long file never sits in memory whole.
 */
export interface ReplaySource {
  /** For status lines and errors: the file or store it reads. */
  readonly description: string;
  open(): AsyncIterable<ReplayEvent>;
}
