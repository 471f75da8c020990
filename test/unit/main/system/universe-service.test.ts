import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UniverseCandidate } from '../../../../main/marketdata/universe/universe-rule.js';
import { UniverseStore, type UniverseVersion } from '../../../../main/storage/universe/universe-store.js';
import { UniverseService, type UniverseServiceOptions } from '../../../../main/system/universe-service.js';

/** The daily universe refresh driven by a fake clock and fake timers (23:55 Asia/Shanghai = 15:55 UTC). */

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

function candidate(base: string, quoteVolume24h: number | null, listedDaysAgo = 400, quote = 'USDT'): UniverseCandidate {
  return {
    instrumentId: `FAKE:${base}/${quote}:${quote}`,
    symbol: `${base}/${quote}:${quote}`,
    quote,
    quoteVolume24h,
    listedAtMs: at('2025-01-10T00:00:00Z') - listedDaysAgo * DAY,
    active: true,
  };
}

let now: number;
let timers: Array<{ fn: () => void; atMs: number } | null>;
let candidates: UniverseCandidate[];
let failure: Error | null;
let fetches: number;
let announced: Array<{ ids: string[]; version: UniverseVersion }>;
let logs: string[];
let dataDir: string;
let store: UniverseStore;

beforeEach(() => {
  now = at('2025-01-10T10:00:00Z'); // 18:00 in Shanghai
  timers = [];
  failure = null;
  fetches = 0;
  announced = [];
  logs = [];
  candidates = [candidate('BTC', 9e9), candidate('ETH', 5e9), candidate('SOL', 2e9), candidate('DOGE', 1e9), candidate('NEW', 8e9, 3), candidate('LUNA', 7e9), candidate('EUR', 6e9, 400, 'EURC')];
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-universe-'));
  store = new UniverseStore(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function service(over: Partial<UniverseServiceOptions> = {}): UniverseService {
  return new UniverseService({
    source: {
      venue: 'FAKE',
      fetchCandidates: async () => {
        fetches += 1;
        if (failure) throw failure;
        return candidates.map((c) => ({ ...c }));
      },
    },
    store,
    rule: { topN: 3, minListingAgeDays: 30, excludeSymbols: ['LUNA/USDT:USDT'], quoteCurrencies: ['USDT'], minQuoteVolume24h: 0 },
    clock: { nowMs: () => now },
    timers: {
      setTimeout: (fn, ms) => timers.push({ fn, atMs: now + ms }) - 1,
      clearTimeout: (h) => {
        timers[h as number] = null;
      },
    },
    onUniverse: (ids, version) => void announced.push({ ids, version }),
    log: (level, m) => void logs.push(`${level}: ${m}`),
    ...over,
  });
}

/** The one armed timer, or a failure naming how many there are. */
function armed(): { fn: () => void; atMs: number } {
  const live = timers.filter((t): t is { fn: () => void; atMs: number } => t !== null);
  expect(live).toHaveLength(1);
  return live[0]!;
}

/** Moves the clock to the armed timer, fires it, and waits until the service has armed its next one. */
async function fire(clockMs?: number): Promise<void> {
  const t = armed();
  timers[timers.indexOf(t)] = null;
  now = clockMs ?? t.atMs;
  t.fn();
  // The refresh writes files; the service arms its next timer once that is done (or failed).
  for (let waited = 0; !timers.some((x) => x !== null); waited += 5) {
    if (waited > 5_000) throw new Error('the service armed no timer after firing');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('UniverseService', () => {
  it('with nothing stored, builds v1 now, announces it, and arms the next 23:55 Shanghai', async () => {
    const s = service();
    await s.start();
    // Top 3 by volume among USDT perps listed ≥ 30 days, LUNA excluded by name: BTC 9e9, ETH 5e9, SOL 2e9.
    expect(announced.map((a) => a.ids)).toEqual([['FAKE:BTC/USDT:USDT', 'FAKE:ETH/USDT:USDT', 'FAKE:SOL/USDT:USDT']]);
    expect(announced[0]!.version).toMatchObject({ date: '2025-01-10', version: 'v1', generatedAtMs: now });
    expect(existsSync(path.join(dataDir, 'universe', '2025-01-10', 'v1', 'universe.csv'))).toBe(true);
    expect(armed().atMs).toBe(at('2025-01-10T15:55:00Z'));
    expect(s.nextRefreshAtMs()).toBe(at('2025-01-10T15:55:00Z'));
  });

  it('at 23:55 writes the next version when the pick changed and announces it; an unchanged pick writes and announces nothing', async () => {
    const s = service();
    await s.start();
    candidates.find((c) => c.symbol === 'DOGE/USDT:USDT')!.quoteVolume24h = 3e9;
    await fire();
    expect(announced.map((a) => a.ids)).toEqual([
      ['FAKE:BTC/USDT:USDT', 'FAKE:ETH/USDT:USDT', 'FAKE:SOL/USDT:USDT'],
      ['FAKE:BTC/USDT:USDT', 'FAKE:ETH/USDT:USDT', 'FAKE:DOGE/USDT:USDT'],
    ]);
    expect(announced[1]!.version).toMatchObject({ date: '2025-01-10', version: 'v2' });
    expect(armed().atMs).toBe(at('2025-01-11T15:55:00Z'));

    await fire();
    expect(fetches).toBe(3);
    expect(announced).toHaveLength(2);
    // 23:55 on the 11th in Shanghai files under the 11th: its v1, equal to the 10th's v2.
    expect(await store.listVersions('2025-01-11')).toEqual(['v1']);
    const again = await s.refreshNow();
    expect(again).toMatchObject({ date: '2025-01-11', version: 'v1', created: false, changed: false });
    expect(await store.listVersions('2025-01-11')).toEqual(['v1']);
  });

  it('a timer that fires early (clock set back, drift) waits for the real time', async () => {
    const s = service();
    await s.start();
    await fire(at('2025-01-10T15:54:00Z'));
    expect(fetches).toBe(1);
    expect(armed().atMs).toBe(at('2025-01-10T15:55:00Z'));
    expect(s.nextRefreshAtMs()).toBe(at('2025-01-10T15:55:00Z'));
  });

  it('keeps the current universe when a refresh fails and tries again after retryDelayMs, never past the next slot', async () => {
    const s = service({ retryDelayMs: 60_000 });
    await s.start();
    failure = new Error('binanceusdm fetchTickers swap: the venue answered HTTP 503 (server error)');
    await fire();
    expect(announced).toHaveLength(1);
    expect(s.current()!.version).toBe('v1');
    expect(armed().atMs).toBe(at('2025-01-10T15:56:00Z'));
    expect(logs.at(-1)).toBe('error: universe refresh failed: binanceusdm fetchTickers swap: the venue answered HTTP 503 (server error); trying again at 2025-01-10T15:56:00.000Z');
    failure = null;
    await fire();
    expect(fetches).toBe(3);
    expect(armed().atMs).toBe(at('2025-01-11T15:55:00Z'));

    // A failure 30 s before a slot is retried at the slot, not after it.
    s.stop();
    expect(timers.filter((t) => t !== null)).toHaveLength(0);
    failure = new Error('down');
    now = at('2025-01-11T15:54:30Z');
    const s2 = service({ retryDelayMs: 60_000, store: new UniverseStore(path.join(dataDir, 'empty')) });
    await s2.start();
    expect(fetches).toBe(4);
    expect(s2.current()).toBeNull();
    expect(armed().atMs).toBe(at('2025-01-11T15:55:00Z'));
    expect(logs.at(-1)).toBe('error: universe refresh failed: down; next refresh at 2025-01-11T15:55:00.000Z');
  });

  it('at start, a universe made since the last 23:55 is announced as stored and the venue is not asked', async () => {
    now = at('2025-01-10T16:30:00Z'); // 00:30 on the 11th in Shanghai, after the 10th's refresh
    await store.save('2025-01-10', [{ rank: 1, instrumentId: 'FAKE:ETH/USDT:USDT', symbol: 'ETH/USDT:USDT', quote: 'USDT', quoteVolume24h: 1, listedAtMs: null }], { generatedAtMs: at('2025-01-10T15:55:03Z') });
    const s = service();
    await s.start();
    expect(fetches).toBe(0);
    expect(announced.map((a) => a.ids)).toEqual([['FAKE:ETH/USDT:USDT']]);
    expect(armed().atMs).toBe(at('2025-01-11T15:55:00Z'));
  });

  it('at start, a universe older than the last 23:55 is announced, then replaced by a fresh one', async () => {
    now = at('2025-01-11T02:00:00Z'); // 10:00 on the 11th in Shanghai; the 10th's 23:55 refresh was missed
    await store.save('2025-01-09', [{ rank: 1, instrumentId: 'FAKE:ETH/USDT:USDT', symbol: 'ETH/USDT:USDT', quote: 'USDT', quoteVolume24h: 1, listedAtMs: null }], { generatedAtMs: at('2025-01-09T15:55:00Z') });
    await service().start();
    expect(fetches).toBe(1);
    expect(announced.map((a) => a.ids)).toEqual([['FAKE:ETH/USDT:USDT'], ['FAKE:BTC/USDT:USDT', 'FAKE:ETH/USDT:USDT', 'FAKE:SOL/USDT:USDT']]);
    expect(announced[1]!.version).toMatchObject({ date: '2025-01-11', version: 'v1' });
  });

  it('refuses to replace the universe with an empty one, naming why candidates were left out', async () => {
    candidates = [candidate('NEW', 8e9, 3), candidate('EUR', 6e9, 400, 'EURC')];
    await expect(service().refreshNow()).rejects.toThrow(
      /^no FAKE instrument passed the rule out of 2 candidates \(listed 3\.4 days ago, under minListingAgeDays 30; quote currency EURC is not one of USDT\); keeping the current universe$/,
    );
    expect(await store.listDates()).toEqual([]);
  });

  it('refuses a bad time or zone when built, not at the first refresh', () => {
    expect(() => service({ schedule: { time: '23:55', timeZone: 'Mars/Olympus' } })).toThrow();
  });
});
