import { useStore } from 'zustand';
import { useStores } from '../../stores/stores-context.js';

/** Says plainly when the numbers on screen are stale: the link to the core is down. */
export function ConnectionBanner() {
  const { system } = useStores();
  const connection = useStore(system, (s) => s.connection);
  const everLoaded = useStore(system, (s) => s.version !== null);
  if (connection.state === 'open' || (connection.state === 'connecting' && !everLoaded)) return null;
  return (
    <div className="connection-banner" role="alert" data-testid="disconnected-banner">
      <b>{connection.state === 'connecting' ? 'Reconnecting…' : 'Disconnected'}</b>
      <span>{connection.detail ?? 'The link to the Kestrel core is down.'} Prices, orders and positions shown may be stale.</span>
      <span className="spacer" />
      {connection.retryAtMs !== null ? (
        <button type="button" className="btn btn-outline" onClick={() => system.getState().reconnectNow()}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
