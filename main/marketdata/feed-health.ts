import type { GatewayStatus } from '../../shared/model/index.js';

/**
 * Health of one market-data feed as the user sees it: messages per second over a sliding window,
 * age of the last message, reconnects, last error. A feed silent for `staleAfterMs` is shown as
 * disconnected even if the socket claims to be open (silent websocket deaths).
 */
export class FeedHealth {
  private readonly windowMs = 5_000;
  private readonly buckets: { ts: number; n: number }[] = [];
  private lastMessageMs: number | null = null;
  private reconnects = 0;
  private lastError: string | null = null;
  private state: GatewayStatus['state'] = 'connecting';

  constructor(
    private readonly gatewayId: string,
    private readonly venue: string,
    private readonly simulated: boolean,
    private readonly staleAfterMs = 5_000,
  ) {}

  onMessages(count: number, nowMs: number): void {
    this.lastMessageMs = nowMs;
    this.state = 'connected';
    const last = this.buckets[this.buckets.length - 1];
    if (last && nowMs - last.ts < 250) last.n += count;
    else this.buckets.push({ ts: nowMs, n: count });
    while (this.buckets.length && nowMs - this.buckets[0]!.ts > this.windowMs) this.buckets.shift();
  }

  onReconnect(): void {
    this.reconnects++;
    this.state = 'reconnecting';
  }

  onError(message: string): void {
    this.lastError = message;
    this.state = 'error';
  }

  status(nowMs: number): GatewayStatus {
    const age = this.lastMessageMs === null ? null : nowMs - this.lastMessageMs;
    const n = this.buckets.reduce((s, b) => (nowMs - b.ts <= this.windowMs ? s + b.n : s), 0);
    const stale = age !== null && age > this.staleAfterMs;
    return {
      gatewayId: this.gatewayId,
      venue: this.venue,
      state: stale ? 'disconnected' : this.state,
      simulated: this.simulated,
      latencyMs: null,
      messagesPerSec: Math.round((n / this.windowMs) * 1000 * 10) / 10,
      lastMessageAgeMs: age,
      reconnectCount: this.reconnects,
      lastError: stale ? `no market data for ${Math.round(age / 1000)} s` : this.lastError,
      tsUpdated: nowMs,
    };
  }
}
