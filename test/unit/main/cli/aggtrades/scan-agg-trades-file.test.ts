import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggTradesInputError, scanAggTradesFile } from '../../../../../main/cli/aggtrades/scan-agg-trades-file.js';
import { parseInterval } from '../../../../../main/marketdata/bar-interval.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-scan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 40k rows over ~2 days; prices x/4 and quantities x/16 so merged sums are exact. */
function lines(n = 40_000, firstId = 1): string[] {
  const out: string[] = [];
  let t = Date.UTC(2024, 0, 1, 0, 0, 1);
  for (let k = 0; k < n; k++) {
    t += (k * 7919) % 9_000;
    out.push(`${firstId + k},${(1000 + ((k * 31) % 97) / 4).toFixed(2)},${((k % 50) + 1) / 16},${k},${k},${t},${k % 3 === 0 ? 'true' : 'false'}`);
  }
  return out;
}

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const INTERVALS = ['5m', '1h', '24h'].map(parseInterval);
const scan = (f: string, threads: number, skipBad = false) => scanAggTradesFile(f, { baseIntervalMs: 300_000, skipBad, threads, parallelMinBytes: 0 });

describe('scanAggTradesFile', () => {
  it('gives identical windows on one thread and on two (second half in a worker)', async () => {
    const f = file('big.csv', `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n${lines().join('\n')}`); // no final newline
    const one = await scan(f, 1);
    const two = await scan(f, 2);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.store.accepted).toBe(40_000);
    expect(two.store.toBars('X', INTERVALS)).toEqual(one.store.toBars('X', INTERVALS));
    expect([two.msRows, two.header]).toEqual([40_000, true]);
  });

  it('reports a bad row in the worker\'s half by its line number in the whole file', async () => {
    const rows = lines();
    rows[30_000] = '30001,1000.00,oops,1,1,1704067200000,true';
    const f = file('bad-late.csv', `${rows.join('\n')}\n`);
    const err = await scan(f, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggTradesInputError);
    expect((err as AggTradesInputError).line).toBe(30_001);
    const skipped = await scan(f, 2, true);
    expect([skipped.threads, skipped.badRows, skipped.badSamples]).toEqual([2, 1, [{ line: 30_001, reason: 'quantity must be a number greater than 0' }]]);
  });

  it('falls back to one pass when the two halves share trade ids, so repeats are still dropped', async () => {
    const rows = lines(20_000);
    const f = file('twice.csv', `${[...rows, ...rows].join('\n')}\n`); // the same day concatenated twice
    const r = await scan(f, 2);
    expect([r.threads, r.store.accepted, r.store.duplicates]).toEqual([1, 20_000, 20_000]);
  });

  it('skips a UTF-8 byte-order mark and reads a file without header', async () => {
    const f = file('bom.csv', `\ufeff${lines(10).join('\n')}\n`);
    const r = await scan(f, 1);
    expect([r.header, r.store.accepted]).toEqual([false, 10]);
  });
});
