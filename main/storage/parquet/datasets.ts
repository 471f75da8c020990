import type { ColumnSpec } from './columnar.js';
import type { Dataset } from './hive-path.js';

/**
 * What each Parquet dataset holds. Column names are snake_case (seed 004's names), times are int64
 * epoch ms (UTC). Venue and symbol live in the hive folders (`venue=…/symbol=…/date=…`), so readers
 * with hive partitioning get them as columns; bars also carry `symbol` in the file, as seed 004's bar
 * table does.
 */
export interface DatasetSchema {
  dataset: Dataset;
  columns: readonly ColumnSpec[];
  /** The int64 ms column that decides the date partition and range filters. */
  timeColumn: string;
  /** Columns that identify a row: a later write of the same key replaces the earlier one on read. */
  key: readonly string[];
}

export const TRADES_SCHEMA: DatasetSchema = {
  dataset: 'trades',
  columns: [
    { name: 'ts', kind: 'int64', delta: true },
    { name: 'ts_init', kind: 'int64', delta: true },
    { name: 'trade_id', kind: 'utf8', numericWhenPossible: true, delta: true },
    { name: 'price', kind: 'float64', positive: true },
    { name: 'quantity', kind: 'float64', positive: true },
    { name: 'is_buyer_maker', kind: 'bool' },
  ],
  timeColumn: 'ts',
  key: ['trade_id'],
};

export const BARS_SCHEMA: DatasetSchema = {
  dataset: 'bars',
  columns: [
    { name: 'symbol', kind: 'utf8' },
    { name: 'interval', kind: 'utf8' },
    { name: 'open_time', kind: 'int64', delta: true },
    { name: 'close_time', kind: 'int64', delta: true },
    { name: 'time_label', kind: 'int32' },
    { name: 'open', kind: 'float64' },
    { name: 'high', kind: 'float64' },
    { name: 'low', kind: 'float64' },
    { name: 'close', kind: 'float64' },
    { name: 'volume', kind: 'float64' },
    { name: 'quote_volume', kind: 'float64' },
    { name: 'trade_count', kind: 'int64' },
    // NaN (not NULL) for an empty window, as seed 004 writes it.
    { name: 'vwap', kind: 'float64' },
    { name: 'buy_volume', kind: 'float64' },
    { name: 'sell_volume', kind: 'float64' },
    { name: 'buy_quote_volume', kind: 'float64' },
    { name: 'sell_quote_volume', kind: 'float64' },
    { name: 'final', kind: 'bool' },
  ],
  timeColumn: 'open_time',
  key: ['interval', 'open_time'],
};

export const FUNDING_SCHEMA: DatasetSchema = {
  dataset: 'funding',
  columns: [
    { name: 'funding_time', kind: 'int64', delta: true },
    { name: 'rate', kind: 'float64' },
    { name: 'interval_hours', kind: 'float64' },
    { name: 'rate_24h', kind: 'float64' },
    { name: 'mark_price', kind: 'float64', nanIsNull: true },
    { name: 'premium', kind: 'float64', nanIsNull: true },
  ],
  timeColumn: 'funding_time',
  key: ['funding_time'],
};

export const PREMIUM_INDEX_SCHEMA: DatasetSchema = {
  dataset: 'premium_index',
  columns: [
    { name: 'interval', kind: 'utf8' },
    { name: 'open_time', kind: 'int64', delta: true },
    { name: 'close_time', kind: 'int64', delta: true },
    { name: 'open', kind: 'float64' },
    { name: 'high', kind: 'float64' },
    { name: 'low', kind: 'float64' },
    { name: 'close', kind: 'float64' },
  ],
  timeColumn: 'open_time',
  key: ['interval', 'open_time'],
};

export const SCHEMAS: Record<Dataset, DatasetSchema> = {
  trades: TRADES_SCHEMA,
  bars: BARS_SCHEMA,
  funding: FUNDING_SCHEMA,
  premium_index: PREMIUM_INDEX_SCHEMA,
};
