import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { AccountBadges } from '../../components/AccountBadges.js';
import { Badge, SimulatedBadge } from '../../components/Badge.js';
import { SHORTCUTS } from '../../components/shortcuts.js';
import { useStores } from '../../stores/stores-context.js';

function ConnectionIndicator() {
  const { system } = useStores();
  const connection = useStore(system, (s) => s.connection);
  const transport = useStore(system, (s) => s.transport);
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    if (connection.retryAtMs === null) return;
    const t = setInterval(() => setNowMs(Date.now()), 500);
    return () => clearInterval(t);
  }, [connection.retryAtMs]);
  if (connection.state === 'open') {
    return (
      <span className="conn conn-open" data-testid="connection" data-state="open" title={transport === 'ipc' ? 'Connected to the core (desktop)' : 'Connected to kestrel serve'}>
        <span className="dot dot-ok" aria-hidden /> live
      </span>
    );
  }
  const retryInS = connection.retryAtMs === null ? null : Math.max(0, Math.ceil((connection.retryAtMs - nowMs) / 1000));
  return (
    <span className="conn conn-down" data-testid="connection" data-state={connection.state} title={connection.detail ?? undefined}>
      <span className={`dot ${connection.state === 'connecting' ? 'dot-warn' : 'dot-danger'}`} aria-hidden />
      {connection.state === 'connecting' ? 'connecting…' : 'disconnected'}
      {retryInS !== null ? <span className="muted"> · retry in {retryInS}s</span> : null}
      {connection.state === 'closed' && connection.retryAtMs !== null ? (
        <button type="button" className="btn btn-xs btn-ghost" onClick={() => system.getState().reconnectNow()}>
          retry now
        </button>
      ) : null}
    </span>
  );
}

function AccountsIndicator() {
  const { accounts } = useStores();
  const list = useStore(accounts, (s) => s.accounts);
  if (list.length === 0) return null;
  return (
    <span className="header-item accounts" data-testid="accounts">
      {list.map((a) => (
        <span key={a.accountId} className={`account-chip account-${a.mode}`} data-testid={`account-${a.accountId}`} data-mode={a.mode}>
          {a.accountId}
          <AccountBadges account={a} testId={`account-badge-${a.accountId}`} />
        </span>
      ))}
    </span>
  );
}

function ShortcutsHelp() {
  return (
    <span className="help" tabIndex={0} data-testid="shortcuts-help" aria-label="Keyboard shortcuts">
      ?
      <span className="help-tooltip" role="tooltip">
        <b>Keyboard shortcuts</b>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <td>
                  <kbd>{s.keys}</kbd>
                </td>
                <td>{s.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </span>
    </span>
  );
}

export function Header() {
  const { system, ui } = useStores();
  const trading = useStore(system, (s) => s.trading);
  const simulated = useStore(system, (s) => s.simulated);
  const version = useStore(system, (s) => s.version);
  const halted = trading?.state === 'HALTED';
  return (
    <header className="app-header">
      <span className="brand">KESTREL</span>
      {simulated ? <SimulatedBadge testId="header-simulated" /> : null}
      <span className="header-item" data-testid="trading-state" data-state={trading?.state ?? 'unknown'}>
        Trading{' '}
        {trading ? (
          <Badge tone={halted ? 'danger' : 'ok'} title={trading.reason || undefined}>
            {trading.state}
          </Badge>
        ) : (
          <Badge tone="muted">…</Badge>
        )}
      </span>
      <ConnectionIndicator />
      <AccountsIndicator />
      <span className="spacer" />
      {version ? <span className="muted small">v{version}</span> : null}
      <ShortcutsHelp />
      <button type="button" className="btn btn-kill" data-testid="kill-switch" title="Emergency stop: cancel every order and refuse new ones (Ctrl+Shift+K)" onClick={() => ui.getState().openDialog('killSwitch')}>
        ■ STOP
      </button>
    </header>
  );
}
