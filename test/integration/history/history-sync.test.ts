import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TradeTick } from '../../../shared/model/index.js';
import { ParquetStore } from '../../../main/storage/parquet/parquet-store.js';
import { CcxtHistorySource } from '../../../main/system/ccxt-history-source.js';
import { HistorySync, type HistorySyncProgress } from '../../../main/system/history-sync.js';
import type { HistorySyncSettings } from '../../../main/system/market-data-services-config.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import type { RecordedRequest } from '../../fakes/exchange/exchange-server.js';
import { installHyperliquidHistory } from '../../fakes/exchange/hyperliquid-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { startHarness, type Harness } from '../ccxt/gateway-harness.js';
import { rawRows } from './raw-parquet.js';

/**
 * HistorySync against the loopback exchange server, which ccxt talks to over HTTP: Binance USDⓈ-M
 * answering from the real hftbacktest recording (21,313 BTCUSDT trades, 2024-08-08 23:54–23:59 UTC)
 * and Hyperliquid from the SDK's recorded funding history (1,038 BTC payments). What lands on disk
 * is counted by DuckDB, not Kestrel's readers, so a row written twice cannot hide.
 */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const recorded = USDM.filter((f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade').map(
  (f) => f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean },
);
const BTC = 'BINANCEUSDM:BTC/USDT:USDT';
/** Just after the recording ends: what "now" is for the fills below. */
const NOW = recorded.at(-1)!.T + 1_000;
const FAST: Partial<HistorySyncSettings> = { retryDelayMs: 1, maxRetryDelayMs: 1 };

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-history-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function tick(t: (typeof recorded)[number]): TradeTick {
  return { instrumentId: BTC, tradeId: String(t.t), price: Number(t.p), quantity: Number(t.q), side: t.m ? 'sell' : 'buy', tsEvent: t.T, tsInit: t.T };
}

async function storedTrades(store: ParquetStore): Promise<Array<[string, number, number, number, boolean]>> {
  const c = await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', tradeIds: 'string' });
  return Array.from({ length: c.length }, (_, i) => [c.tradeId[i] as string, c.tsMs[i]!, c.price[i]!, c.quantity[i]!, c.isBuyerMaker[i] === 1]);
}

const expectedTrades = () => recorded.map((t) => [String(t.t), t.T, Number(t.p), Number(t.q), t.m] as [string, number, number, number, boolean]);
const byId = (a: [string, ...unknown[]], b: [string, ...unknown[]]) => Number(a[0]) - Number(b[0]);
/** A trade page request whose window reaches the recorded trades (the day before them is empty). */
const inData = (req: RecordedRequest) => Number(req.query.get('endTime')) >= recorded[0]!.T;

describe('HistorySync on Binance USDⓈ-M (recorded BTCUSDT trades)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('binanceusdm', {}, {}, (s) => new BinanceSim(s, USDM, 'usdm').revealAll());
    await h.gateway.connect();
  });
  afterAll(async () => h?.close());

  function sync(store: ParquetStore, progress: HistorySyncProgress[] = [], settings: Partial<HistorySyncSettings> = {}) {
    return new HistorySync({
      source: new CcxtHistorySource(() => h.gateway.venueSession()),
      store,
      clock: { nowMs: () => NOW },
      settings: { ...FAST, ...settings },
      sleep: async () => undefined,
      onProgress: (p) => progress.push(p),
    });
  }

  it('fills every recorded trade once from the 1-day lookback, with progress; a second run asks little and writes nothing', async () => {
    const store = await ParquetStore.open({ dataDir });
    const progress: HistorySyncProgress[] = [];
    const first = await sync(store, progress).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
    expect(first.failed).toBe(0);
    expect(first.tasks).toHaveLength(1);
    const [task] = first.tasks;
    expect(task).toMatchObject({ kind: 'trades', fetchedAs: 'trades', written: recorded.length, alreadyStored: 0, complete: true, error: null });
    expect(task!.fromMs).toBe(NOW - 86_400_000);
    expect((await storedTrades(store)).sort(byId)).toEqual(expectedTrades().sort(byId));
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
    expect(progress.at(-1)).toMatchObject({ job: 'history BINANCEUSDM', done: 1, total: 1, fraction: 1 });
    expect(progress.at(-1)!.message).toMatch(/^done \(start\): 21,313 rows written/);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

    const requestsBefore = h.server.requestsTo('/fapi/v1/aggTrades').length;
    const second = await sync(store).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
    expect(second.tasks[0]).toMatchObject({ written: 0, fromMs: recorded.at(-1)!.T, complete: true });
    // Only the window from the last stored trade to now is asked again, not the day.
    expect(h.server.requestsTo('/fapi/v1/aggTrades').length - requestsBefore).toBe(1);
    expect(second.tasks[0]!.alreadyStored).toBe(recorded.filter((t) => t.T === recorded.at(-1)!.T).length);
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
  });

  it('resumes after the last stored trade: trades sharing its millisecond are not written again', async () => {
    const store = await ParquetStore.open({ dataDir });
    // Cut the stored part in the middle of a millisecond that holds several trades.
    const cut = recorded.findIndex((t, i) => i > 8_000 && recorded[i + 1]?.T === t.T);
    const kept = recorded.slice(0, cut + 1);
    await store.writeTrades(kept.map(tick));
    const report = await sync(store).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
    expect(report.tasks[0]).toMatchObject({ written: recorded.length - kept.length, fromMs: recorded[cut]!.T, complete: true });
    expect(report.tasks[0]!.alreadyStored).toBe(kept.filter((t) => t.T === recorded[cut]!.T).length);
    expect((await storedTrades(store)).sort(byId)).toEqual(expectedTrades().sort(byId));
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
  });

  it('rides out HTTP 503 and 429 in mid-range: retried with backoff, every trade once', async () => {
    const store = await ParquetStore.open({ dataDir });
    const progress: HistorySyncProgress[] = [];
    let n = 0;
    const remove = h.server.route('GET', '/fapi/v1/aggTrades', (req) => {
      if (!inData(req)) return undefined;
      n += 1;
      if (n === 4) return { status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } };
      if (n === 9) return { status: 429, headers: { 'Retry-After': '1' }, body: { code: -1003, msg: 'Too many requests.' } };
      return undefined;
    });
    try {
      const report = await sync(store, progress).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
      expect(report.tasks[0]).toMatchObject({ written: recorded.length, complete: true, error: null, attempts: 3 });
    } finally {
      remove();
    }
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
    const retries = progress.filter((p) => /retrying in/.test(p.message)).map((p) => p.message);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/HTTP 503.*retrying in .* \(attempt 2 of 5\)/);
    expect(retries[1]).toMatch(/rate limit hit \(HTTP 429\).*retrying in .* \(attempt 3 of 5\)/);
  });

  it('gives up on a venue that keeps failing with a plain reason, keeps what it got, and the next run completes the range', async () => {
    const store = await ParquetStore.open({ dataDir });
    let n = 0;
    const remove = h.server.route('GET', '/fapi/v1/aggTrades', (req) => (inData(req) && ++n > 5 ? { status: 502, body: 'Bad Gateway' } : undefined));
    const failed = await sync(store, [], { maxAttempts: 3 }).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
    remove();
    const task = failed.tasks[0]!;
    expect(failed.failed).toBe(1);
    expect(task.error).toMatch(/binanceusdm fetchTrades BTC\/USDT:USDT: the venue answered HTTP 502 \(server error\).*; gave up on trades after 3 attempts$/);
    expect(task.written).toBeGreaterThan(0);
    expect(task.written).toBeLessThan(recorded.length);
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: task.written, duplicates: 0 });

    const again = await sync(store).syncAll([BTC], { reason: 'start', kinds: ['trades'] });
    expect(again.tasks[0]).toMatchObject({ written: recorded.length - task.written, complete: true, error: null });
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
  });

  it('bars: the venue 1m klines with every seed-004 field, closed minutes only; a second run writes nothing', async () => {
    const store = await ParquetStore.open({ dataDir });
    const report = await sync(store).syncAll([BTC], { reason: 'start', kinds: ['bars'] });
    const minutes = new Map<number, typeof recorded>();
    for (const t of recorded) {
      const m = Math.floor(t.T / 60_000) * 60_000;
      minutes.set(m, [...(minutes.get(m) ?? []), t]);
    }
    expect(report.tasks[0]).toMatchObject({ fetchedAs: 'bars', interval: '1m', written: minutes.size, complete: true });
    const bars = await store.readBars({ instrumentId: BTC, interval: '1m' });
    expect(bars.map((b) => b.openTime)).toEqual([...minutes.keys()]);
    for (const b of bars) {
      const ts = minutes.get(b.openTime)!;
      const buys = ts.filter((t) => !t.m);
      expect(b.tradeCount).toBe(ts.length);
      expect(b.open).toBe(Number(ts[0]!.p));
      expect(b.close).toBe(Number(ts.at(-1)!.p));
      expect(b.volume).toBeCloseTo(ts.reduce((a, t) => a + Number(t.q), 0), 6);
      expect(b.buyVolume).toBeCloseTo(buys.reduce((a, t) => a + Number(t.q), 0), 6);
      expect(b.sellQuoteVolume + b.buyQuoteVolume).toBeCloseTo(b.quoteVolume, 4);
      expect(b.closeTime).toBe(b.openTime + 59_999);
      expect(b.final).toBe(true);
    }
    const second = await sync(store).syncAll([BTC], { reason: 'start', kinds: ['bars'] });
    expect(second.tasks[0]!.written).toBe(0);
    expect(await rawRows(store.root, 'bars', 'interval, open_time')).toEqual({ rows: minutes.size, duplicates: 0 });
  });

  it('premium index klines of a perp, from the last stored one; funding is asked of the venue too', async () => {
    // No premium index or funding was recorded for this day: these rows are built in Binance's
    // documented shapes only to prove the paging, the endpoints and the idempotence.
    const base = Math.floor((NOW - 86_400_000) / 300_000) * 300_000;
    const premium = Array.from({ length: 288 }, (_, i) => [base + i * 300_000, '0.0001', '0.0002', '-0.0001', (0.0001 + i * 1e-7).toFixed(7), '0', base + i * 300_000 + 299_999, '0', 60, '0', '0', '0']);
    const fundingBase = Math.ceil((NOW - 86_400_000) / 3_600_000) * 3_600_000;
    const funding = [0, 1, 2].map((i) => ({ symbol: 'BTCUSDT', fundingTime: fundingBase + i * 28_800_000, fundingRate: (0.0001 * (i + 1)).toFixed(8), markPrice: '60000.0' }));
    const removeP = h.server.route('GET', '/fapi/v1/premiumIndexKlines', (req) => {
      const start = Number(req.query.get('startTime'));
      const end = Number(req.query.get('endTime') ?? Number.MAX_SAFE_INTEGER);
      return { body: premium.filter((r) => (r[0] as number) >= start && (r[0] as number) <= end && (r[0] as number) + 300_000 <= NOW).slice(0, Number(req.query.get('limit'))) };
    });
    const removeF = h.server.route('GET', '/fapi/v1/fundingRate', (req) => {
      const start = Number(req.query.get('startTime') ?? 0);
      const end = Number(req.query.get('endTime') ?? Number.MAX_SAFE_INTEGER);
      return { body: funding.filter((f) => f.fundingTime >= start && f.fundingTime <= end) };
    });
    try {
      const store = await ParquetStore.open({ dataDir });
      const report = await sync(store, [], { fundingLookbackMs: 86_400_000 }).syncAll([BTC], { reason: 'poll' });
      const byKind = Object.fromEntries(report.tasks.map((t) => [t.kind, t]));
      const closed = premium.filter((r) => (r[0] as number) + 300_000 <= NOW);
      expect(byKind['premiumIndex']).toMatchObject({ interval: '5m', written: closed.length, complete: true });
      const stored = await store.readPremiumIndex({ instrumentId: BTC, interval: '5m' });
      expect(stored.map((b) => [b.openTime, b.close])).toEqual(closed.map((r) => [r[0], Number(r[4])]));
      expect(byKind['funding']).toMatchObject({ written: 3, complete: true });
      const rates = await store.readFunding({ instrumentId: BTC });
      expect(rates.map((r) => [r.fundingTime, r.rate, r.intervalHours])).toEqual(funding.map((f) => [f.fundingTime, Number(f.fundingRate), 8]));
      rates.forEach((r, i) => expect(r.rate24h).toBeCloseTo(Number(funding[i]!.fundingRate) * 3, 15));

      const again = await sync(store, [], { fundingLookbackMs: 86_400_000 }).syncAll([BTC], { reason: 'poll' });
      expect(again.tasks.map((t) => t.written)).toEqual([0, 0]);
      expect(await rawRows(store.root, 'premium_index', 'interval, open_time')).toEqual({ rows: closed.length, duplicates: 0 });
      expect(await rawRows(store.root, 'funding', 'funding_time')).toEqual({ rows: 3, duplicates: 0 });
    } finally {
      removeP();
      removeF();
    }
  });

  it('names an instrument the venue does not list and carries on with the others', async () => {
    const store = await ParquetStore.open({ dataDir });
    const report = await sync(store).syncAll(['BINANCEUSDM:NOPE/USDT:USDT', BTC], { reason: 'start', kinds: ['trades'] });
    expect(report.tasks.map((t) => [t.instrumentId, t.error === null])).toEqual([
      ['BINANCEUSDM:NOPE/USDT:USDT', false],
      [BTC, true],
    ]);
    expect(report.tasks[0]!.error).toBe('unknown instrument BINANCEUSDM:NOPE/USDT:USDT: binanceusdm lists no market NOPE/USDT:USDT');
    expect(report.tasks[1]!.written).toBe(recorded.length);
  });
});

describe('HistorySync on Hyperliquid (recorded BTC funding history)', () => {
  let h: Harness;
  let funding: ReturnType<typeof installHyperliquidHistory>['funding'];
  beforeAll(async () => {
    h = await startHarness('hyperliquid', {}, {}, (s) => {
      funding = installHyperliquidHistory(s).funding;
    });
    await h.gateway.connect();
  });
  afterAll(async () => h?.close());
  const HL_NOW = () => funding.at(-1)!.time + 1_800_000;
  const make = (store: ParquetStore) =>
    new HistorySync({
      source: new CcxtHistorySource(() => h.gateway.venueSession()),
      store,
      clock: { nowMs: HL_NOW },
      settings: { ...FAST, fundingLookbackMs: 70 * 86_400_000 },
      sleep: async () => undefined,
    });

  it('stores 1,038 real payments across pages with the cadence read from the venue (8h, then 1h) and the 24h rate; says the trade gap stays', async () => {
    const store = await ParquetStore.open({ dataDir });
    const report = await make(store).syncAll(['HYPERLIQUID:BTC/USDC:USDC'], { reason: 'start' });
    const byKind = Object.fromEntries(report.tasks.map((t) => [t.kind, t]));
    expect(byKind['trades']).toMatchObject({ written: 0, complete: false, error: null });
    expect(byKind['trades']!.note).toMatch(/serves no past trades and its klines lack Kestrel's bar fields; the gap stays/);
    expect(byKind['funding']).toMatchObject({ written: funding.length, complete: true });
    expect(byKind['premiumIndex']).toBeUndefined();
    const rates = await store.readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC' });
    expect(rates.map((r) => [r.fundingTime, r.rate, r.premium])).toEqual(funding.map((f) => [f.time, Number(f.fundingRate), Number(f.premium)]));
    expect(rates[0]!.intervalHours).toBe(8);
    expect(rates.at(-1)!.intervalHours).toBe(1);
    for (const r of rates) expect(r.rate24h).toBeCloseTo((r.rate * 24) / r.intervalHours, 15);
  });

  it('from a partly filled store writes only the new payments, with their hourly cadence read from the stored neighbours', async () => {
    const reference = await ParquetStore.open({ dataDir: path.join(dataDir, 'reference') });
    await make(reference).syncAll(['HYPERLIQUID:BTC/USDC:USDC'], { reason: 'start', kinds: ['funding'] });
    const all = await reference.readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC' });
    expect(all).toHaveLength(funding.length);
    const store = await ParquetStore.open({ dataDir: path.join(dataDir, 'partial') });
    await store.writeFunding(all.slice(0, -5));
    const report = await make(store).syncAll(['HYPERLIQUID:BTC/USDC:USDC'], { reason: 'poll' });
    expect(report.tasks).toHaveLength(1);
    expect(report.tasks[0]).toMatchObject({ kind: 'funding', written: 5, complete: true });
    const rates = await store.readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC' });
    expect(rates.slice(-5).map((r) => [r.fundingTime, r.intervalHours])).toEqual(funding.slice(-5).map((f) => [f.time, 1]));
    expect(await rawRows(store.root, 'funding', 'funding_time')).toEqual({ rows: funding.length, duplicates: 0 });
  });
});
