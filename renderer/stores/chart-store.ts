import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Bar } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';
import type { KeyValueStorage } from './key-value-storage.js';

/** The core's default intervals (config `marketdata.intervals`), until `state.get` says which it serves. */
export const CHART_INTERVALS = ['1m', '5m', '1h', '4h', '8h', '12h', '24h'] as const;
export const DEFAULT_CHART_INTERVAL = '1m';
export const CHART_HISTORY_BARS = 500;
const MAX_BARS = 5_000;
/** sessionStorage key: the interval is remembered for the tab, as the API token is. */
export const CHART_INTERVAL_KEY = 'kestrel.chart.interval';

/** How the bars changed last, so the chart can call `update` (cheap) instead of `setData`. */
export type BarsChange = { kind: 'reset' } | { kind: 'update'; bar: Bar };

export interface ChartState {
  instrumentId: string | null;
  interval: string;
  intervals: readonly string[];
  bars: Bar[];
  revision: number;
  lastChange: BarsChange;
  loading: boolean;
  error: string | null;
  /** Shows an instrument: clears the bars and loads its history. */
  show(instrumentId: string | null): Promise<void>;
  /** Switches the interval of the shown instrument and remembers it for the session. */
  selectInterval(interval: string): Promise<void>;
  /** The next (+1) or previous (−1) interval, wrapping around: what ] and [ do. */
  stepInterval(step: 1 | -1): Promise<void>;
  reload(): Promise<void>;
  applyBar(bar: Bar): void;
}

export type ChartStore = StoreApi<ChartState>;

export interface ChartStoreOptions {
  /** Where the chosen interval is kept (the tab's sessionStorage); null keeps it in memory only. */
  storage?: KeyValueStorage | null;
}

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

function readStoredInterval(storage: KeyValueStorage | null): string {
  try {
    const stored = storage?.getItem(CHART_INTERVAL_KEY) ?? null;
    return stored !== null && (CHART_INTERVALS as readonly string[]).includes(stored) ? stored : DEFAULT_CHART_INTERVAL;
  } catch {
    // Storage can be switched off (privacy settings); the chart still works, it just forgets.
    return DEFAULT_CHART_INTERVAL;
  }
}

export function createChartStore(client: KestrelClient, options: ChartStoreOptions = {}): ChartStore {
  const storage = options.storage ?? null;
  // Live bars that arrive while the history request is in flight, replayed on top of it.
  let buffered: Bar[] = [];
  let loadSeq = 0;

  return createStore<ChartState>()((set, get) => {
    const load = async (instrumentId: string | null, interval: string) => {
      const seq = ++loadSeq;
      buffered = [];
      set((s) => ({ instrumentId, interval, bars: [], revision: s.revision + 1, lastChange: { kind: 'reset' }, loading: instrumentId !== null, error: null }));
      if (instrumentId === null) return;
      try {
        const history = await client.call('bars.list', { instrumentId, interval, limit: CHART_HISTORY_BARS });
        if (seq !== loadSeq) return; // the user picked another instrument or interval meanwhile
        let bars = [...history].sort((a, b) => a.openTime - b.openTime);
        for (const bar of buffered) bars = mergeBar(bars, bar).bars;
        buffered = [];
        set((s) => ({ bars: bars.slice(-MAX_BARS), revision: s.revision + 1, lastChange: { kind: 'reset' }, loading: false }));
      } catch (err) {
        if (seq !== loadSeq) return;
        set({ loading: false, error: `could not load ${interval} bars for ${instrumentId}: ${errorText(err)}` });
      }
    };

    return {
      instrumentId: null,
      interval: readStoredInterval(storage),
      intervals: CHART_INTERVALS,
      bars: [],
      revision: 0,
      lastChange: { kind: 'reset' },
      loading: false,
      error: null,

      async show(instrumentId) {
        await load(instrumentId, get().interval);
      },

      async selectInterval(interval) {
        if (!get().intervals.includes(interval)) return;
        try {
          storage?.setItem(CHART_INTERVAL_KEY, interval);
        } catch {
          // See readStoredInterval: not remembering is no reason to refuse the switch.
        }
        if (interval === get().interval) return;
        await load(get().instrumentId, interval);
      },

      async stepInterval(step) {
        const { intervals, interval } = get();
        const at = intervals.indexOf(interval);
        const next = intervals[(((at < 0 ? 0 : at) + step) % intervals.length + intervals.length) % intervals.length];
        if (next !== undefined) await get().selectInterval(next);
      },

      async reload() {
        await load(get().instrumentId, get().interval);
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
    };
  });
}
