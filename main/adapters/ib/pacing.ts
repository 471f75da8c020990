import { KestrelError } from '../../../shared/api/errors.js';

export type PacingPriority = 'order' | 'data';

interface Task {
  run: () => void;
  resolve: () => void;
  reject: (err: Error) => void;
}

const WINDOW_MS = 1_000;

/**
 * Every request to TWS passes through here: at most `maxPerSec` in any one-second window (IB
 * disconnects a client above 50/s), orders and cancels ahead of market-data requests, and
 * nothing while the session is down. On close, waiting requests are refused, never carried into
 * the next session, so an order is sent at most once.
 */
export class PacingQueue {
  private readonly orders: Task[] = [];
  private readonly data: Task[] = [];
  /** Send times within the last window, oldest first. */
  private readonly sent: number[] = [];
  private opened = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sentTotal = 0;

  constructor(
    private readonly maxPerSec: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxPerSec >= 1)) throw new Error(`maxPerSec must be at least 1, got ${maxPerSec}`);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** Requests waiting for a slot. */
  get depth(): number {
    return this.orders.length + this.data.length;
  }

  get totalSent(): number {
    return this.sentTotal;
  }

  open(): void {
    this.opened = true;
    this.drain();
  }

  /** Stops sending and refuses everything still waiting with `reason`. */
  close(reason: string): void {
    this.opened = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = [...this.orders.splice(0), ...this.data.splice(0)];
    for (const t of waiting) t.reject(new KestrelError('unavailable', reason));
  }

  /** Resolves once `run` has been called (the request handed to the socket). */
  push(run: () => void, priority: PacingPriority = 'data'): Promise<void> {
    if (!this.opened) return Promise.reject(new KestrelError('unavailable', 'not connected to TWS; request not sent'));
    return new Promise<void>((resolve, reject) => {
      (priority === 'order' ? this.orders : this.data).push({ run, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.opened && this.depth > 0) {
      const now = this.now();
      while (this.sent.length > 0 && now - (this.sent[0] as number) >= WINDOW_MS) this.sent.shift();
      if (this.sent.length >= this.maxPerSec) {
        if (!this.timer) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.drain();
          }, WINDOW_MS - (now - (this.sent[0] as number)));
          this.timer.unref?.();
        }
        return;
      }
      const task = (this.orders.shift() ?? this.data.shift()) as Task;
      this.sent.push(now);
      this.sentTotal++;
      try {
        task.run();
        task.resolve();
      } catch (err) {
        task.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
