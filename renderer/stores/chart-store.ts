import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Bar } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export const CHART_INTERVAL = '1m';
export const CHART_HISTORY_BARS = 500;
const MAX_BARS = 5_000;

/** How the bars changed last, so the chart can call `update` (cheap) instead of `setData`. */
export type BarsChange = { kind: 'reset' } | { kind: 'update'; bar: Bar };

export interface ChartState {
  instrumentId: string | null;
  interval: string;
  bars: Bar[];
  revision: number;
  lastChange: BarsChange;
  loading: boolean;
  error: string | null;
  /** Shows an instrument: clears the bars and loads its history. */
  show(instrumentId: string | null): Promise<void>;
  reload(): Promise<void>;
  applyBar(bar: Bar): void;
}

export type ChartStore = StoreApi<ChartState>;

/** Puts `bar` into `bars` (sorted by openTime), replacing a bar with the same openTime. */
export function mergeBar(bars: readonly Bar[], bar: Bar): { bars: Bar[]; change: BarsChange } {
  const last = bars[bars.length - 1];
  if (!last || bar.openTime > last.openTime) return { bars: [...bars, bar], change: { kind: 'update', bar } };
  if (bar.openTime === last.openTime) return { bars: [...bars.slice(0, -1), bar], change: { kind: 'update', bar } };
  // An older bar (a late final version of a closed minute): the chart must redraw from the array.
  const next = [...bars];
  const at = next.findIndex((b) => b.openTime >= bar.openTime);
  if (at >= 0 && next[at]!.openTime === bar.openTime) next[at] = bar;
  else next.splice(at < 0 ? next.length : at, 0, bar);
  return { bars: next, change: { kind: 'reset' } };
}

export function createChartStore(client: KestrelClient): ChartStore {
  // Live bars that arrive while the history request is in flight, replayed on top of it.
  let buffered: Bar[] = [];
  let loadSeq = 0;

  return createStore<ChartState>()((set, get) => ({
    instrumentId: null,
    interval: CHART_INTERVAL,
    bars: [],
    revision: 0,
    lastChange: { kind: 'reset' },
    loading: false,
    error: null,

    async show(instrumentId) {
      const seq = ++loadSeq;
      buffered = [];
      set((s) => ({ instrumentId, bars: [], revision: s.revision + 1, lastChange: { kind: 'reset' }, loading: instrumentId !== null, error: null }));
      if (instrumentId === null) return;
      try {
        const history = await client.call('bars.list', { instrumentId, interval: get().interval, limit: CHART_HISTORY_BARS });
        if (seq !== loadSeq) return; // the user picked another instrument meanwhile
        let bars = [...history].sort((a, b) => a.openTime - b.openTime);
        for (const bar of buffered) bars = mergeBar(bars, bar).bars;
        buffered = [];
        set((s) => ({ bars: bars.slice(-MAX_BARS), revision: s.revision + 1, lastChange: { kind: 'reset' }, loading: false }));
      } catch (err) {
        if (seq !== loadSeq) return;
        set({ loading: false, error: `could not load bars for ${instrumentId}: ${errorText(err)}` });
      }
    },

    async reload() {
      await get().show(get().instrumentId);
    },

    applyBar(bar) {
      const s = get();
      if (bar.instrumentId !== s.instrumentId || bar.interval !== s.interval) return;
      if (s.loading) {
        buffered.push(bar);
        return;
      }
      const { bars, change } = mergeBar(s.bars, bar);
      set({ bars: bars.length > MAX_BARS ? bars.slice(-MAX_BARS) : bars, revision: s.revision + 1, lastChange: change });
    },
  }));
}
