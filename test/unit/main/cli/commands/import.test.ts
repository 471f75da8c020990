import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importCommand } from '../../../../../main/cli/commands/import.js';
import { CliUsageError } from '../../../../../main/cli/command.js';
import { fixture } from '../../../../support/paths.js';

const USDM_ETH = fixture('hftbacktest-binance-ws', 'usdm_ethusdt_20240808.gz');

let dir: string;
let out: string;
let err: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-cli-import-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('kestrel import', () => {
  it('imports the real ETHUSDT recording, and DuckDB reads the same trades back', async () => {
    const dataDir = path.join(dir, 'data');
    const code = await importCommand.run(['--input', USDM_ETH, '--venue', 'binanceusdm', '--symbol', 'ETH/USDT:USDT', '--data-dir', dataDir]);
    expect(code).toBe(0);
    expect(out).toMatch(/^imported 14,076 BINANCEUSDM:ETH\/USDT:USDT trades \(hftbacktest\) from 2024-08-08T23:5/);
    expect(err).toMatch(/import: 14,076 trades, 3\.\d MB of 3\.\d MB \(100%\)/);

    // Oracle: the raw frames, with JSON.parse and integer arithmetic on the quantities (3 decimals).
    const frames = gunzipSync(readFileSync(USDM_ETH))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.includes('@trade'))
      .map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)).data as { t: number; T: number; q: string; m: boolean; p: string });
    const qtyMilli = frames.reduce((s, f) => s + Math.round(Number(f.q) * 1000), 0);
    const notionalCents = frames.reduce((s, f) => s + Math.round(Number(f.p) * 100) * Math.round(Number(f.q) * 1000), 0);

    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const glob = path.join(dataDir, 'parquet', 'trades', '**', '*.parquet');
    const [row] = (
      await db.runAndReadAll(`
        SELECT venue, symbol, count(*) AS n, count(DISTINCT trade_id) AS ids,
               min(ts) AS first_ts, max(ts) AS last_ts, sum(is_buyer_maker::INT) AS buyer_maker,
               sum(round(quantity * 1000)::BIGINT) AS qty_milli,
               sum(round(price * 100)::BIGINT * round(quantity * 1000)::BIGINT) AS notional
        FROM read_parquet('${glob}', hive_partitioning = true) GROUP BY ALL`)
    ).getRowObjectsJS();
    expect(row).toEqual({
      venue: 'BINANCEUSDM',
      symbol: 'ETH/USDT:USDT',
      n: BigInt(frames.length),
      ids: BigInt(new Set(frames.map((f) => f.t)).size),
      first_ts: BigInt(Math.min(...frames.map((f) => f.T))),
      last_ts: BigInt(Math.max(...frames.map((f) => f.T))),
      buyer_maker: BigInt(frames.filter((f) => f.m).length),
      qty_milli: BigInt(qtyMilli),
      notional: BigInt(notionalCents),
    });
    // The last trades of the recording have exchange times after midnight: they land in the next date folder.
    const midnight = Date.UTC(2024, 7, 9);
    const days = (
      await db.runAndReadAll(`
        SELECT strftime(date, '%Y-%m-%d') AS day, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts
        FROM read_parquet('${glob}', hive_partitioning = true) GROUP BY day ORDER BY day`)
    ).getRowObjectsJS();
    const before = frames.filter((f) => f.T < midnight).map((f) => f.T);
    const after = frames.filter((f) => f.T >= midnight).map((f) => f.T);
    expect(after.length).toBeGreaterThan(0);
    expect(days).toEqual([
      { day: '2024-08-08', n: BigInt(before.length), first_ts: BigInt(Math.min(...before)), last_ts: BigInt(Math.max(...before)) },
      { day: '2024-08-09', n: BigInt(after.length), first_ts: BigInt(Math.min(...after)), last_ts: BigInt(Math.max(...after)) },
    ]);
  });

  it('exits 1 naming the line of a bad CSV row, and imports the rest with --skip-bad', async () => {
    const file = path.join(dir, 'agg.csv');
    writeFileSync(file, '1,100.5,0.1,1,1,1723161255342,true\n2,100.6,-3,2,2,1723161255343,false\n3,100.7,0.2,3,3,1723161255344,false\n');
    const dataDir = path.join(dir, 'data');
    expect(await importCommand.run(['--input', file, '--venue', 'BINANCE', '--symbol', 'BTC/USDT', '--data-dir', dataDir])).toBe(1);
    expect(err).toMatch(/agg\.csv line 2: quantity "-3" must be a number greater than 0\nnothing was imported/);
    err = '';
    expect(await importCommand.run(['--input', file, '--venue', 'BINANCE', '--symbol', 'BTC/USDT', '--data-dir', dataDir, '--skip-bad'])).toBe(0);
    expect(out).toMatch(/imported 2 BINANCE:BTC\/USDT trades \(aggtrades-csv\)/);
    expect(err).toMatch(/skipped 1 bad rows:\n {2}line 2: quantity "-3"/);
  });

  it('refuses bad usage with one plain line', async () => {
    await expect(importCommand.run(['--venue', 'X', '--symbol', 'A/B'])).rejects.toThrow(CliUsageError);
    await expect(importCommand.run(['--input', USDM_ETH, '--symbol', 'A/B'])).rejects.toThrow(/--venue is required/);
    await expect(importCommand.run(['--input', USDM_ETH, '--venue', 'X', '--symbol', 'A/B', '--format', 'csv'])).rejects.toThrow(
      /--format must be auto, aggtrades-csv or hftbacktest; got "csv"/,
    );
    await expect(importCommand.run(['--input', path.join(dir, 'nope.csv'), '--venue', 'X', '--symbol', 'A/B'])).rejects.toThrow(/no such file/);
    await expect(importCommand.run(['--input', USDM_ETH, '--venue', 'bin-ance', '--symbol', 'A/B'])).rejects.toThrow(/--venue: venue "bin-ance"/);
  });
});
