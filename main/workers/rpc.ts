import type { MessagePort } from 'node:worker_threads';
import { KestrelError } from '../../shared/api/errors.js';

/** Frames between the supervisor and a worker, or between two workers, on one MessagePort. */
export type RpcFrame =
  | { t: 'req'; id: number; method: string; params: unknown }
  | { t: 'res'; id: number; result: unknown }
  | { t: 'err'; id: number; code: string; message: string }
  | { t: 'evt'; event: string; data: unknown };

export interface PortLike {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[] | readonly MessagePort[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off?(event: 'message', listener: (value: unknown) => void): unknown;
}

type Handler = (params: unknown) => unknown;

/**
 * Request/response and events over one port. Requests carry ids; a request still waiting when the
 * peer dies is rejected by `failPending` so no caller hangs on a crashed worker.
 */
export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly eventListeners = new Set<(event: string, data: unknown) => void>();
  private readonly onMessage = (raw: unknown): void => this.dispatch(raw as RpcFrame);

  constructor(
    private readonly port: PortLike,
    private readonly timeoutMs = 15_000,
  ) {
    port.on('message', this.onMessage);
  }

  handle(method: string, fn: Handler): this {
    this.handlers.set(method, fn);
    return this;
  }

  onEvent(fn: (event: string, data: unknown) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  call<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KestrelError('unavailable', `${method} got no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.port.postMessage({ t: 'req', id, method, params } satisfies RpcFrame);
    });
  }

  emit(event: string, data: unknown, transfer?: ArrayBuffer[]): void {
    this.port.postMessage({ t: 'evt', event, data } satisfies RpcFrame, transfer);
  }

  failPending(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new KestrelError('unavailable', reason));
      this.pending.delete(id);
    }
  }

  close(): void {
    this.port.off?.('message', this.onMessage);
    this.failPending('connection closed');
  }

  private dispatch(frame: RpcFrame): void {
    switch (frame.t) {
      case 'req':
        void this.answer(frame.id, frame.method, frame.params);
        return;
      case 'res':
      case 'err': {
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        clearTimeout(p.timer);
        if (frame.t === 'res') p.resolve(frame.result);
        else p.reject(KestrelError.from({ code: frame.code, message: frame.message }));
        return;
      }
      case 'evt':
        for (const fn of this.eventListeners) fn(frame.event, frame.data);
        return;
    }
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const fn = this.handlers.get(method);
    try {
      if (!fn) throw new KestrelError('not_found', `no such method: ${method}`);
      const result = await fn(params);
      this.port.postMessage({ t: 'res', id, result } satisfies RpcFrame);
    } catch (err) {
      const e = KestrelError.from(err);
      this.port.postMessage({ t: 'err', id, code: e.code, message: e.message } satisfies RpcFrame);
    }
  }
}
