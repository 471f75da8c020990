import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UniverseStore, type UniverseVersion } from '../../../main/storage/universe/universe-store.js';
import { CcxtUniverseSource } from '../../../main/system/ccxt-universe-source.js';
import { UniverseService } from '../../../main/system/universe-service.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { startHarness, type Harness } from '../ccxt/gateway-harness.js';
import { expectedUniverse, installBinanceTickers, scrambledVolume, type RecordedContract } from './binance-tickers.js';

/**
 * The daily universe from the fake Binance USDⓈ-M: the real recorded listing (122 contracts with
 * their onboard dates, 2021-07-22) through ccxt's loadMarkets and /fapi/v1/ticker/24hr through
 * fetchTickers, with a fake clock and timers driving the 23:55 Asia/Shanghai schedule.
 */

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

/** Markets that must never enter: a dated future, a BUSD perp, a contract not yet trading — each given a top volume. */
const DECOYS = new Set(['BTCUSDT_210924', 'BTCBUSD', 'BTCSTUSDT']);
const withDecoys = (base: (c: RecordedContract, i: number) => number) => (c: RecordedContract, i: number) => (DECOYS.has(c.symbol) ? 5e12 : base(c, i));
const RULE = { topN: 10, minListingAgeDays: 30, excludeSymbols: ['BINANCEUSDM:DOGE/USDT:USDT', 'XRP/USDT:USDT'], quoteCurrencies: ['USDT'], minQuoteVolume24h: 0 };
const excluded = (c: RecordedContract) => c.symbol === 'DOGEUSDT' || c.symbol === 'XRPUSDT';

describe('UniverseService on the fake Binance USDⓈ-M', () => {
  let h: Harness;
  let dataDir: string;
  let now: number;
  let timers: Array<{ fn: () => void; atMs: number } | null>;
  let removeTickers: () => void = () => undefined;
  beforeAll(async () => {
    h = await startHarness('binanceusdm');
    await h.gateway.connect();
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-universe-it-'));
    now = Date.parse('2021-07-22T10:00:00Z');
    timers = [];
  });
  afterEach(() => {
    removeTickers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function make(announced: Array<{ ids: string[]; version: UniverseVersion }>, logs: string[] = []) {
    return new UniverseService({
      source: new CcxtUniverseSource(() => h.gateway.venueSession()),
      store: new UniverseStore(dataDir),
      rule: RULE,
      clock: { nowMs: () => now },
      retryDelayMs: 120_000,
      timers: {
        setTimeout: (fn, ms) => timers.push({ fn, atMs: now + ms }) - 1,
        clearTimeout: (i) => {
          timers[i as number] = null;
        },
      },
      onUniverse: (ids, version) => void announced.push({ ids, version }),
      log: (level, m) => void logs.push(`${level}: ${m}`),
    });
  }

  async function fireArmed(): Promise<void> {
    const live = timers.filter((t) => t !== null);
    expect(live).toHaveLength(1);
    const t = live[0]!;
    timers[timers.indexOf(t)] = null;
    now = t.atMs;
    t.fn();
    for (let waited = 0; !timers.some((x) => x !== null); waited += 10) {
      if (waited > 10_000) throw new Error('no timer armed after the refresh');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('builds v1 at start, v2 at 23:55 Shanghai when volumes moved, keeps it through a venue outage, and subscriptions follow', async () => {
    const day1 = withDecoys(scrambledVolume(1));
    removeTickers = installBinanceTickers(h.server, day1);
    const announced: Array<{ ids: string[]; version: UniverseVersion }> = [];
    const logs: string[] = [];
    const service = make(announced, logs);
    await service.start();

    const want1 = expectedUniverse(day1, { topN: 10, minListingAgeDays: 30, exclude: excluded }, now);
    expect(want1).toHaveLength(10);
    expect(announced.map((a) => a.ids)).toEqual([want1]);
    expect(announced[0]!.version).toMatchObject({ date: '2021-07-22', version: 'v1' });
    const csv = readFileSync(path.join(dataDir, 'universe', '2021-07-22', 'v1', 'universe.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,instrument_id,symbol,quote,quote_volume_24h,listed_at_ms');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(want1);
    expect(timers.find((t) => t !== null)!.atMs).toBe(Date.parse('2021-07-22T15:55:00Z'));

    // 23:55 in Shanghai: the venue's volumes have moved.
    removeTickers();
    const day2 = withDecoys(scrambledVolume(2));
    removeTickers = installBinanceTickers(h.server, day2);
    await fireArmed();
    const want2 = expectedUniverse(day2, { topN: 10, minListingAgeDays: 30, exclude: excluded }, now);
    expect(want2).not.toEqual(want1);
    expect(announced.map((a) => a.ids)).toEqual([want1, want2]);
    expect(announced[1]!.version).toMatchObject({ date: '2021-07-22', version: 'v2' });
    expect(timers.find((t) => t !== null)!.atMs).toBe(Date.parse('2021-07-23T15:55:00Z'));

    // The next evening the venue is down: the universe stays, a retry is armed two minutes on.
    removeTickers();
    removeTickers = h.server.route('GET', '/fapi/v1/ticker/24hr', () => ({ status: 503, body: { code: -1001, msg: 'Internal error' } }));
    await fireArmed();
    expect(announced).toHaveLength(2);
    expect(service.current()!.version).toBe('v2');
    expect(timers.find((t) => t !== null)!.atMs).toBe(Date.parse('2021-07-23T15:57:00Z'));
    expect(logs.at(-1)).toMatch(/^error: universe refresh failed: binanceusdm fetchTickers swap: .*HTTP 503.*; trying again at 2021-07-23T15:57:00.000Z$/);
    service.stop();
  });
});
