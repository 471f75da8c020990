import { KestrelError, type EventData, type EventName, type MethodInput, type MethodName, type MethodOutput } from '../../../../shared/api/index.js';
import type { ConnectionStatus, KestrelClient } from '../../../../renderer/api/client.js';

type Handler = (input: unknown) => unknown;

/**
 * A KestrelClient whose answers the test scripts per method. `defer(method)` makes the next call
 * to that method wait until the test resolves it, to exercise events arriving mid-request.
 */
export class FakeClient implements KestrelClient {
  readonly transport = 'websocket' as const;
  readonly calls: Array<{ method: MethodName; input: unknown }> = [];
  private readonly answers = new Map<MethodName, Handler>();
  private readonly handlers = new Map<string, Set<(d: unknown) => void>>();
  private readonly deferred = new Map<MethodName, Array<(value: unknown) => void>>();
  private readonly deferNext = new Set<MethodName>();

  answer<M extends MethodName>(method: M, fn: (input: MethodInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>): this {
    this.answers.set(method, fn as Handler);
    return this;
  }

  refuse(method: MethodName, code: KestrelError['code'], message: string): this {
    this.answers.set(method, () => {
      throw new KestrelError(code, message);
    });
    return this;
  }

  defer(method: MethodName): void {
    this.deferNext.add(method);
  }

  /** Lets the deferred call to `method` run its scripted answer. */
  release(method: MethodName): void {
    const waiting = this.deferred.get(method) ?? [];
    this.deferred.delete(method);
    for (const go of waiting) go(undefined);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const h of this.handlers.get(event) ?? []) h(data);
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    this.calls.push({ method, input });
    if (this.deferNext.delete(method)) {
      await new Promise((resolve) => {
        const list = this.deferred.get(method) ?? [];
        list.push(resolve);
        this.deferred.set(method, list);
      });
    }
    const fn = this.answers.get(method);
    if (!fn) throw new KestrelError('not_found', `no scripted answer for ${method}`);
    return (await fn(input)) as MethodOutput<M>;
  }

  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler as (d: unknown) => void);
    this.handlers.set(event, set);
    return () => set.delete(handler as (d: unknown) => void);
  }

  status(): ConnectionStatus {
    return { state: 'open', detail: null, retryAtMs: null, attempt: 0 };
  }
  onStatus(): () => void {
    return () => {};
  }
  reconnectNow(): void {}
  close(): void {}
}
