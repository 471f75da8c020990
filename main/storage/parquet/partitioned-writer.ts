import { assertColumns, columnLength, concatColumns, type Columns } from './columnar.js';
import type { DatasetSchema } from './datasets.js';
import type { DatasetIO } from './dataset-io.js';
import { normaliseVenue } from './dataset-io.js';
import type { PartitionBatch } from './model-columns.js';

export interface PartitionedWriterOptions {
  /** Buffered rows (all instruments together) that trigger a flush inside `append`. Default 250 000. */
  maxBufferedRows?: number;
}

/**
 * Buffers rows of one dataset per venue/symbol and writes them as new part files on flush, so the
 * market-data worker pays one Parquet file per instrument, date and flush rather than per trade.
 * `append` resolves once any flush it triggered is on disk, which is the worker's back-pressure.
 * Rows still buffered when the process dies are lost; call `flush` on a timer and `close` on stop.
 */
export class PartitionedWriter<T> {
  private readonly buffers = new Map<string, { venue: string; symbol: string; parts: Columns[] }>();
  private buffered = 0;
  private closed = false;
  private readonly maxBufferedRows: number;

  constructor(
    private readonly io: DatasetIO,
    private readonly schema: DatasetSchema,
    private readonly toBatches: (input: T) => PartitionBatch[],
    options: PartitionedWriterOptions = {},
  ) {
    this.maxBufferedRows = options.maxBufferedRows ?? 250_000;
    if (!(this.maxBufferedRows > 0)) throw new Error(`maxBufferedRows must be > 0, got ${this.maxBufferedRows}`);
  }

  get bufferedRows(): number {
    return this.buffered;
  }

  async append(input: T): Promise<void> {
    if (this.closed) throw new Error(`the ${this.schema.dataset} writer is closed`);
    for (const batch of this.toBatches(input)) {
      const venue = normaliseVenue(batch.venue);
      const n = assertColumns(batch.columns, this.schema.columns, `${this.schema.dataset} batch for ${venue}:${batch.symbol}`);
      if (n === 0) continue;
      const key = `${venue}\u0000${batch.symbol}`;
      const buffer = this.buffers.get(key) ?? { venue, symbol: batch.symbol, parts: [] };
      buffer.parts.push(batch.columns);
      this.buffers.set(key, buffer);
      this.buffered += n;
    }
    if (this.buffered >= this.maxBufferedRows) await this.flush();
  }

  /** Writes everything buffered; returns the part files written. */
  async flush(): Promise<string[]> {
    const pending = [...this.buffers.values()];
    this.buffers.clear();
    this.buffered = 0;
    const written: string[] = [];
    for (const [i, b] of pending.entries()) {
      const columns = concatColumns(this.schema.columns, b.parts);
      try {
        written.push(...(await this.io.write(this.schema, { venue: b.venue, symbol: b.symbol, columns })));
      } catch (err) {
        // Put back what did not reach disk so a retry (or close) writes it, and tell the caller.
        for (const rest of pending.slice(i)) {
          this.buffers.set(`${rest.venue}\u0000${rest.symbol}`, rest);
          this.buffered += rest.parts.reduce((n, p) => n + columnLength(p, this.schema.columns), 0);
        }
        throw err;
      }
    }
    return written;
  }

  async close(): Promise<string[]> {
    const written = await this.flush();
    this.closed = true;
    return written;
  }
}
