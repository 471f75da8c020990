import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * What is physically on disk in a dataset, read by DuckDB rather than Kestrel's readers (which
 * resolve repeated keys and would hide a row written twice).
 */
export async function rawRows(storeRoot: string, dataset: string, keyColumn: string): Promise<{ rows: number; duplicates: number }> {
  const dir = path.join(storeRoot, dataset);
  if (!existsSync(dir)) return { rows: 0, duplicates: 0 };
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const glob = path.join(dir, '**', '*.parquet').replaceAll("'", "''");
    const reader = await con.runAndReadAll(
      `SELECT count(*)::BIGINT AS n, (count(*) - count(DISTINCT (symbol, ${keyColumn})))::BIGINT AS d FROM read_parquet('${glob}', hive_partitioning = true)`,
    );
    const [n, d] = reader.getRows()[0] as [bigint, bigint];
    return { rows: Number(n), duplicates: Number(d) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
