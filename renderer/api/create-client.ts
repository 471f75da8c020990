import { KestrelError } from '../../shared/api/index.js';
import { consoleLogger, type ConnectionStatus, type KestrelClient } from './client.js';
import { IpcClient } from './ipc-client.js';
import { takeApiToken } from './token.js';
import { WsClient, type SocketFactory } from './ws-client.js';

const browserSocket: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev) => {
    if (typeof ev.data === 'string') handlers.onMessage(ev.data);
  };
  ws.onclose = (ev) => handlers.onClose(ev.code, ev.reason);
  return { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) };
};

/** A client that never connects, for a page opened without a token: the UI says what to do. */
class NoTokenClient implements KestrelClient {
  readonly transport = 'websocket' as const;
  private readonly current: ConnectionStatus = {
    state: 'closed',
    detail: 'no API token: open the full URL printed by "kestrel serve" (it ends in ?token=…)',
    retryAtMs: null,
    attempt: 0,
  };
  call(): Promise<never> {
    return Promise.reject(new KestrelError('unauthorized', this.current.detail ?? 'no API token'));
  }
  on(): () => void {
    return () => {};
  }
  status(): ConnectionStatus {
    return this.current;
  }
  onStatus(): () => void {
    return () => {};
  }
  reconnectNow(): void {}
  close(): void {}
}

/** The REST surface answers 401 plainly where the WebSocket upgrade cannot say why it failed. */
async function explainFailure(token: string): Promise<string | null> {
  try {
    const res = await fetch('./api/state', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (res.status === 401) return 'the server refused the API token (it changes each time kestrel serve starts without --token); open the URL it printed';
    return null;
  } catch {
    return null;
  }
}

/** IPC when the preload bridge is there (desktop app), else the WebSocket of `kestrel serve`. */
export function createClient(): KestrelClient {
  if (window.kestrel) return new IpcClient(window.kestrel, consoleLogger);
  const token = takeApiToken({
    href: window.location.href,
    storage: window.sessionStorage,
    replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
  });
  if (!token) return new NoTokenClient();
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/api/ws?token=${encodeURIComponent(token)}`;
  return new WsClient({ url, openSocket: browserSocket, log: consoleLogger, explainFailure: () => explainFailure(token) });
}
