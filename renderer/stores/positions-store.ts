import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Balance, Position } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export interface PositionsState {
  positions: Position[];
  balances: Balance[];
  loadError: string | null;
  load(): Promise<void>;
  loadBalances(): Promise<void>;
  applyPositions(positions: Position[]): void;
  /** Forgets the positions of accounts that were reset (the core's event no longer lists them). */
  dropAccounts(accountIds: readonly string[]): void;
}

export type PositionsStore = StoreApi<PositionsState>;

const byInstrument = (list: Position[]) =>
  [...list].sort((a, b) => a.instrumentId.localeCompare(b.instrumentId) || a.accountId.localeCompare(b.accountId));

const keyOf = (p: Position) => `${p.accountId}|${p.instrumentId}`;

/**
 * The event may carry every position or only the changed ones; upserting by account and
 * instrument is right for both (a closed position stays, at quantity 0, with its realized PnL).
 */
export function upsertPositions(current: readonly Position[], incoming: readonly Position[]): Position[] {
  const byKey = new Map<string, Position>();
  for (const p of current) byKey.set(keyOf(p), p);
  for (const p of incoming) {
    const prev = byKey.get(keyOf(p));
    if (!prev || p.tsUpdated >= prev.tsUpdated) byKey.set(keyOf(p), p);
  }
  return byInstrument([...byKey.values()]);
}

export function createPositionsStore(client: KestrelClient): PositionsStore {
  // Counts events so a snapshot that was requested before an event arrived does not overwrite it.
  let eventSeq = 0;

  return createStore<PositionsState>()((set, get) => ({
    positions: [],
    balances: [],
    loadError: null,

    async load() {
      const seqAtRequest = eventSeq;
      try {
        const positions = await client.call('positions.list', {});
        if (eventSeq === seqAtRequest) set({ positions: byInstrument(positions), loadError: null });
      } catch (err) {
        set({ loadError: `could not load positions: ${errorText(err)}` });
      }
      await get().loadBalances();
    },

    async loadBalances() {
      try {
        set({ balances: await client.call('balances.list', {}) });
      } catch (err) {
        set({ loadError: `could not load balances: ${errorText(err)}` });
      }
    },

    applyPositions(positions) {
      eventSeq++;
      set({ positions: upsertPositions(get().positions, positions) });
    },

    dropAccounts(accountIds) {
      const gone = new Set(accountIds);
      set({ positions: get().positions.filter((p) => !gone.has(p.accountId)) });
    },
  }));
}
