import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface OracleTrade {
  instrumentId: string;
  tradeId: number;
  tsMs: number;
  price: number;
  qty: number;
  isBuyerMaker: boolean;
}

export interface OracleBar {
  instrumentId: string;
  openTime: number;
  closeTime: number;
  timeLabel: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  tradeCount: number;
  vwap: number | null;
  buyVolume: number;
  sellVolume: number;
  buyQuoteVolume: number;
  sellQuoteVolume: number;
}

/** An in-memory DuckDB holding `trades`, the independent oracle bars are checked against. */
export class DuckDbBarOracle {
  private constructor(private readonly con: DuckDBConnection) {}

  static async withTrades(trades: readonly OracleTrade[]): Promise<DuckDbBarOracle> {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await con.run('CREATE TABLE trades (sym VARCHAR, id BIGINT, ts DOUBLE, price DOUBLE, qty DOUBLE, m BOOLEAN)');
    const app = await con.createAppender('trades');
    for (const t of trades) {
      app.appendVarchar(t.instrumentId);
      app.appendBigInt(BigInt(t.tradeId));
      app.appendDouble(t.tsMs);
      app.appendDouble(t.price);
      app.appendDouble(t.qty);
      app.appendBoolean(t.isBuyerMaker);
      app.endRow();
    }
    app.closeSync();
    return new DuckDbBarOracle(con);
  }

  /**
   * DuckDB's own CSV reader over a Binance aggTrades file (never Kestrel's parser): transact_time
   * of 10^14 and more is µs; a repeated agg_trade_id counts once. The instrument is called `symbol`.
   */
  static async fromAggTradesCsv(file: string, header: boolean, symbol: string): Promise<DuckDbBarOracle> {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const path = file.replace(/'/g, "''");
    await con.run(`
      CREATE TABLE trades AS
      SELECT '${symbol.replace(/'/g, "''")}' AS sym, agg_trade_id AS id,
        CASE WHEN transact_time >= 100000000000000 THEN transact_time / 1000 ELSE CAST(transact_time AS DOUBLE) END AS ts,
        price, quantity AS qty, is_buyer_maker AS m
      FROM read_csv('${path}', header = ${header}, auto_detect = false,
        columns = {'agg_trade_id': 'BIGINT', 'price': 'DOUBLE', 'quantity': 'DOUBLE', 'first_trade_id': 'BIGINT',
                   'last_trade_id': 'BIGINT', 'transact_time': 'BIGINT', 'is_buyer_maker': 'BOOLEAN'})
      QUALIFY row_number() OVER (PARTITION BY agg_trade_id) = 1 -- a trade id counts once`);
    return new DuckDbBarOracle(con);
  }

  /** DuckDB's own Parquet reader over a trades file of Kestrel's store. */
  static async fromKestrelTradesParquet(file: string, symbol: string): Promise<DuckDbBarOracle> {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await con.run(`
      CREATE TABLE trades AS
      SELECT '${symbol.replace(/'/g, "''")}' AS sym, CAST(trade_id AS BIGINT) AS id, CAST(ts AS DOUBLE) AS ts,
        price, quantity AS qty, is_buyer_maker AS m
      FROM read_parquet('${file.replace(/'/g, "''")}')`);
    return new DuckDbBarOracle(con);
  }

  /**
   * Bars of every instrument at `intervalMs`, written from the definition in seed 004 and nothing
   * of Kestrel's: GROUP BY the UTC-aligned window, open/close by (time, trade id), one row per window
   * from each instrument's first window to `lastWindowMs` (default: the last window of any
   * instrument), empty windows carrying the previous close.
   */
  async bars(intervalMs: number, lastWindowMs?: number): Promise<OracleBar[]> {
    const I = intervalMs;
    const last = lastWindowMs === undefined ? `(SELECT max(open_time) FROM b)` : String(lastWindowMs);
    const sql = `
      WITH b AS (
        SELECT sym, CAST(floor(ts / ${I}) AS BIGINT) * ${I} AS open_time,
          arg_min(price, (ts, id)) AS open, max(price) AS high, min(price) AS low, arg_max(price, (ts, id)) AS close,
          sum(qty) AS volume, sum(price * qty) AS quote_volume, count(*) AS trade_count,
          coalesce(sum(qty) FILTER (WHERE NOT m), 0) AS buy_volume,
          coalesce(sum(qty) FILTER (WHERE m), 0) AS sell_volume,
          coalesce(sum(price * qty) FILTER (WHERE NOT m), 0) AS buy_quote_volume,
          coalesce(sum(price * qty) FILTER (WHERE m), 0) AS sell_quote_volume
        FROM trades GROUP BY ALL),
      g AS (SELECT sym, unnest(range(min(open_time), ${last} + ${I}, ${I})) AS open_time FROM b GROUP BY sym)
      SELECT g.sym, g.open_time, g.open_time + ${I} - 1 AS close_time,
        ((g.open_time % 86400000) // ${I}) + 1 AS time_label,
        coalesce(b.open, last_value(b.close IGNORE NULLS) OVER w) AS open,
        coalesce(b.high, last_value(b.close IGNORE NULLS) OVER w) AS high,
        coalesce(b.low, last_value(b.close IGNORE NULLS) OVER w) AS low,
        coalesce(b.close, last_value(b.close IGNORE NULLS) OVER w) AS close,
        coalesce(b.volume, 0) AS volume, coalesce(b.quote_volume, 0) AS quote_volume,
        coalesce(b.trade_count, 0) AS trade_count, b.quote_volume / b.volume AS vwap,
        coalesce(b.buy_volume, 0) AS buy_volume, coalesce(b.sell_volume, 0) AS sell_volume,
        coalesce(b.buy_quote_volume, 0) AS buy_quote_volume, coalesce(b.sell_quote_volume, 0) AS sell_quote_volume
      FROM g LEFT JOIN b USING (sym, open_time)
      WINDOW w AS (PARTITION BY g.sym ORDER BY g.open_time ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
      ORDER BY g.sym, g.open_time`;
    const reader = await this.con.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((r) => ({
      instrumentId: String(r.sym),
      openTime: Number(r.open_time),
      closeTime: Number(r.close_time),
      timeLabel: Number(r.time_label),
      open: Number(r.open),
      high: Number(r.high),
      low: Number(r.low),
      close: Number(r.close),
      volume: Number(r.volume),
      quoteVolume: Number(r.quote_volume),
      tradeCount: Number(r.trade_count),
      vwap: r.vwap === null ? null : Number(r.vwap),
      buyVolume: Number(r.buy_volume),
      sellVolume: Number(r.sell_volume),
      buyQuoteVolume: Number(r.buy_quote_volume),
      sellQuoteVolume: Number(r.sell_quote_volume),
    }));
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  close(): void {
    this.con.closeSync();
  }
}

const SUM_FIELDS = ['volume', 'quoteVolume', 'buyVolume', 'sellVolume', 'buyQuoteVolume', 'sellQuoteVolume'] as const;
const EXACT_FIELDS = ['instrumentId', 'openTime', 'closeTime', 'timeLabel', 'open', 'high', 'low', 'close', 'tradeCount'] as const;

/**
 * Field-by-field differences between bars and oracle rows (same order). Prices and counts must be
 * identical; sums may differ in the last bits because DuckDB adds in another order (relative 1e-9).
 */
export function diffBars(actual: readonly Partial<OracleBar>[], expected: readonly OracleBar[], relTol = 1e-9): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`${actual.length} bars, oracle has ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n && problems.length < 20; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const at = `${e.instrumentId} ${new Date(e.openTime).toISOString()}`;
    for (const f of EXACT_FIELDS) if (a[f] !== e[f]) problems.push(`${at} ${f}: ${String(a[f])} vs oracle ${String(e[f])}`);
    for (const f of SUM_FIELDS) {
      const x = a[f] as number;
      const y = e[f];
      if (!(Math.abs(x - y) <= relTol * Math.max(1, Math.abs(y)))) problems.push(`${at} ${f}: ${x} vs oracle ${y}`);
    }
    const av = a.vwap ?? null;
    if (e.vwap === null ? av !== null && !Number.isNaN(av) : !(Math.abs((av ?? NaN) - e.vwap) <= relTol * e.vwap)) {
      problems.push(`${at} vwap: ${String(av)} vs oracle ${String(e.vwap)}`);
    }
  }
  return problems;
}
