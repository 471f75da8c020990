import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Account } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export interface PaperResetState {
  pending: boolean;
  error: string | null;
}

export interface AccountsState {
  /** In the core's order; the first is the ticket's default. */
  accounts: Account[];
  loadError: string | null;
  paperReset: PaperResetState;
  load(): Promise<void>;
  /** Starts a paper account over. Resolves true when the core confirmed it. */
  resetPaper(accountId: string): Promise<boolean>;
  clearPaperResetError(): void;
}

export type AccountsStore = StoreApi<AccountsState>;

export interface AccountsDeps {
  /** Runs after the core reset `accountIds`: positions and balances must be read again. */
  afterPaperReset(accountIds: string[]): Promise<void> | void;
}

const IDLE: PaperResetState = { pending: false, error: null };

export const paperAccountsOf = (accounts: readonly Account[]): Account[] => accounts.filter((a) => a.mode === 'paper');

export function createAccountsStore(client: KestrelClient, deps: AccountsDeps): AccountsStore {
  return createStore<AccountsState>()((set, get) => ({
    accounts: [],
    loadError: null,
    paperReset: IDLE,

    async load() {
      try {
        set({ accounts: await client.call('accounts.list', {}), loadError: null });
      } catch (err) {
        set({ loadError: `could not load accounts: ${errorText(err)}` });
      }
    },

    async resetPaper(accountId) {
      if (get().paperReset.pending) return false;
      const account = get().accounts.find((a) => a.accountId === accountId);
      // The core would refuse too, but a live account must never even be asked.
      if (account && account.mode !== 'paper') {
        set({ paperReset: { pending: false, error: `${accountId} is a ${account.mode} account; only paper accounts can be reset` } });
        return false;
      }
      set({ paperReset: { pending: true, error: null } });
      let reset: string[];
      try {
        reset = (await client.call('paper.reset', { accountId })).accounts;
      } catch (err) {
        set({ paperReset: { pending: false, error: `could not reset paper account ${accountId}: ${errorText(err)}` } });
        return false;
      }
      set({ paperReset: IDLE });
      await deps.afterPaperReset(reset);
      return true;
    },

    clearPaperResetError() {
      set({ paperReset: IDLE });
    },
  }));
}
