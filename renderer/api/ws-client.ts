import {
  KestrelError,
  ResponseFrame,
  describeZodError,
  type EventData,
  type EventName,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from '../../shared/api/index.js';
import { consoleLogger, type ConnectionStatus, type KestrelClient, type Logger } from './client.js';
import { EventHub } from './event-hub.js';
import { parseResult } from './results.js';

/** What the client needs from a socket; the browser's WebSocket and `ws` both fit through a small adapter. */
export interface SocketHandle {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
}
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

export interface WsClientOptions {
  url: string;
  openSocket: SocketFactory;
  requestTimeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  log?: Logger;
  /**
   * Asked after a failed connect for a better reason than "cannot reach" (a browser is told nothing
   * about why a WebSocket upgrade failed); null keeps the generic one.
   */
  explainFailure?: () => Promise<string | null>;
  /** For tests: a deterministic 0..1 source for the backoff jitter. */
  random?: () => number;
  now?: () => number;
}

interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(err: KestrelError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Close codes the server uses when it refuses the token; retrying with the same token cannot help. */
const AUTH_CLOSE_CODES = new Set([1008, 4401, 4403]);

/**
 * Browser-mode transport: one WebSocket to `kestrel serve`, requests matched to answers by id,
 * events fanned out through the EventHub. Reconnects with exponential backoff; requests made while
 * the link is down fail at once (an order must never be sent late, when the trader no longer
 * expects it) and the stores re-fetch their snapshots when the link comes back.
 */
export class WsClient implements KestrelClient {
  readonly transport = 'websocket' as const;
  private readonly hub: EventHub;
  private readonly log: Logger;
  private readonly pending = new Map<number, Pending>();
  private readonly statusHandlers = new Set<(s: ConnectionStatus) => void>();
  private socket: SocketHandle | null = null;
  private isOpen = false;
  private nextId = 1;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private current: ConnectionStatus = { state: 'connecting', detail: null, retryAtMs: null, attempt: 0 };

  constructor(private readonly opts: WsClientOptions) {
    this.log = opts.log ?? consoleLogger;
    this.hub = new EventHub(this.log);
    this.connect();
  }

  status(): ConnectionStatus {
    return this.current;
  }

  onStatus(handler: (status: ConnectionStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    return this.hub.on(event, handler);
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const socket = this.socket;
    if (!socket || !this.isOpen) {
      return Promise.reject(new KestrelError('unavailable', `not connected to the Kestrel server, so ${method} was not sent`));
    }
    const id = this.nextId++;
    const timeoutMs = this.opts.requestTimeoutMs ?? 15_000;
    return new Promise<MethodOutput<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KestrelError('unavailable', `the server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        socket.send(JSON.stringify({ id, method, params: input }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new KestrelError('unavailable', `could not send ${method}: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  reconnectNow(): void {
    if (this.isOpen || this.closedByUser) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  close(): void {
    this.closedByUser = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.close(1000, 'client closed');
    this.socket = null;
    this.isOpen = false;
    this.failPending('the connection was closed');
  }

  private connect(): void {
    this.setStatus({ ...this.current, state: 'connecting', retryAtMs: null });
    let socket: SocketHandle;
    try {
      socket = this.opts.openSocket(this.opts.url, {
        onOpen: () => {
          if (this.socket !== socket) return;
          this.isOpen = true;
          this.setStatus({ state: 'open', detail: null, retryAtMs: null, attempt: 0 });
        },
        onMessage: (text) => {
          if (this.socket === socket) this.handleMessage(text);
        },
        onClose: (code, reason) => {
          if (this.socket !== socket) return;
          this.handleClose(code, reason);
        },
      });
    } catch (err) {
      this.socket = null;
      this.handleClose(1006, err instanceof Error ? err.message : String(err));
      return;
    }
    this.socket = socket;
  }

  private handleMessage(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log('dropped a frame that is not JSON', text.slice(0, 200));
      return;
    }
    if (raw && typeof raw === 'object' && 'event' in raw) {
      this.hub.dispatch(raw);
      return;
    }
    const frame = ResponseFrame.safeParse(raw);
    if (!frame.success) {
      this.log('dropped a malformed response frame', describeZodError(frame.error, 'response frame'));
      return;
    }
    const { id } = frame.data;
    if (id === null) {
      // The server could not even read our request's id; nothing to settle, but worth seeing.
      if ('error' in frame.data) this.log(`the server refused a request: ${frame.data.error.message}`);
      return;
    }
    const pending = this.pending.get(id);
    if (!pending) {
      this.log(`dropped an answer to unknown request ${id}`);
      return;
    }
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if ('error' in frame.data) {
      pending.reject(new KestrelError(frame.data.error.code, frame.data.error.message));
      return;
    }
    try {
      pending.resolve(parseResult(pending.method, frame.data.result));
    } catch (err) {
      this.log(`dropped a malformed answer to ${pending.method}`, err);
      pending.reject(err as KestrelError);
    }
  }

  private handleClose(code: number, reason: string): void {
    this.socket = null;
    const wasOpen = this.isOpen;
    this.isOpen = false;
    this.failPending(wasOpen ? 'the connection to the server was lost' : 'could not connect to the server');
    if (this.closedByUser) {
      this.setStatus({ state: 'closed', detail: 'closed', retryAtMs: null, attempt: this.current.attempt });
      return;
    }
    const attempt = wasOpen ? 0 : this.current.attempt + 1;
    const detail = AUTH_CLOSE_CODES.has(code)
      ? `the server refused the API token${reason ? ` (${reason})` : ''}; open the URL printed by "kestrel serve"`
      : wasOpen
        ? `connection lost${reason ? `: ${reason}` : ''}`
        : `cannot reach the Kestrel server${reason ? `: ${reason}` : ''}`;
    const initial = this.opts.initialBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 10_000;
    const base = Math.min(max, initial * 2 ** Math.min(attempt, 16));
    // Jitter keeps many tabs from reconnecting in lockstep after the server restarts.
    const delayMs = Math.round(base * (0.5 + 0.5 * (this.opts.random ?? Math.random)()));
    const now = (this.opts.now ?? Date.now)();
    this.setStatus({ state: 'closed', detail, retryAtMs: now + delayMs, attempt });
    if (!wasOpen && this.opts.explainFailure) {
      void this.opts.explainFailure().then(
        (better) => {
          if (better && this.current.state === 'closed' && this.current.attempt === attempt) this.setStatus({ ...this.current, detail: better });
        },
        () => {},
      );
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new KestrelError('unavailable', `${why}; ${p.method} may not have completed`));
      this.pending.delete(id);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    for (const h of this.statusHandlers) h(status);
  }
}
