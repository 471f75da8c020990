const BUCKET_MS = 100;
const BUCKETS = 10;

/** Incoming message rate (last second, in 100 ms buckets), last message time and round-trip latency. */
export class SessionStats {
  private readonly buckets = new Array<number>(BUCKETS).fill(0);
  private bucketStart = 0;
  private lastMessageAt: number | null = null;
  latencyMs: number | null = null;

  constructor(private readonly now: () => number) {}

  onMessage(): void {
    const now = this.now();
    this.advance(now);
    this.buckets[BUCKETS - 1] = (this.buckets[BUCKETS - 1] ?? 0) + 1;
    this.lastMessageAt = now;
  }

  messagesPerSec(): number {
    this.advance(this.now());
    return this.buckets.reduce((a, b) => a + b, 0);
  }

  lastMessageAgeMs(): number | null {
    return this.lastMessageAt === null ? null : Math.max(0, this.now() - this.lastMessageAt);
  }

  private advance(now: number): void {
    const current = Math.floor(now / BUCKET_MS);
    const shift = Math.min(BUCKETS, current - this.bucketStart);
    if (shift <= 0) return;
    this.buckets.splice(0, shift);
    for (let i = 0; i < shift; i++) this.buckets.push(0);
    this.bucketStart = current;
  }
}
