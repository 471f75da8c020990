import { useStore } from 'zustand';
import { formatTime } from '../../components/format.js';
import { useStores } from '../../stores/stores-context.js';

export function HaltedBanner() {
  const { system, ui } = useStores();
  const trading = useStore(system, (s) => s.trading);
  if (trading?.state !== 'HALTED') return null;
  return (
    <div className="halted-banner" role="alert" data-testid="halted-banner">
      <b>TRADING HALTED</b>
      <span>
        {trading.reason ? `Reason: ${trading.reason}` : 'No reason recorded'}
        {trading.changedBy ? ` · by ${trading.changedBy}` : ''} · since {formatTime(trading.tsChanged)}
      </span>
      <span className="muted">New orders are refused until trading is re-armed.</span>
      <span className="spacer" />
      <button type="button" className="btn btn-outline" data-testid="rearm" onClick={() => ui.getState().openDialog('rearm')}>
        Re-arm…
      </button>
    </div>
  );
}
