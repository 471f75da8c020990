import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchBarHistory,
  fetchFundingHistory,
  fetchPremiumIndexHistory,
  fetchTradeHistory,
  type HistoryProgress,
} from '../../../main/adapters/ccxt/history.js';
import { CcxtVenue } from '../../../main/adapters/ccxt/ccxt-venue.js';
import { parseCcxtGatewayConfig } from '../../../main/adapters/ccxt/config.js';
import type { TradeTick } from '../../../shared/model/index.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installHyperliquidHistory } from '../../fakes/exchange/hyperliquid-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { startHarness, type Harness } from './gateway-harness.js';

/**
 * REST history through ccxt against the fake venues: pagination within the venue's limits,
 * progress callbacks, each row once, and funding normalised to 24h with the venue's cadence.
 */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const trades = USDM.filter((f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade').map(
  (f) => f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean },
);

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

describe('Binance USDⓈ-M history', () => {
  let h: Harness;
  let venue: CcxtVenue;
  beforeAll(async () => {
    h = await startHarness('binanceusdm', {}, {}, (s) => new BinanceSim(s, USDM, 'usdm').revealAll());
    await h.gateway.connect();
    venue = h.gateway.venueSession();
  });
  afterAll(async () => h?.close());

  it('fetchTradeHistory pages aggTrades by 1h windows and 1000-row pages: every trade once, oldest first, with progress', async () => {
    const from = trades[0]!.T;
    const to = trades.at(-1)!.T;
    const progress: HistoryProgress[] = [];
    const result = await fetchTradeHistory(venue, 'BTC/USDT:USDT', from, to, (p) => progress.push(p));
    expect(result.complete).toBe(true);
    expect(result.items.map((t: TradeTick) => [t.tradeId, t.price, t.quantity, t.side, t.tsEvent])).toEqual(
      trades.map((t) => [String(t.t), Number(t.p), Number(t.q), t.m ? 'sell' : 'buy', t.T]),
    );
    const requests = h.server.requestsTo('/fapi/v1/aggTrades');
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil(trades.length / 1000));
    expect(requests.every((r) => Number(r.query.get('endTime')) - Number(r.query.get('startTime')) < 3_600_000)).toBe(true);
    expect(progress.length).toBe(result.pages);
    expect(progress.map((p) => p.fetched)).toEqual([...progress.map((p) => p.fetched)].sort((a, b) => a - b));
    expect(progress.at(-1)!.fraction).toBe(1);
  });

  it('fetchTradeHistory with onBatch hands over pages and keeps nothing', async () => {
    const from = trades[2000]!.T;
    const to = trades[4999]!.T;
    const batches: TradeTick[][] = [];
    const result = await fetchTradeHistory(venue, 'BINANCEUSDM:BTC/USDT:USDT', from, to, undefined, { onBatch: (b) => void batches.push(b) });
    expect(result.items).toEqual([]);
    const ids = batches.flat().map((t) => t.tradeId);
    const expected = trades.filter((t) => t.T >= from && t.T <= to).map((t) => String(t.t));
    expect(ids).toEqual(expected);
    expect(result.count).toBe(expected.length);
  });

  it('fetchBarHistory pages raw klines and keeps every seed-004 field Binance reports', async () => {
    const from = Math.floor(trades[0]!.T / 60_000) * 60_000;
    const to = trades.at(-1)!.T;
    const result = await fetchBarHistory(venue, 'BTC/USDT:USDT', '1m', from, to, undefined, { pageLimit: 2 });
    // Oracle: the recorded trades grouped by minute.
    const minutes = new Map<number, typeof trades>();
    for (const t of trades) {
      const m = Math.floor(t.T / 60_000) * 60_000;
      minutes.set(m, [...(minutes.get(m) ?? []), t]);
    }
    expect(result.items.map((b) => b.openTime)).toEqual([...minutes.keys()]);
    for (const bar of result.items) {
      const ts = minutes.get(bar.openTime)!;
      const volume = ts.reduce((a, t) => a + Number(t.q), 0);
      const buyVolume = ts.filter((t) => !t.m).reduce((a, t) => a + Number(t.q), 0);
      expect(bar.open).toBe(Number(ts[0]!.p));
      expect(bar.close).toBe(Number(ts.at(-1)!.p));
      expect(bar.tradeCount).toBe(ts.length);
      expect(bar.volume).toBeCloseTo(volume, 6);
      expect(bar.buyVolume! + bar.sellVolume!).toBeCloseTo(bar.volume, 9);
      expect(bar.buyVolume).toBeCloseTo(buyVolume, 6);
      expect(bar.vwap).toBeCloseTo(bar.quoteVolume! / bar.volume, 9);
      expect(bar.closeTime).toBe(bar.openTime + 59_999);
      expect(bar.timeLabel).toBe(Math.floor((bar.openTime % 86_400_000) / 60_000) + 1);
    }
    expect(h.server.requestsTo('/fapi/v1/klines').length).toBeGreaterThanOrEqual(Math.ceil(minutes.size / 2));
  });

  it('fetchPremiumIndexHistory asks for premium index klines, windowed by the page limit', async () => {
    // No premium index was recorded; these rows are built here only to prove the paging and the endpoint.
    const base = 1_723_161_000_000;
    const rows = Array.from({ length: 7 }, (_, i) => [base + i * 60_000, '0.0001', '0.0002', '0.00005', String(0.0001 + i * 1e-6), '0', base + i * 60_000 + 59_999, '0', 12, '0', '0', '0']);
    h.server.route('GET', '/fapi/v1/premiumIndexKlines', (req) => {
      const start = Number(req.query.get('startTime'));
      const end = Number(req.query.get('endTime') ?? Number.MAX_SAFE_INTEGER);
      return { body: rows.filter((r) => (r[0] as number) >= start && (r[0] as number) <= end).slice(0, Number(req.query.get('limit'))) };
    });
    const result = await fetchPremiumIndexHistory(venue, 'BTC/USDT:USDT', '1m', base, base + 7 * 60_000 - 1, undefined, { pageLimit: 3 });
    expect(result.items.map((b) => [b.openTime, b.close])).toEqual(rows.map((r) => [r[0], Number(r[4])]));
    expect(h.server.requestsTo('/fapi/v1/premiumIndexKlines').length).toBe(3);
  });

  it('refuses a backwards range and an unknown market in plain words', async () => {
    await expect(fetchTradeHistory(venue, 'BTC/USDT:USDT', 10, 5)).rejects.toThrow(/fromMs .* is after toMs/);
    await expect(fetchBarHistory(venue, 'NOPE/USDT:USDT', '1m', 0, 1)).rejects.toThrow(/lists no market NOPE\/USDT:USDT/);
  });
});

describe('Hyperliquid history', () => {
  let h: Harness;
  let recorded: ReturnType<typeof installHyperliquidHistory>;
  beforeAll(async () => {
    h = await startHarness('hyperliquid', {}, {}, (s) => {
      recorded = installHyperliquidHistory(s);
    });
    await h.gateway.connect();
  });
  afterAll(async () => h?.close());

  it('fetchFundingHistory: 1,038 real rows across pages of 500, cadence 8h then 1h read from the venue, premium kept', async () => {
    const rows = recorded.funding;
    const progress: HistoryProgress[] = [];
    const result = await fetchFundingHistory(h.gateway.venueSession(), 'BTC/USDC:USDC', rows[0]!.time, rows.at(-1)!.time, (p) => progress.push(p));
    expect(result.items.map((r) => [r.fundingTime, r.rate, r.premium])).toEqual(rows.map((r) => [r.time, Number(r.fundingRate), Number(r.premium)]));
    const early = result.items[0]!;
    const late = result.items.at(-1)!;
    expect(early.intervalHours).toBe(8);
    expect(late.intervalHours).toBe(1);
    expect(early.rate24h).toBeCloseTo(early.rate * 3, 15);
    expect(late.rate24h).toBeCloseTo(late.rate * 24, 15);
    expect(h.server.requestsTo('/info').filter((r) => (r.json as { type?: string }).type === 'fundingHistory').length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)!.fraction).toBe(1);
  });

  it('fetchBarHistory through ccxt OHLCV (real kPEPE 1h candles): fields the venue does not report stay null', async () => {
    const c = recorded.candles;
    const result = await fetchBarHistory(h.gateway.venueSession(), 'KPEPE/USDC:USDC', '1h', c[0]!.t, c.at(-1)!.t, undefined, { pageLimit: 10 });
    expect(result.items.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume])).toEqual(c.map((k) => [k.t, Number(k.o), Number(k.h), Number(k.l), Number(k.c), Number(k.v)]));
    expect(result.items.every((b) => b.quoteVolume === null && b.tradeCount === null && b.vwap === null)).toBe(true);
  });

  it('has no public trade history and no premium index klines, and says so', async () => {
    const r = await fetchTradeHistory(h.gateway.venueSession(), 'BTC/USDC:USDC', 0, 1);
    expect(r.complete).toBe(false);
    expect(r.note).toMatch(/no public trade history/);
    await expect(fetchPremiumIndexHistory(h.gateway.venueSession(), 'BTC/USDC:USDC', '1h', 0, 1)).rejects.toThrow(/no premium index klines \(its funding history carries the premium\)/);
  });
});

describe('venues without REST reach', () => {
  let venue: CcxtVenue | null = null;
  afterEach(async () => venue?.close());

  it('OKX has no premium index klines in ccxt; Binance spot has no funding', async () => {
    venue = await CcxtVenue.open(parseCcxtGatewayConfig({ venue: 'okx', restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' }));
    await expect(fetchPremiumIndexHistory(venue, 'BTC/USDT:USDT', '1h', 0, 1)).rejects.toThrow(/okx has no premium index klines/);
    await venue.close();
    venue = await CcxtVenue.open(parseCcxtGatewayConfig({ venue: 'binance', restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' }));
    await expect(fetchFundingHistory(venue, 'BTC/USDT', 0, 1)).rejects.toThrow(/binance has no funding rate history/);
  });
});
