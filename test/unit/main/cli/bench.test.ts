import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../../main/cli/index.js';

// Shape and housekeeping only: benchmark figures are printed, never asserted (no timed tests).
describe('kestrel bench', () => {
  it('prints the figures as JSON, cross-checks the bars with DuckDB and removes its CSV', async () => {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    let code: number;
    try {
      code = await main(['bench', '--trades', '30000', '--symbols', '5', '--csv-rows', '5000', '--runs', '1']);
    } finally {
      vi.restoreAllMocks();
    }
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      aggregator: { tradesPerSec: Record<string, number>; ratios: Record<string, number>; bytesPerTradeHeld: number; checkedAgainstDuckdb: string; goals: Record<string, { met: boolean }> };
      endToEnd: { rows: number; kestrelAggregateSec: number; duckdbReadCsvGroupBySec: number; kestrelToDuckdbTime: number };
    };
    for (const k of ['aggregator', 'floor', 'duckdbGroupBy', 'duckdbGroupByTimeOnly', 'addTradeApi']) expect(out.aggregator.tradesPerSec[k]).toBeGreaterThan(0);
    expect(Object.keys(out.aggregator.ratios)).toEqual(['aggregatorToFloor', 'aggregatorToDuckdb', 'aggregatorToDuckdbTimeOnly']);
    expect(out.aggregator.bytesPerTradeHeld).toBe(26);
    expect(out.aggregator.goals.bytesPerTradeHeld!.met).toBe(true);
    expect(out.aggregator.checkedAgainstDuckdb).toMatch(/^\d+ 5m bars identical/);
    expect(out.endToEnd.rows).toBe(5000);
    expect(out.endToEnd.kestrelToDuckdbTime).toBeGreaterThan(0);
    const dir = /CSV to (\S+)/.exec(stderr)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  });

  it('refuses nonsense sizes', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    try {
      expect(await main(['bench', '--trades', '12'])).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
    expect(stderr).toMatch(/--trades must be at least 1000/);
  });
});
