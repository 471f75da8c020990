import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { isOpenStatus } from '../../../shared/model/index.js';
import { Dialog } from '../../components/Dialog.js';
import { formatNumber } from '../../components/format.js';
import { paperAccountsOf } from '../../stores/accounts-store.js';
import { useStores } from '../../stores/stores-context.js';

/** Confirms a paper reset, naming the account and what happens to its orders, cash and positions. */
export function PaperResetDialog() {
  const { accounts, orders, positions, ticket, ui } = useStores();
  const accountList = useStore(accounts, (s) => s.accounts);
  const paperAccounts = paperAccountsOf(accountList);
  const state = useStore(accounts, (s) => s.paperReset);
  // The account the trader is trading is the one they most likely mean.
  const [accountId, setAccountId] = useState(() => {
    const ticketAccount = ticket.getState().fields.accountId;
    return paperAccounts.some((a) => a.accountId === ticketAccount) ? ticketAccount : (paperAccounts[0]?.accountId ?? '');
  });
  const openOrders = useStore(orders, (s) => Object.values(s.byId).filter((o) => o.accountId === accountId && isOpenStatus(o.status)).length);
  const openPositions = useStore(positions, (s) => s.positions.filter((p) => p.accountId === accountId && p.quantity !== 0).length);
  const allBalances = useStore(positions, (s) => s.balances);
  const balances = allBalances.filter((b) => b.accountId === accountId);

  const close = () => {
    accounts.getState().clearPaperResetError();
    ui.getState().closeDialog();
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (await accounts.getState().resetPaper(accountId)) ui.getState().closeDialog();
  };

  return (
    <Dialog title="Reset paper account" testId="paper-reset-dialog" onClose={close}>
      <form onSubmit={onSubmit} className="dialog-form">
        {paperAccounts.length === 0 ? <p>There is no paper account to reset.</p> : null}
        {paperAccounts.length > 1 ? (
          <label className="field field-wide">
            <span>Paper account</span>
            <select data-testid="paper-reset-account" data-autofocus value={accountId} onChange={(e) => setAccountId(e.target.value)}>
              {paperAccounts.map((a) => (
                <option key={a.accountId} value={a.accountId}>
                  {a.accountId} · {a.venue}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {accountId ? (
          <p data-testid="paper-reset-text">
            Start paper account <b>{accountId}</b> over: its open orders{openOrders > 0 ? ` (${openOrders} shown)` : ''} will be canceled, its cash restored to the
            starting balance{balances.length > 0 ? ` (now ${balances.map((b) => `${b.currency} ${formatNumber(b.total, 2)}`).join(', ')})` : ''} and its
            positions{openPositions > 0 ? ` (${openPositions} open)` : ''} cleared. Orders and fills already journaled stay in the history.
          </p>
        ) : null}
        {state.error ? (
          <div className="dialog-error" role="alert" data-testid="paper-reset-error">
            {state.error}
          </div>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="btn btn-ghost" onClick={close}>
            Cancel (Esc)
          </button>
          <button type="submit" className="btn btn-danger" data-testid="paper-reset-confirm" disabled={state.pending || accountId === ''}>
            {state.pending ? 'Resetting…' : `Reset ${accountId || 'paper account'}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
