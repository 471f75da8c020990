/** Where progress goes: process.stderr, or a fake in tests. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface JobProgressUpdate {
  /** 0..1 of the whole job. */
  fraction: number;
  message: string;
}

/**
 * Progress of a long venue job on stderr: on a terminal a bar redrawn in place (at most 10 times a
 * second); elsewhere (logs, CI, pipes) a plain line at every 10 % and at least every `lineEveryMs`,
 * so a log shows the job moving without a line per page. Warnings (retries) always get a line.
 */
export class JobProgress {
  private lastDrawMs = -Infinity;
  private lastLineMs = -Infinity;
  private lastDecile = -1;
  private drawn = false;
  private readonly startMs: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly nowMs: () => number = () => performance.now(),
    private readonly lineEveryMs = 5_000,
  ) {
    this.startMs = nowMs();
  }

  update(p: JobProgressUpdate): void {
    const now = this.nowMs();
    const pct = Math.floor(Math.min(1, Math.max(0, p.fraction)) * 100);
    const secs = ((now - this.startMs) / 1000).toFixed(1);
    if (this.sink.isTTY) {
      if (now - this.lastDrawMs < 100 && pct < 100) return;
      this.lastDrawMs = now;
      const width = Math.max(10, Math.min(30, (this.sink.columns ?? 80) - 70));
      const full = Math.round((pct / 100) * width);
      const room = Math.max(10, (this.sink.columns ?? 80) - width - this.label.length - 16);
      const text = p.message.length > room ? `${p.message.slice(0, room - 1)}…` : p.message;
      this.sink.write(`\r${this.label} ${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(pct).padStart(3)}% ${secs} s ${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile === this.lastDecile && now - this.lastLineMs < this.lineEveryMs) return;
    this.lastDecile = decile;
    this.lastLineMs = now;
    this.sink.write(`${this.label}: ${pct}% after ${secs} s — ${p.message}\n`);
  }

  /** A line that must be seen (a retry, a gap), kept above the bar. */
  warn(message: string): void {
    this.clearBar();
    this.sink.write(`${this.label}: ${message}\n`);
  }

  /** Erases the bar so the summary that follows stands alone. */
  finish(): void {
    this.clearBar();
  }

  private clearBar(): void {
    if (this.drawn) this.sink.write('\r\x1b[K');
    this.drawn = false;
    this.lastDrawMs = -Infinity;
  }
}
