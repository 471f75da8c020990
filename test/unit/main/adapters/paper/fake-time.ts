import type { Instrument } from '../../../../../shared/model/index.js';

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public now = 1_723_161_600_000) {}
  nowMs(): number {
    return this.now;
  }
}

/** Runs scheduled callbacks only when the test advances time, in due order (ties: first scheduled first). */
export class ManualScheduler {
  private tasks: Array<{ dueMs: number; seq: number; fn: () => void }> = [];
  private seq = 0;
  constructor(private readonly clock: FakeClock) {}

  schedule(delayMs: number, fn: () => void): void {
    this.tasks.push({ dueMs: this.clock.now + delayMs, seq: this.seq++, fn });
  }

  get pendingCount(): number {
    return this.tasks.length;
  }

  advanceTo(ms: number): void {
    for (;;) {
      this.tasks.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
      const next = this.tasks[0];
      if (!next || next.dueMs > ms) break;
      this.tasks.shift();
      this.clock.now = Math.max(this.clock.now, next.dueMs);
      next.fn();
    }
    this.clock.now = Math.max(this.clock.now, ms);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.clock.now + ms);
  }
}

export const PERP: Instrument = {
  instrumentId: 'TEST:BTC/USDT:USDT',
  venue: 'TEST',
  symbol: 'BTC/USDT:USDT',
  kind: 'perp',
  base: 'BTC',
  quote: 'USDT',
  settle: 'USDT',
  tickSize: 0.1,
  lotSize: 0.001,
  minNotional: 0,
  multiplier: 1,
  simulated: false,
  active: true,
};

export const SPOT: Instrument = {
  instrumentId: 'TEST:ETH/USDT',
  venue: 'TEST',
  symbol: 'ETH/USDT',
  kind: 'spot',
  base: 'ETH',
  quote: 'USDT',
  tickSize: 0.01,
  lotSize: 0.0001,
  minNotional: 0,
  multiplier: 1,
  simulated: false,
  active: true,
};
