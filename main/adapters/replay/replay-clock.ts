import type { Clock } from '../../../shared/model/index.js';

interface Task {
  dueMs: number;
  seq: number;
  fn: () => void;
}

/**
 * Replayed venue time, for the whole core to follow: engines read `nowMs()` and time their work
 * with `schedule()` (a paper venue's order latency, an algo's slice timer), and both move with the
 * recording — at 1×, N× or as fast as the data can be read.
 *
 * Between two recorded events at N× speed the clock runs smoothly with the wall clock; at maximum
 * speed it jumps from event to event. It never goes backwards except on seek-to-start. A scheduled
 * callback runs when the replay reaches its time, before any event recorded at or after it.
 */
export class ReplayClock implements Clock {
  private currentMs = 0;
  private tasks: Task[] = [];
  private seq = 0;
  private interpolate: (() => number) | null = null;
  private scheduledHook: (() => void) | null = null;

  nowMs(): number {
    if (this.interpolate === null) return this.currentMs;
    return Math.max(this.currentMs, this.interpolate());
  }

  /** Runs `fn` once replay time has moved `delayMs` past now. */
  schedule(delayMs: number, fn: () => void): void {
    const dueMs = this.nowMs() + Math.max(0, delayMs);
    const task: Task = { dueMs, seq: this.seq++, fn };
    let i = this.tasks.length;
    while (i > 0 && this.tasks[i - 1]!.dueMs > dueMs) i -= 1;
    this.tasks.splice(i, 0, task);
    this.scheduledHook?.();
  }

  // ---- driven by the ReplayVenue ----

  /** @internal */
  advanceTo(ms: number): void {
    this.currentMs = Math.max(this.currentMs, this.nowMs(), ms);
  }

  /** @internal Time of the earliest scheduled callback, or null. */
  nextDueMs(): number | null {
    return this.tasks[0]?.dueMs ?? null;
  }

  /** @internal Runs every callback due at or before `ms`, each at its own time, in order. */
  runDue(ms: number): void {
    for (;;) {
      const task = this.tasks[0];
      if (!task || task.dueMs > ms) return;
      this.tasks.shift();
      this.advanceTo(task.dueMs);
      task.fn();
    }
  }

  /** @internal Runs every pending callback now (before a seek moves time back). */
  runAll(): void {
    while (this.tasks.length > 0) this.runDue(this.tasks[0]!.dueMs);
  }

  /** @internal */
  resetTo(ms: number): void {
    this.currentMs = ms;
    this.interpolate = null;
  }

  /** @internal Lets time flow with the wall clock while the venue waits for the next event. */
  setInterpolation(fn: (() => number) | null): void {
    if (fn === null && this.interpolate !== null) this.currentMs = this.nowMs();
    this.interpolate = fn;
  }

  /** @internal Tells the venue a callback was added, so a paced wait can wake up for it. */
  onScheduled(hook: (() => void) | null): void {
    this.scheduledHook = hook;
  }
}
