import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniverseRuleConfig, type UniverseMember } from '../../../../../main/marketdata/universe/universe-rule.js';
import { UniverseStore } from '../../../../../main/storage/universe/universe-store.js';

let dataDir: string;
let store: UniverseStore;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-universe-'));
  store = new UniverseStore(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const m = (rank: number, symbol: string, quoteVolume24h: number, listedAtMs: number | null = 1_600_000_000_000): UniverseMember => ({
  rank,
  instrumentId: `BINANCEUSDM:${symbol}`,
  symbol,
  quote: 'USDT',
  quoteVolume24h,
  listedAtMs,
});
const rule = UniverseRuleConfig.parse({ topN: 2 });

describe('UniverseStore', () => {
  it('writes seed 004’s layout: universe/YYYY-MM-DD/v1/universe.csv', async () => {
    const saved = await store.save('2025-01-10', [m(1, 'BTC/USDT:USDT', 1.2e10), m(2, 'ETH/USDT:USDT', 6e9, null)], { generatedAtMs: 1_736_524_500_000, rule });
    expect(saved).toEqual({ version: 'v1', dir: path.join(dataDir, 'universe', '2025-01-10', 'v1'), created: true });
    expect(readFileSync(path.join(saved.dir, 'universe.csv'), 'utf8')).toBe(
      'rank,instrument_id,symbol,quote,quote_volume_24h,listed_at_ms\n' +
        '1,BINANCEUSDM:BTC/USDT:USDT,BTC/USDT:USDT,USDT,12000000000,1600000000000\n' +
        '2,BINANCEUSDM:ETH/USDT:USDT,ETH/USDT:USDT,USDT,6000000000,\n',
    );
    const back = await store.read('2025-01-10');
    expect(back).toEqual({ date: '2025-01-10', version: 'v1', generatedAtMs: 1_736_524_500_000, rule, members: [m(1, 'BTC/USDT:USDT', 1.2e10), m(2, 'ETH/USDT:USDT', 6e9, null)] });
  });

  it('adds v2 only when a same-day regeneration picks different instruments or order', async () => {
    await store.save('2025-01-10', [m(1, 'BTC/USDT:USDT', 1.2e10), m(2, 'ETH/USDT:USDT', 6e9)], { generatedAtMs: 1 });
    const sameMembers = await store.save('2025-01-10', [m(1, 'BTC/USDT:USDT', 1.3e10), m(2, 'ETH/USDT:USDT', 5e9)], { generatedAtMs: 2 });
    expect(sameMembers).toMatchObject({ version: 'v1', created: false });
    const reordered = await store.save('2025-01-10', [m(1, 'ETH/USDT:USDT', 1.4e10), m(2, 'BTC/USDT:USDT', 1.3e10)], { generatedAtMs: 3 });
    expect(reordered).toMatchObject({ version: 'v2', created: true });
    const changed = await store.save('2025-01-10', [m(1, 'ETH/USDT:USDT', 1.4e10), m(2, 'SOL/USDT:USDT', 9e9)], { generatedAtMs: 4 });
    expect(changed).toMatchObject({ version: 'v3', created: true });
    expect(await store.listVersions('2025-01-10')).toEqual(['v1', 'v2', 'v3']);
    expect((await store.read('2025-01-10', 'v1')).members.map((x) => x.symbol)).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    expect((await store.read('2025-01-10')).version).toBe('v3');
    // No temporary folders are left behind.
    expect(readdirSync(path.join(dataDir, 'universe', '2025-01-10'))).toEqual(['v1', 'v2', 'v3']);
  });

  it('sorts versions by number (v10 after v9) and finds the latest date, or the latest date with a version', async () => {
    for (let i = 1; i <= 10; i++) await store.save('2025-01-10', [m(1, `C${i}/USDT:USDT`, 1)], { generatedAtMs: i });
    await store.save('2025-01-11', [m(1, 'BTC/USDT:USDT', 1)], { generatedAtMs: 11 });
    expect((await store.listVersions('2025-01-10')).slice(-2)).toEqual(['v9', 'v10']);
    expect(await store.listDates()).toEqual(['2025-01-10', '2025-01-11']);
    expect((await store.readLatest())!.date).toBe('2025-01-11');
    expect(await store.readLatest({ version: 'v2' })).toMatchObject({ date: '2025-01-10', version: 'v2' });
    expect(await store.readLatest({ onOrBefore: '2025-01-10' })).toMatchObject({ date: '2025-01-10', version: 'v10' });
    expect(await store.readLatest({ onOrBefore: '2025-01-09' })).toBeUndefined();
  });

  it('saves concurrent identical refreshes as one version', async () => {
    const members = [m(1, 'BTC/USDT:USDT', 1)];
    const results = await Promise.all([1, 2, 3].map((i) => store.save('2025-01-12', members, { generatedAtMs: i })));
    expect(await store.listVersions('2025-01-12')).toEqual(['v1']);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('names what is wrong: a bad date, a missing version', async () => {
    await expect(store.save('2025-1-10', [], { generatedAtMs: 0 })).rejects.toThrow(/must be YYYY-MM-DD/);
    await expect(store.read('2025-01-10')).rejects.toThrow(/no universe saved for 2025-01-10/);
    await store.save('2025-01-10', [], { generatedAtMs: 0 });
    await expect(store.read('2025-01-10', 'v7')).rejects.toThrow(/no universe v7 saved for 2025-01-10/);
  });
});
