import { useStore } from 'zustand';
import { useStores } from '../../stores/stores-context.js';

/** Toasts: worker crashes/restarts, gateway drops, disconnects, halts. */
export function Notices() {
  const { notices } = useStores();
  const list = useStore(notices, (s) => s.notices);
  if (list.length === 0) return null;
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {list.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-testid={`notice-${n.level}`}>
          <div className="notice-text">
            <b>{n.title}</b>
            {n.detail ? <span>{n.detail}</span> : null}
          </div>
          <button type="button" className="btn btn-xs btn-ghost" aria-label="Dismiss" onClick={() => notices.getState().dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
