import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar, FundingRate, TradeTick } from '../../../../shared/model/index.js';
import type { PremiumIndexBar } from '../../../../main/marketdata/funding.js';
import { ParquetStore } from '../../../../main/storage/parquet/parquet-store.js';
import {
  HistorySync,
  type HistoryCapabilities,
  type HistoryFetchIo,
  type HistoryFetchOutcome,
  type HistorySource,
  type HistorySyncProgress,
} from '../../../../main/system/history-sync.js';

/** HistorySync's planning, retries, resumption and polling against a scripted in-memory venue. */

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 7, 9, 12, 0, 0);
const ID = 'FAKE:BTC/USDT:USDT';

class Busy extends Error {
  constructor(readonly waitMs = 0) {
    super('the venue is busy (HTTP 429)');
  }
}

const PAGED: HistoryCapabilities = {
  trades: 'paged',
  tradePaging: 'forward',
  completeBars: false,
  perp: true,
  fundingHistory: true,
  premiumIndex: false,
  gatewayBackfillsTrades: true,
};

function trade(i: number, tsEvent: number): TradeTick {
  return { instrumentId: ID, tradeId: String(1000 + i), price: 100 + (i % 7), quantity: 1 + (i % 3), side: i % 2 ? 'buy' : 'sell', tsEvent, tsInit: tsEvent };
}

/** A venue with a fixed tape; `failAt` lists page numbers (counted over all calls) that throw `failWith` instead. */
class FakeVenue implements HistorySource {
  readonly venue = 'FAKE';
  caps: HistoryCapabilities = { ...PAGED };
  tape: TradeTick[] = [];
  funding: FundingRate[] = [];
  pageSize = 50;
  page = 0;
  failAt = new Set<number>();
  failWith: () => unknown = () => new Busy();
  readonly calls: Array<{ kind: string; fromMs: number; toMs: number }> = [];

  capabilities(instrumentId: string): HistoryCapabilities {
    if (instrumentId !== ID && !instrumentId.startsWith('FAKE:SPOT')) throw new Error(`unknown instrument ${instrumentId}`);
    return instrumentId.startsWith('FAKE:SPOT') ? { ...this.caps, perp: false } : this.caps;
  }

  private async deliver<T>(rows: T[], io: HistoryFetchIo<T>): Promise<void> {
    for (let at = 0; at < rows.length; at += this.pageSize) {
      this.page += 1;
      if (this.failAt.has(this.page)) throw this.failWith();
      await io.onBatch(rows.slice(at, at + this.pageSize));
      io.onProgress(Math.min(1, (at + this.pageSize) / rows.length));
    }
  }

  async fetchTrades(_id: string, fromMs: number, toMs: number, io: HistoryFetchIo<TradeTick>): Promise<HistoryFetchOutcome> {
    this.calls.push({ kind: 'trades', fromMs, toMs });
    const rows = this.tape.filter((t) => t.tsEvent >= fromMs && t.tsEvent <= toMs);
    if (this.caps.tradePaging === 'forward') await this.deliver(rows, io);
    else {
      // Newest page first, each page oldest first (OKX history-trades).
      for (let end = rows.length; end > 0; end -= this.pageSize) {
        this.page += 1;
        if (this.failAt.has(this.page)) throw this.failWith();
        await io.onBatch(rows.slice(Math.max(0, end - this.pageSize), end));
      }
    }
    return this.caps.trades === 'recent' ? { complete: false, note: 'only the latest trades' } : { complete: true, note: null };
  }

  async fetchBars(_id: string, _i: string, fromMs: number, toMs: number, _io: HistoryFetchIo<Bar>): Promise<HistoryFetchOutcome> {
    this.calls.push({ kind: 'bars', fromMs, toMs });
    return { complete: true, note: null };
  }

  async fetchFunding(_id: string, fromMs: number, toMs: number, io: HistoryFetchIo<FundingRate>): Promise<HistoryFetchOutcome> {
    this.calls.push({ kind: 'funding', fromMs, toMs });
    await io.onBatch(this.funding.filter((f) => f.fundingTime >= fromMs && f.fundingTime <= toMs));
    return { complete: true, note: null };
  }

  async fetchPremiumIndex(_id: string, _i: string, fromMs: number, toMs: number, _io: HistoryFetchIo<PremiumIndexBar>): Promise<HistoryFetchOutcome> {
    this.calls.push({ kind: 'premiumIndex', fromMs, toMs });
    return { complete: true, note: null };
  }

  retryAfterMs(err: unknown): number | null {
    return err instanceof Busy ? err.waitMs : null;
  }
}

let dataDir: string;
let store: ParquetStore;
let venue: FakeVenue;
let sleeps: number[];
let progress: HistorySyncProgress[];

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-hsync-'));
  store = await ParquetStore.open({ dataDir });
  venue = new FakeVenue();
  // 400 trades over the last 2 hours, three at some milliseconds.
  venue.tape = Array.from({ length: 400 }, (_, i) => trade(i, NOW - 2 * 3_600_000 + Math.floor(i / 3) * 50_000));
  sleeps = [];
  progress = [];
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function sync(settings: ConstructorParameters<typeof HistorySync>[0]['settings'] = {}, sleep?: (ms: number) => Promise<void>) {
  return new HistorySync({
    source: venue,
    store,
    clock: { nowMs: () => NOW },
    settings: { kinds: ['trades'], ...settings },
    sleep:
      sleep ??
      (async (ms) => {
        sleeps.push(ms);
      }),
    onProgress: (p) => progress.push(p),
  });
}

async function storedIds(): Promise<string[]> {
  const c = await store.readTrades({ venue: 'FAKE', symbol: 'BTC/USDT:USDT', tradeIds: 'string' });
  return (c.tradeId as string[]).slice().sort();
}
const tapeIds = () => venue.tape.map((t) => t.tradeId).sort();

describe('HistorySync retries', () => {
  it('backs off 1 s, 2 s, 4 s … between attempts and resumes where the last page ended: every trade once', async () => {
    venue.failAt = new Set([3, 5, 8]);
    const report = await sync().syncAll([ID], { reason: 'start' });
    expect(report.tasks[0]).toMatchObject({ written: 400, complete: true, error: null, attempts: 4 });
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(await storedIds()).toEqual(tapeIds());
    // Each retry asked only for the rest of the range.
    const froms = venue.calls.map((c) => c.fromMs);
    expect(froms).toEqual([...froms].sort((a, b) => a - b));
    expect(froms[1]).toBeGreaterThan(froms[0]!);
    expect(progress.filter((p) => p.message.includes('retrying in')).map((p) => p.message.replace(/.*; /, ''))).toEqual([
      'retrying in 1.0 s (attempt 2 of 5)',
      'retrying in 2.0 s (attempt 3 of 5)',
      'retrying in 4.0 s (attempt 4 of 5)',
    ]);
  });

  it("waits as long as the venue asked when that is longer than the backoff, and caps the backoff", async () => {
    venue.failAt = new Set([1, 2, 3]);
    let n = 0;
    venue.failWith = () => new Busy(++n === 2 ? 9_000 : 0);
    await sync({ retryDelayMs: 1_000, maxRetryDelayMs: 1_500 }).syncAll([ID]);
    expect(sleeps).toEqual([1_000, 9_000, 1_500]);
  });

  it('gives up after maxAttempts with the venue\'s words, and does not retry what a retry cannot fix', async () => {
    venue.failAt = new Set([1, 2, 3, 4, 5, 6]);
    const gaveUp = await sync({ maxAttempts: 3 }).syncAll([ID]);
    expect(gaveUp.tasks[0]!.error).toBe('the venue is busy (HTTP 429); gave up on trades after 3 attempts');
    expect(gaveUp.failed).toBe(1);

    venue.page = 0;
    venue.failAt = new Set([1]);
    venue.failWith = () => new Error('binance refused the request: bad symbol');
    sleeps = [];
    const refused = await sync().syncAll([ID]);
    expect(refused.tasks[0]).toMatchObject({ error: 'binance refused the request: bad symbol', attempts: 1 });
    expect(sleeps).toEqual([]);
  });

  it('resumes a newest-first venue (OKX) below the oldest page it got', async () => {
    venue.caps = { ...PAGED, tradePaging: 'backward' };
    venue.failAt = new Set([2, 4]);
    const report = await sync().syncAll([ID]);
    expect(report.tasks[0]).toMatchObject({ written: 400, complete: true, attempts: 3 });
    expect(await storedIds()).toEqual(tapeIds());
    const tos = venue.calls.map((c) => c.toMs);
    expect(tos).toEqual([...tos].sort((a, b) => b - a));
    expect(tos[1]).toBeLessThan(tos[0]!);
  });

  it('stop() ends a retry wait at once: the run reports it stopped, a queued run is refused', async () => {
    venue.failAt = new Set([1]);
    let waiting: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => (waiting = resolve));
    const s = sync({}, () => {
      waiting();
      return new Promise<void>(() => undefined);
    });
    const running = s.syncAll([ID]);
    const queued = s.syncAll([ID]);
    await entered;
    await s.stop();
    const report = await running;
    expect(report.tasks[0]!.error).toBe('history FAKE was stopped');
    await expect(queued).rejects.toThrow(/history FAKE was stopped/);
  });
});

describe('HistorySync planning', () => {
  it('starts from the last stored trade, but never further back than the lookback', async () => {
    const tape = venue.tape;
    venue.tape = [];
    await store.writeTrades([trade(9_000, NOW - 3 * DAY)]);
    await sync({ lookbackMs: DAY }).syncAll([ID]);
    expect(venue.calls[0]).toEqual({ kind: 'trades', fromMs: NOW - DAY, toMs: NOW });
    venue.tape = tape;

    venue.calls.length = 0;
    const last = venue.tape[250]!;
    await store.writeTrades(venue.tape.slice(0, 251));
    await sync({ lookbackMs: DAY }).syncAll([ID], { toMs: NOW - 60_000 });
    expect(venue.calls[0]).toEqual({ kind: 'trades', fromMs: last.tsEvent, toMs: NOW - 60_000 });
  });

  it('falls back to venue bars where trades are not paged but klines are complete; says so where neither works', async () => {
    venue.caps = { ...PAGED, trades: 'none', completeBars: true };
    const viaBars = await sync({ barInterval: '1m', lookbackMs: 3_600_000 }).syncAll([ID]);
    expect(viaBars.tasks[0]).toMatchObject({ kind: 'trades', fetchedAs: 'bars', interval: '1m' });
    // NOW is a whole minute: the window that just closed is the last one asked for.
    expect(venue.calls).toEqual([{ kind: 'bars', fromMs: NOW - 3_600_000, toMs: NOW - 1 }]);

    venue.calls.length = 0;
    venue.caps = { ...PAGED, trades: 'none', completeBars: false };
    const none = await sync().syncAll([ID]);
    expect(none.tasks[0]).toMatchObject({ written: 0, complete: false, error: null });
    expect(none.tasks[0]!.note).toBe("FAKE serves no past trades and its klines lack Kestrel's bar fields; the gap stays");
    expect(venue.calls).toEqual([]);

    venue.caps = { ...PAGED, trades: 'recent' };
    const recent = await sync().syncAll([ID]);
    expect(recent.tasks[0]).toMatchObject({ complete: false, note: 'only the latest trades', written: 400 });
  });

  it('after a reconnect leaves trades to the gateway when it backfills them itself; funding only for perps, premium only where the venue has it', async () => {
    const s = sync({ kinds: ['trades', 'funding', 'premiumIndex'] });
    const afterReconnect = await s.syncAll([ID, 'FAKE:SPOT/USDT'], { reason: 'reconnect' });
    expect(afterReconnect.tasks.map((t) => `${t.instrumentId} ${t.kind}`)).toEqual([`${ID} funding`]);
    const atStart = await s.syncAll([ID, 'FAKE:SPOT/USDT'], { reason: 'start' });
    expect(atStart.tasks.map((t) => `${t.instrumentId} ${t.kind}`)).toEqual([`${ID} trades`, `${ID} funding`, 'FAKE:SPOT/USDT trades']);
    venue.caps = { ...PAGED, gatewayBackfillsTrades: false };
    expect((await s.syncAll([ID], { reason: 'reconnect' })).tasks.map((t) => t.kind)).toEqual(['trades', 'funding']);
  });

  it('funding: fetches a day before the last stored payment for the cadence, writes only the new ones', async () => {
    const f = (i: number): FundingRate => ({ instrumentId: ID, rate: 0.0001 * i, intervalHours: 8, rate24h: 0.0003 * i, fundingTime: NOW - DAY + i * 8 * 3_600_000 });
    venue.funding = [0, 1, 2].map(f);
    await store.writeFunding([f(0), f(1)]);
    const report = await sync({ kinds: ['funding'], fundingLookbackMs: 10 * DAY }).syncAll([ID]);
    expect(venue.calls).toEqual([{ kind: 'funding', fromMs: f(1).fundingTime + 1 - DAY, toMs: NOW }]);
    expect(report.tasks[0]).toMatchObject({ written: 1, firstMs: f(2).fundingTime, alreadyStored: 0 });
  });

  it('polls funding on the injected timer until stopped', async () => {
    const timers: Array<{ fn: () => void; ms: number } | null> = [];
    const s = new HistorySync({
      source: venue,
      store,
      clock: { nowMs: () => NOW },
      settings: { kinds: ['trades', 'funding'] },
      timers: {
        setTimeout: (fn, ms) => timers.push({ fn, ms }) - 1,
        clearTimeout: (h) => {
          timers[h as number] = null;
        },
      },
    });
    s.startFundingPoll(3_600_000, () => [ID]);
    expect(timers.map((t) => t?.ms)).toEqual([3_600_000]);
    const fired = timers[0]!;
    timers[0] = null;
    fired.fn();
    await s.syncAll([]);
    await new Promise((r) => setImmediate(r));
    expect(venue.calls.map((c) => c.kind)).toEqual(['funding']);
    expect(timers.filter((t) => t !== null)).toHaveLength(1);
    s.stopFundingPoll();
    expect(timers.filter((t) => t !== null)).toHaveLength(0);
  });

  it('backfill() refuses what the venue cannot serve, in plain words', async () => {
    venue.caps = { ...PAGED, trades: 'none' };
    await expect(sync().backfill(ID, 'trades', NOW - DAY, NOW)).rejects.toThrow('FAKE serves no past trades over REST; try --kind bars on a venue whose klines carry every bar field');
    await expect(sync().backfill('FAKE:SPOT/USDT', 'funding', NOW - DAY, NOW)).rejects.toThrow('FAKE:SPOT/USDT is not a perpetual; only perpetuals pay funding');
    await expect(sync().backfill(ID, 'premiumIndex', NOW - DAY, NOW)).rejects.toThrow('FAKE has no premium index klines');
    await expect(sync().backfill(ID, 'funding', NOW, NOW - 1)).rejects.toThrow(/the range starts \(2024-08-09T12:00:00.000Z\) after it ends/);
  });

  it('backfill() fills holes inside an explicit range and skips what is stored', async () => {
    await store.writeTrades(venue.tape.filter((_, i) => i % 2 === 0));
    const r = await sync().backfill(ID, 'trades', NOW - DAY, NOW);
    expect(r).toMatchObject({ written: 200, alreadyStored: 200, fromMs: NOW - DAY, toMs: NOW, complete: true });
    expect(await storedIds()).toEqual(tapeIds());
  });
});
