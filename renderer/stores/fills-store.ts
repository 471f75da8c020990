import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Fill } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

const MAX_FILLS = 5_000;

export interface FillsState {
  /** Newest first. */
  fills: Fill[];
  loadError: string | null;
  load(): Promise<void>;
  applyFill(fill: Fill): void;
}

export type FillsStore = StoreApi<FillsState>;

/** Union of two fill lists by fillId, newest first (a fill can arrive both as event and in a snapshot). */
export function mergeFills(current: readonly Fill[], incoming: readonly Fill[]): Fill[] {
  const byId = new Map<string, Fill>();
  for (const f of current) byId.set(f.fillId, f);
  for (const f of incoming) byId.set(f.fillId, f);
  return [...byId.values()].sort((a, b) => b.tsEvent - a.tsEvent || b.fillId.localeCompare(a.fillId)).slice(0, MAX_FILLS);
}

export function createFillsStore(client: KestrelClient): FillsStore {
  return createStore<FillsState>()((set, get) => ({
    fills: [],
    loadError: null,

    async load() {
      try {
        const fills = await client.call('fills.list', {});
        set({ fills: mergeFills(get().fills, fills), loadError: null });
      } catch (err) {
        set({ loadError: `could not load fills: ${errorText(err)}` });
      }
    },

    applyFill(fill) {
      const { fills } = get();
      if (fills.some((f) => f.fillId === fill.fillId)) return;
      set({ fills: mergeFills(fills, [fill]) });
    },
  }));
}
