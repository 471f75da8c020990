import { describe, expect, it } from 'vitest';
import { createAccountsStore } from '../../../../renderer/stores/accounts-store.js';
import { FakeClient } from '../support/fake-client.js';
import { account } from '../support/samples.js';

describe('accounts store', () => {
  it('loads the accounts in the core’s order', async () => {
    const client = new FakeClient().answer('accounts.list', () => [account('paper'), account('binance-live', { mode: 'live' })]);
    const store = createAccountsStore(client, { afterPaperReset: () => {} });
    await store.getState().load();
    expect(store.getState().accounts.map((a) => [a.accountId, a.mode])).toEqual([
      ['paper', 'paper'],
      ['binance-live', 'live'],
    ]);
  });

  it('resets a paper account, then lets the positions and balances be read again', async () => {
    const client = new FakeClient().answer('accounts.list', () => [account('paper')]).answer('paper.reset', (q) => ({ accounts: [q.accountId ?? 'all'] }));
    const reset: string[][] = [];
    const store = createAccountsStore(client, { afterPaperReset: (ids) => void reset.push(ids) });
    await store.getState().load();
    expect(await store.getState().resetPaper('paper')).toBe(true);
    expect(client.calls.at(-1)).toEqual({ method: 'paper.reset', input: { accountId: 'paper' } });
    expect(reset).toEqual([['paper']]);
    expect(store.getState().paperReset).toEqual({ pending: false, error: null });
  });

  it('never asks the core to reset a live account', async () => {
    const client = new FakeClient().answer('accounts.list', () => [account('binance-live', { mode: 'live' })]);
    const store = createAccountsStore(client, { afterPaperReset: () => {} });
    await store.getState().load();
    expect(await store.getState().resetPaper('binance-live')).toBe(false);
    expect(client.calls.map((c) => c.method)).toEqual(['accounts.list']);
    expect(store.getState().paperReset.error).toBe('binance-live is a live account; only paper accounts can be reset');
  });

  it('shows the core’s refusal in its own words', async () => {
    const client = new FakeClient().refuse('paper.reset', 'not_found', 'unknown paper account ghost');
    let called = false;
    const store = createAccountsStore(client, { afterPaperReset: () => void (called = true) });
    expect(await store.getState().resetPaper('ghost')).toBe(false);
    expect(store.getState().paperReset.error).toBe('could not reset paper account ghost: unknown paper account ghost');
    expect(called).toBe(false);
  });
});
