import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TradeTick } from '../../shared/model/index.js';

export const TAPE_MAX_TRADES = 200;
/** A busy instrument prints dozens of trades a second; the grid is redrawn at most this often. */
export const TAPE_FLUSH_MS = 250;

export interface TapeState {
  instrumentId: string | null;
  /** The selected instrument's latest trades, newest first, at most TAPE_MAX_TRADES. */
  trades: TradeTick[];
  /** Starts the tape over for another instrument (there is no trade history to load). */
  show(instrumentId: string | null): void;
  /** Takes a `trades` event batch; the selected instrument's trades appear at the next flush. */
  applyTrades(batch: readonly TradeTick[]): void;
  /** Moves waiting trades into `trades` now (the timer calls it). */
  flush(): void;
  dispose(): void;
}

export type TapeStore = StoreApi<TapeState>;

export type Scheduler = (run: () => void, delayMs: number) => () => void;

export interface TapeStoreOptions {
  flushMs?: number;
  /** For tests: a timer they control. */
  schedule?: Scheduler;
}

const defaultSchedule: Scheduler = (run, delayMs) => {
  const t = setTimeout(run, delayMs);
  return () => clearTimeout(t);
};

export const tradeKey = (t: TradeTick): string => `${t.instrumentId}|${t.tradeId}`;

/** Newest first by venue time, arrival order among equal times; a trade seen twice is kept once. */
export function mergeTrades(current: readonly TradeTick[], arrived: readonly TradeTick[], max = TAPE_MAX_TRADES): TradeTick[] {
  const seen = new Set<string>();
  const out: TradeTick[] = [];
  // Later arrivals first, so the stable sort below keeps the latest of equal-time trades on top.
  for (const list of [[...arrived].reverse(), current]) {
    for (const t of list) {
      const key = tradeKey(t);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out.sort((a, b) => b.tsEvent - a.tsEvent).slice(0, max);
}

export function createTapeStore(options: TapeStoreOptions = {}): TapeStore {
  const flushMs = options.flushMs ?? TAPE_FLUSH_MS;
  const schedule = options.schedule ?? defaultSchedule;
  let pending: TradeTick[] = [];
  let cancelTimer: (() => void) | null = null;

  const stopTimer = () => {
    cancelTimer?.();
    cancelTimer = null;
  };

  return createStore<TapeState>()((set, get) => ({
    instrumentId: null,
    trades: [],

    show(instrumentId) {
      stopTimer();
      pending = [];
      set({ instrumentId, trades: [] });
    },

    applyTrades(batch) {
      const { instrumentId } = get();
      if (instrumentId === null) return;
      for (const t of batch) if (t.instrumentId === instrumentId) pending.push(t);
      if (pending.length > 0 && cancelTimer === null) {
        cancelTimer = schedule(() => {
          cancelTimer = null;
          get().flush();
        }, flushMs);
      }
    },

    flush() {
      stopTimer();
      if (pending.length === 0) return;
      // Only the newest trades can be shown; a burst bigger than the tape is cut before merging.
      const arrived = pending.length > TAPE_MAX_TRADES ? pending.slice(-TAPE_MAX_TRADES) : pending;
      pending = [];
      set({ trades: mergeTrades(get().trades, arrived) });
    },

    dispose() {
      stopTimer();
      pending = [];
    },
  }));
}
