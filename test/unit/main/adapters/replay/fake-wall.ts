import type { WallTimers } from '../../../../../main/adapters/replay/wall-timers.js';
import type { ReplayEvent, ReplaySource } from '../../../../../main/adapters/replay/replay-source.js';

/** A wall clock and timer queue that only move when the test says so. */
export class FakeWall implements WallTimers {
  private now = 0;
  private timers: Array<{ id: number; dueMs: number; fn: () => void }> = [];
  private nextId = 1;

  nowMs(): number {
    return this.now;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, dueMs: this.now + Math.max(0, delayMs), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves wall time forward, firing due timers in order and letting the replay loop run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.dueMs > end) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.dueMs);
      next.fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets pending promise callbacks (the replay loop's awaits) run; not a timer of any kind. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A recording held in memory. */
export class MemorySource implements ReplaySource {
  readonly description = 'memory';
  opened = 0;
  constructor(private readonly events: ReplayEvent[]) {}
  async *open(): AsyncGenerator<ReplayEvent> {
    this.opened += 1;
    for (const e of this.events) yield e;
  }
}

export function tradeAt(tsEvent: number, price: number, tradeId = String(tsEvent), instrumentId = 'TEST:BTC/USDT:USDT'): ReplayEvent {
  return { kind: 'trade', tsEvent, trade: { instrumentId, tradeId, price, quantity: 1, side: 'buy', tsEvent, tsInit: tsEvent } };
}
