import type { EventData, EventName, MethodInput, MethodName, MethodOutput } from '../../shared/api/index.js';
import type { KestrelBridge } from './bridge-types.js';
import { consoleLogger, type ConnectionStatus, type KestrelClient, type Logger } from './client.js';
import { EventHub } from './event-hub.js';
import { parseResult, toKestrelError } from './results.js';

const OPEN: ConnectionStatus = { state: 'open', detail: null, retryAtMs: null, attempt: 0 };

/**
 * Desktop transport: calls go through the preload's `window.kestrel`. The main process is in the
 * same app, so the link is always open; answers and events are still validated, because the
 * renderer trusts no boundary.
 */
export class IpcClient implements KestrelClient {
  readonly transport = 'ipc' as const;
  private readonly hub: EventHub;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly bridge: KestrelBridge,
    log: Logger = consoleLogger,
  ) {
    this.hub = new EventHub(log);
    this.unsubscribe = bridge.onEvent((frame) => this.hub.dispatch(frame));
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    let result: unknown;
    try {
      result = await this.bridge.invoke(method, input);
    } catch (err) {
      throw toKestrelError(err);
    }
    return parseResult(method, result);
  }

  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    return this.hub.on(event, handler);
  }

  status(): ConnectionStatus {
    return OPEN;
  }

  onStatus(): () => void {
    return () => {};
  }

  reconnectNow(): void {}

  close(): void {
    this.unsubscribe();
  }
}
