/** What the bar writes to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

/**
 * A one-line progress bar on stderr (`\r`-redrawn, at most 10 times a second), for long scans.
 * `finish` erases it so the summary line that follows stands alone.
 */
export class ProgressBar {
  private lastDrawMs = -Infinity;
  private drawn = false;
  private readonly startMs: number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.startMs = nowMs();
  }

  update(done: number, force = false): void {
    const now = this.nowMs();
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 50));
    const full = Math.round(frac * width);
    const mb = (n: number) => (n / 1_048_576).toFixed(0);
    const secs = ((now - this.startMs) / 1000).toFixed(1);
    const text = `${this.label} ${'█'.repeat(full)}${'░'.repeat(width - full)} ${(frac * 100).toFixed(0).padStart(3)}%  ${mb(done)}/${mb(this.total)} MB  ${secs} s`;
    this.stream.write(`\r${text}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
