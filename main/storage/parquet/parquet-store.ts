import path from 'node:path';
import type { Bar, FundingRate, TradeTick } from '../../../shared/model/market.js';
import { splitInstrumentId } from '../../../shared/model/instrument.js';
import { systemClock, type Clock } from '../../../shared/model/time.js';
import type { PremiumIndexBar } from '../../marketdata/funding.js';
import { BARS_SCHEMA, FUNDING_SCHEMA, PREMIUM_INDEX_SCHEMA, SCHEMAS, TRADES_SCHEMA, type DatasetSchema } from './datasets.js';
import { DatasetIO, type TimeRange } from './dataset-io.js';
import type { Dataset } from './hive-path.js';
import {
  barsToBatches,
  columnsToBars,
  columnsToFunding,
  columnsToPremiumIndex,
  columnsToTradeColumns,
  fundingToBatches,
  premiumIndexToBatches,
  tradeColumnsToColumns,
  tradeTicksToBatches,
  type PartitionBatch,
  type TradeColumns,
} from './model-columns.js';
import { createParquetCodec } from './parquet-codec.js';
import { PartNamer, sweepTempFiles } from './part-files.js';
import { PartitionedWriter, type PartitionedWriterOptions } from './partitioned-writer.js';

export interface ParquetStoreOptions {
  /** Kestrel's data folder; the store lives in `<dataDir>/parquet`. */
  dataDir: string;
  clock?: Clock;
  /** Where "skipping unreadable file …" warnings go. Default: console.warn. */
  onWarning?: (message: string) => void;
}

/** Trades of one venue and symbol, in columns. */
export interface TradeBatch {
  venue: string;
  symbol: string;
  trades: TradeColumns;
}

export interface ReadTradesQuery extends TimeRange {
  venue: string;
  /** ccxt unified symbol, e.g. `BTC/USDT:USDT`. */
  symbol: string;
  /** 'auto' (default): a Float64Array when every id is a decimal integer, else strings. 'string': always strings. */
  tradeIds?: 'auto' | 'string';
}

/** Same fields as the API's `BarsQuery` (shared/api/contract.ts), so `GET /api/bars` can pass it through. */
export interface ReadBarsQuery extends TimeRange {
  instrumentId: string;
  interval: string;
  /** Only the most recent `limit` bars of the range (still oldest first). */
  limit?: number;
}

export interface ReadFundingQuery extends TimeRange {
  instrumentId: string;
}

export interface ReadPremiumIndexQuery extends TimeRange {
  instrumentId: string;
  interval: string;
}

function tradeInputToBatches(input: TradeBatch | readonly TradeTick[]): PartitionBatch[] {
  if (Array.isArray(input)) return tradeTicksToBatches(input as readonly TradeTick[]);
  const batch = input as TradeBatch;
  return [{ venue: batch.venue, symbol: batch.symbol, columns: tradeColumnsToColumns(batch.trades) }];
}

/**
 * Kestrel's Parquet history: datasets `trades`, `bars`, `funding` and `premium_index` under
 * `<dataDir>/parquet/<dataset>/venue=…/symbol=…/date=YYYY-MM-DD/part-….parquet` (hive layout,
 * symbols percent-encoded), readable as-is by DuckDB, Polars or Spark with hive partitioning.
 * Every read range is half-open: from ≤ time < to, in epoch ms.
 */
export class ParquetStore {
  readonly root: string;

  private constructor(private readonly io: DatasetIO) {
    this.root = io.root;
  }

  static async open(options: ParquetStoreOptions): Promise<ParquetStore> {
    if (!options.dataDir) throw new Error('ParquetStore needs a dataDir');
    const clock = options.clock ?? systemClock;
    const warn = options.onWarning ?? ((m: string) => console.warn(m));
    const root = path.join(path.resolve(options.dataDir), 'parquet');
    const io = new DatasetIO(root, await createParquetCodec(), new PartNamer(() => clock.nowMs()), warn);
    return new ParquetStore(io);
  }

  // ---- writing: one call = new part files now; writers buffer and flush in batches ----

  writeTrades(input: TradeBatch | readonly TradeTick[]): Promise<string[]> {
    return this.writeAll(TRADES_SCHEMA, tradeInputToBatches(input));
  }

  writeBars(bars: readonly Bar[]): Promise<string[]> {
    return this.writeAll(BARS_SCHEMA, barsToBatches(bars));
  }

  writeFunding(rates: readonly FundingRate[]): Promise<string[]> {
    return this.writeAll(FUNDING_SCHEMA, fundingToBatches(rates));
  }

  writePremiumIndex(bars: readonly PremiumIndexBar[]): Promise<string[]> {
    return this.writeAll(PREMIUM_INDEX_SCHEMA, premiumIndexToBatches(bars));
  }

  createTradeWriter(options?: PartitionedWriterOptions): PartitionedWriter<TradeBatch | readonly TradeTick[]> {
    return new PartitionedWriter(this.io, TRADES_SCHEMA, tradeInputToBatches, options);
  }

  createBarWriter(options?: PartitionedWriterOptions): PartitionedWriter<readonly Bar[]> {
    return new PartitionedWriter(this.io, BARS_SCHEMA, barsToBatches, options);
  }

  createFundingWriter(options?: PartitionedWriterOptions): PartitionedWriter<readonly FundingRate[]> {
    return new PartitionedWriter(this.io, FUNDING_SCHEMA, fundingToBatches, options);
  }

  createPremiumIndexWriter(options?: PartitionedWriterOptions): PartitionedWriter<readonly PremiumIndexBar[]> {
    return new PartitionedWriter(this.io, PREMIUM_INDEX_SCHEMA, premiumIndexToBatches, options);
  }

  // ---- reading: ordered by time, one row per key (latest write wins) ----

  async readTrades(query: ReadTradesQuery): Promise<TradeColumns> {
    return columnsToTradeColumns(await this.io.read(TRADES_SCHEMA, query.venue, query.symbol, query), query.tradeIds === 'string');
  }

  async readBars(query: ReadBarsQuery): Promise<Bar[]> {
    const { venue, symbol } = splitInstrumentId(query.instrumentId);
    const columns = await this.io.read(BARS_SCHEMA, venue, symbol, query, (c, i) => (c.interval as string[])[i] === query.interval);
    const bars = columnsToBars(venue, symbol, columns);
    return query.limit !== undefined && bars.length > query.limit ? bars.slice(bars.length - query.limit) : bars;
  }

  async readFunding(query: ReadFundingQuery): Promise<FundingRate[]> {
    const { venue, symbol } = splitInstrumentId(query.instrumentId);
    return columnsToFunding(venue, symbol, await this.io.read(FUNDING_SCHEMA, venue, symbol, query));
  }

  async readPremiumIndex(query: ReadPremiumIndexQuery): Promise<PremiumIndexBar[]> {
    const { venue, symbol } = splitInstrumentId(query.instrumentId);
    const columns = await this.io.read(PREMIUM_INDEX_SCHEMA, venue, symbol, query, (c, i) => (c.interval as string[])[i] === query.interval);
    return columnsToPremiumIndex(venue, symbol, columns);
  }

  // ---- housekeeping ----

  /** Venue/symbol pairs present in a dataset. */
  listSymbols(dataset: Dataset): Promise<Array<{ venue: string; symbol: string }>> {
    return this.io.listSymbols(SCHEMAS[dataset]);
  }

  /** UTC dates (YYYY-MM-DD) present for one venue/symbol in a dataset, ascending. */
  listDates(dataset: Dataset, venue: string, symbol: string): Promise<string[]> {
    return this.io.listDates(SCHEMAS[dataset], venue, symbol);
  }

  /** Deletes `.part-….tmp` files left by crashed writes that are older than `olderThanMs` (default 1h). */
  sweepTempFiles(olderThanMs = 3_600_000): Promise<string[]> {
    // File ages come from the file system's clock, not the (possibly simulated) trading clock.
    return sweepTempFiles(this.root, olderThanMs, Date.now());
  }

  private async writeAll(schema: DatasetSchema, batches: PartitionBatch[]): Promise<string[]> {
    const written: string[] = [];
    for (const batch of batches) written.push(...(await this.io.write(schema, batch)));
    return written;
  }
}
