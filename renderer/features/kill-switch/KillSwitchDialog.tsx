import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { Dialog } from '../../components/Dialog.js';
import { useStores } from '../../stores/stores-context.js';

export function KillSwitchDialog() {
  const { system, ui, orders } = useStores();
  const halt = useStore(system, (s) => s.halt);
  const openOrders = useStore(orders, (s) => s.rows.length);
  const [reason, setReason] = useState('');
  const [flatten, setFlatten] = useState(false);
  const close = () => {
    system.getState().clearActionErrors();
    ui.getState().closeDialog();
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (await system.getState().haltTrading(reason.trim(), flatten)) ui.getState().closeDialog();
  };
  return (
    <Dialog title="Emergency stop" testId="kill-switch-dialog" tone="danger" onClose={close}>
      <form onSubmit={onSubmit} className="dialog-form">
        <p>
          Halting cancels every open order{openOrders > 0 ? ` (${openOrders} shown)` : ''} and refuses new orders until trading is re-armed. The halt survives a restart.
        </p>
        <label className="field field-wide">
          <span>Reason (required, journaled)</span>
          <input data-testid="kill-switch-reason" data-autofocus value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. runaway strategy, venue issue" />
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="kill-switch-flatten" checked={flatten} onChange={(e) => setFlatten(e.target.checked)} />
          Also flatten every position at market
        </label>
        {halt.error ? (
          <div className="dialog-error" role="alert" data-testid="kill-switch-error">
            {halt.error}
          </div>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="btn btn-ghost" onClick={close}>
            Cancel (Esc)
          </button>
          <button type="submit" className="btn btn-kill" data-testid="kill-switch-confirm" disabled={halt.pending || reason.trim() === ''}>
            {halt.pending ? 'Halting…' : flatten ? 'Halt and flatten' : 'Halt trading'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
