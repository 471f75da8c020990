/**
 * Runs a callback after a delay on some clock: wall time in a live session (`timerScheduler`),
 * replayed venue time under a ReplayClock, or a test's fake clock. The paper venue uses it for
 * order and cancel latency, so latency follows whatever clock the session runs on.
 */
export interface Scheduler {
  schedule(delayMs: number, fn: () => void): void;
}

/** Wall-clock scheduler on the host's timers (workers and the main thread alike). */
export const timerScheduler: Scheduler = {
  schedule: (delayMs, fn) => {
    setTimeout(fn, delayMs);
  },
};
