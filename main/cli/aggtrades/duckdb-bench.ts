import type { DuckDBConnection } from '@duckdb/node-api';
import type { SyntheticTrades } from './bench-data.js';

/** Loads the benchmark trades into DuckDB table `t` (not timed: only the GROUP BY is). */
export async function loadTradesIntoDuckDb(con: DuckDBConnection, data: SyntheticTrades): Promise<void> {
  await con.run('CREATE OR REPLACE TABLE t (sym USMALLINT, id BIGINT, ts BIGINT, price DOUBLE, qty DOUBLE, m BOOLEAN)');
  const app = await con.createAppender('t');
  for (const b of data.batches) {
    for (let i = 0; i < b.length; i++) {
      const ss = b.slotSide[i]!;
      const s = ss >>> 1;
      app.appendUSmallInt(s);
      app.appendBigInt(BigInt(b.idBase[s]! + b.idOffset[i]!));
      app.appendBigInt(BigInt(b.tsBaseMs + b.tsOffsetMs[i]!));
      app.appendDouble(b.price[i]!);
      app.appendDouble(b.qty[i]!);
      app.appendBoolean((ss & 1) === 1);
      app.endRow();
    }
  }
  app.closeSync();
}

const ROLLUPS: [string, number][] = [
  ['1h', 3_600_000],
  ['4h', 14_400_000],
  ['8h', 28_800_000],
  ['12h', 43_200_000],
  ['24h', 86_400_000],
];

/**
 * The same work as the aggregator, in SQL: 5m bars grouped from the trades (open/close by time and
 * id, or by time alone with `byTimeOnly`, which DuckDB runs faster), rolled up to 1h…24h.
 */
export function barsSql(source: string, byTimeOnly = false): string {
  const key = byTimeOnly ? 'ts' : '(ts, id)';
  const base = `SELECT sym, ts // 300000 * 300000 AS w,
      arg_min(price, ${key}) AS o, max(price) AS h, min(price) AS l, arg_max(price, ${key}) AS c,
      sum(qty) AS v, sum(price * qty) AS qv, count(*) AS n,
      sum(CASE WHEN m THEN 0 ELSE qty END) AS bv, sum(CASE WHEN m THEN 0 ELSE price * qty END) AS bqv
    FROM ${source} GROUP BY ALL`;
  const rolled = ROLLUPS.map(
    ([label, ms]) =>
      `SELECT '${label}' AS i, sym, w // ${ms} * ${ms} AS w, arg_min(o, w) AS o, max(h) AS h, min(l) AS l, arg_max(c, w) AS c,
        sum(v) AS v, sum(qv) AS qv, sum(n) AS n, sum(bv) AS bv, sum(bqv) AS bqv FROM base GROUP BY ALL`,
  );
  return `WITH base AS (${base}) SELECT '5m' AS i, * FROM base UNION ALL ${rolled.join(' UNION ALL ')}`;
}

/** read_csv of a Binance aggTrades file with the columns spelled out (no sniffing), as table `t`'s shape. */
export function aggTradesCsvSource(file: string): string {
  return `(SELECT 0 AS sym, agg_trade_id AS id, transact_time AS ts, price, quantity AS qty, is_buyer_maker AS m
    FROM read_csv('${file.replace(/'/g, "''")}', header = true, auto_detect = false,
      columns = {'agg_trade_id': 'BIGINT', 'price': 'DOUBLE', 'quantity': 'DOUBLE', 'first_trade_id': 'BIGINT',
                 'last_trade_id': 'BIGINT', 'transact_time': 'BIGINT', 'is_buyer_maker': 'BOOLEAN'}))`;
}
