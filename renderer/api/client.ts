import type { KestrelApi } from '../../shared/api/index.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the connection is not open, in plain words; null while open. */
  detail: string | null;
  /** When the next reconnect attempt is due (epoch ms), null when none is scheduled. */
  retryAtMs: number | null;
  /** Consecutive failed attempts since the last successful open. */
  attempt: number;
}

/** The contract plus what the UI needs to show about the link itself. */
export interface KestrelClient extends KestrelApi {
  readonly transport: 'ipc' | 'websocket';
  status(): ConnectionStatus;
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(handler: (status: ConnectionStatus) => void): () => void;
  /** Skips the backoff wait and reconnects now (no-op when open or over IPC). */
  reconnectNow(): void;
  close(): void;
}

export type Logger = (message: string, detail?: unknown) => void;

export const consoleLogger: Logger = (message, detail) => {
  if (detail === undefined) console.warn(`[kestrel] ${message}`);
  else console.warn(`[kestrel] ${message}`, detail);
};
