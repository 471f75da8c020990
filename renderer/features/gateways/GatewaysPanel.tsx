import { useStore } from 'zustand';
import { SimulatedBadge } from '../../components/Badge.js';
import { formatAge } from '../../components/format.js';
import { Panel } from '../../components/Panel.js';
import { useStores } from '../../stores/stores-context.js';

const STATE_TONE: Record<string, string> = {
  connected: 'ok',
  connecting: 'warn',
  reconnecting: 'warn',
  disconnected: 'danger',
  error: 'danger',
  stopped: 'muted',
};

export function GatewaysPanel() {
  const { system } = useStores();
  const gateways = useStore(system, (s) => s.gateways);
  const workers = useStore(system, (s) => s.workers);
  return (
    <Panel testId="gateways" title="Gateways" className="gateways-panel">
      <ul className="status-list">
        {gateways.length === 0 ? <li className="muted">No gateways reported yet</li> : null}
        {gateways.map((g) => (
          <li key={g.gatewayId} className="status-item" data-testid={`gateway-${g.gatewayId}`}>
            <div className="status-line">
              <span className={`dot dot-${STATE_TONE[g.state] ?? 'muted'}`} aria-hidden />
              <b>{g.gatewayId}</b>
              <span className="muted">{g.venue}</span>
              {g.simulated ? <SimulatedBadge testId="gateway-simulated-badge" /> : null}
              <span className={`state state-${STATE_TONE[g.state] ?? 'muted'}`}>{g.state}</span>
            </div>
            <div className="status-metrics">
              <span title="Round-trip latency">lat {g.latencyMs === null ? '—' : `${Math.round(g.latencyMs)} ms`}</span>
              <span title="Messages per second">{g.messagesPerSec.toFixed(1)} msg/s</span>
              <span title="Age of the last message">last {formatAge(g.lastMessageAgeMs)}</span>
              <span title="Reconnects since start">rc {g.reconnectCount}</span>
            </div>
            {g.lastError ? <div className="status-error">{g.lastError}</div> : null}
          </li>
        ))}
      </ul>
      {workers.length > 0 ? (
        <>
          <h3 className="subhead">Workers</h3>
          <ul className="worker-list">
            {workers.map((w) => (
              <li key={w.worker} data-testid={`worker-${w.worker}`} title={w.lastEvent?.detail ?? undefined}>
                <span className={`dot dot-${w.alive ? 'ok' : 'danger'}`} aria-hidden />
                {w.worker}
                {w.restarts > 0 ? <span className="muted"> · {w.restarts} restart{w.restarts === 1 ? '' : 's'}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Panel>
  );
}
