import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { Dialog } from '../../components/Dialog.js';
import { useStores } from '../../stores/stores-context.js';

export function RearmDialog() {
  const { system, ui } = useStores();
  const rearm = useStore(system, (s) => s.rearm);
  const [reason, setReason] = useState('');
  const close = () => {
    system.getState().clearActionErrors();
    ui.getState().closeDialog();
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (await system.getState().rearmTrading(reason.trim())) ui.getState().closeDialog();
  };
  return (
    <Dialog title="Re-arm trading" testId="rearm-dialog" onClose={close}>
      <form onSubmit={onSubmit} className="dialog-form">
        <p>New orders will be accepted again. Say why it is safe to trade; the reason is journaled.</p>
        <label className="field field-wide">
          <span>Reason (required)</span>
          <input data-testid="rearm-reason" data-autofocus value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
        {rearm.error ? (
          <div className="dialog-error" role="alert" data-testid="rearm-error">
            {rearm.error}
          </div>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="btn btn-ghost" onClick={close}>
            Cancel (Esc)
          </button>
          <button type="submit" className="btn btn-primary" data-testid="rearm-confirm" disabled={rearm.pending || reason.trim() === ''}>
            {rearm.pending ? 'Re-arming…' : 'Re-arm trading'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
