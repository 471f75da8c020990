import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  inferFundingIntervals,
  normaliseFundingHistory,
  parseHyperliquidFundingHistory,
  parseLeanFundingCsv,
  toRate24h,
} from '../../../../main/marketdata/funding.js';
import { ParquetStore } from '../../../../main/storage/parquet/parquet-store.js';
import { fixture } from '../../../support/paths.js';

const H = 3_600_000;

/** The response body of the cassette's fundingHistory request (the cassette also holds a `meta` call). */
function hyperliquidFundingBody(cassette: string): unknown {
  const doc = YAML.parse(readFileSync(fixture('hyperliquid', 'sdk-cassettes', cassette), 'utf8')) as {
    interactions: Array<{ request: { body: string }; response: { body: { string: string } } }>;
  };
  const hit = doc.interactions.find((i) => JSON.parse(i.request.body).type === 'fundingHistory');
  if (!hit) throw new Error(`${cassette} has no fundingHistory interaction`);
  return JSON.parse(hit.response.body.string);
}

describe('toRate24h', () => {
  it('scales an hourly and an 8-hourly rate to the same day', () => {
    expect(toRate24h(0.0000125, 1)).toBeCloseTo(0.0003, 12);
    expect(toRate24h(0.0001, 8)).toBeCloseTo(0.0003, 12);
  });
});

describe('inferFundingIntervals', () => {
  it('reads a steady cadence, including the first and last row', () => {
    expect(inferFundingIntervals([0, 8 * H, 16 * H, 24 * H], 1)).toEqual([8, 8, 8, 8]);
    expect(inferFundingIntervals([0, H, 2 * H], 8)).toEqual([1, 1, 1]);
  });

  it('keeps the cadence across a missing payment and after a hole of days', () => {
    expect(inferFundingIntervals([0, H, 3 * H, 4 * H], 8)).toEqual([1, 1, 1, 1]);
    expect(inferFundingIntervals([0, 8 * H, 24 * H, 32 * H], 1)).toEqual([8, 8, 8, 8]);
    expect(inferFundingIntervals([0, 8 * H, 16 * H, 700 * 24 * H, 700 * 24 * H + 8 * H], 1)).toEqual([8, 8, 8, 8, 8]);
  });

  it('follows a confirmed switch from its first row, in both directions', () => {
    expect(inferFundingIntervals([0, 8 * H, 9 * H, 10 * H], 8)).toEqual([8, 8, 1, 1]);
    expect(inferFundingIntervals([0, H, 2 * H, 10 * H, 18 * H], 1)).toEqual([1, 1, 1, 8, 8]);
  });

  it('does not trust an unconfirmed odd gap before the last row, and uses the default when alone', () => {
    expect(inferFundingIntervals([0, H, 2 * H, 4 * H], 8)).toEqual([1, 1, 1, 1]);
    expect(inferFundingIntervals([5 * H], 8)).toEqual([8]);
    expect(inferFundingIntervals([], 8)).toEqual([]);
  });

  it('tolerates a payment a few minutes off schedule', () => {
    expect(inferFundingIntervals([0, 8.4 * H, 16 * H, 24 * H], 1)).toEqual([8, 8, 8, 8]);
  });
});

describe('normaliseFundingHistory', () => {
  it('sorts, keeps the last report of a repeated time, and prefers a cadence the venue gave', () => {
    const rates = normaliseFundingHistory(
      'BINANCEUSDM:BTC/USDT:USDT',
      [
        { fundingTime: 8 * H, rate: 0.0002 },
        { fundingTime: 0, rate: 0.0001 },
        { fundingTime: 8 * H, rate: 0.0003, markPrice: 61_000 },
        { fundingTime: 12 * H, rate: 0.0004, intervalHours: 4 },
      ],
      { defaultIntervalHours: 8 },
    );
    expect(rates.map((r) => [r.fundingTime, r.rate, r.intervalHours])).toEqual([
      [0, 0.0001, 8],
      [8 * H, 0.0003, 8],
      [12 * H, 0.0004, 4],
    ]);
    expect(rates[1]!.markPrice).toBe(61_000);
    expect(rates[2]!.rate24h).toBeCloseTo(0.0024, 12);
  });

  it('names a bad row', () => {
    expect(() => normaliseFundingHistory('X:Y', [{ fundingTime: 1.5, rate: 0 }], { defaultIntervalHours: 8 })).toThrow(/not an epoch-ms integer/);
    expect(() => normaliseFundingHistory('X:Y', [{ fundingTime: 1, rate: Number.NaN }], { defaultIntervalHours: 8 })).toThrow(/not a finite number/);
  });
});

describe('Hyperliquid fundingHistory (real SDK cassettes)', () => {
  const instrumentId = 'HYPERLIQUID:BTC/USDC:USDC';

  it('reads the 8-hourly era and the hourly era of 1,038 real payments', () => {
    const rates = parseHyperliquidFundingHistory(hyperliquidFundingBody('test_get_funding_history[None].yaml'), instrumentId);
    expect(rates).toHaveLength(1_038);
    // Hyperliquid paid every 8h until 2023-06-08 00:00 UTC (82 payments here), hourly from 01:00.
    expect(rates.filter((r) => r.intervalHours === 8)).toHaveLength(82);
    expect(rates.filter((r) => r.intervalHours === 1)).toHaveLength(956);
    const first = rates[0]!;
    expect(first).toEqual({ instrumentId, rate: -0.00061334, intervalHours: 8, rate24h: first.rate * 3, fundingTime: 1_683_849_600_048, premium: -0.00091334 });
    expect(first.rate24h).toBeCloseTo(-0.00184002, 12);
    const lastEightHourly = rates.find((r) => r.fundingTime === 1_686_182_400_254)!;
    const firstHourly = rates.find((r) => r.fundingTime === 1_686_186_000_054)!;
    expect([lastEightHourly.intervalHours, lastEightHourly.rate]).toEqual([8, 0.0001]);
    expect([firstHourly.intervalHours, firstHourly.rate]).toEqual([1, 0.0000125]);
    // The same 0.01 %/8h interest rate, normalised, is one daily rate in both eras.
    expect(firstHourly.rate24h).toBeCloseTo(lastEightHourly.rate24h, 12);
    // A real missing hour (2023-07-02 21:00 → 23:00) does not halve the rate after it.
    const afterGap = rates.find((r) => r.fundingTime === 1_688_331_600_180)!;
    expect(afterGap.intervalHours).toBe(1);
    expect(afterGap.rate24h).toBeCloseTo(0.00004734 * 24, 12);
  });

  it('reads the bounded request (startTime..endTime) of the other cassette', () => {
    const rates = parseHyperliquidFundingHistory(hyperliquidFundingBody('test_get_funding_history[1684811870000].yaml'), instrumentId);
    expect(rates).toHaveLength(34);
    expect(rates.every((r) => r.intervalHours === 8)).toBe(true);
    expect(rates.at(-1)!.fundingTime).toBe(1_684_800_000_022);
  });

  it('refuses a body that is not a fundingHistory array, naming the field', () => {
    expect(() => parseHyperliquidFundingHistory([{ coin: 'BTC', fundingRate: 'abc', premium: '0', time: 1 }], instrumentId)).toThrow(
      /0\.fundingRate: must be a decimal number/,
    );
    expect(() =>
      parseHyperliquidFundingHistory(
        [
          { coin: 'BTC', fundingRate: '0', premium: '0', time: 1 },
          { coin: 'ETH', fundingRate: '0', premium: '0', time: 2 },
        ],
        instrumentId,
      ),
    ).toThrow(/mixes coins/);
  });

  it('stores the normalised history in Parquet and reads it back unchanged', async () => {
    const rates = parseHyperliquidFundingHistory(hyperliquidFundingBody('test_get_funding_history[None].yaml'), instrumentId);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-funding-'));
    try {
      const store = await ParquetStore.open({ dataDir });
      await store.writeFunding(rates);
      expect(await store.readFunding({ instrumentId })).toEqual(rates);
      const july = await store.readFunding({ instrumentId, from: Date.UTC(2023, 6, 1), to: Date.UTC(2023, 6, 2) });
      expect(july).toHaveLength(24);
      expect((await store.listDates('funding', 'HYPERLIQUID', 'BTC/USDC:USDC'))[0]).toBe('2023-05-12');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('LEAN margin_interest funding CSVs (real Binance and Bybit rates)', () => {
  const lean = (...p: string[]) => readFileSync(fixture('lean-binance', 'cryptofuture', ...p), 'utf8');

  it('parses Binance BTCUSD coin-M: 12 payments at 00/08/16 UTC, across a two-year hole', () => {
    const rates = parseLeanFundingCsv(lean('binance', 'margin_interest', 'btcusd.csv'), 'BINANCECOINM:BTC/USD:BTC');
    expect(rates).toHaveLength(12);
    expect(rates.every((r) => r.intervalHours === 8)).toBe(true);
    expect(rates[0]).toEqual({ instrumentId: 'BINANCECOINM:BTC/USD:BTC', rate: 0.0002003, intervalHours: 8, rate24h: rates[0]!.rate * 3, fundingTime: Date.UTC(2020, 11, 29, 0) });
    expect(rates[0]!.rate24h).toBeCloseTo(0.0006009, 12);
    expect(rates.at(-1)).toMatchObject({ rate: -0.00002983, fundingTime: Date.UTC(2022, 11, 13, 16) });
  });

  it('parses a one-row file with the 8h default and Bybit’s three payments', () => {
    const ada = parseLeanFundingCsv(lean('binance', 'margin_interest', 'adausdt.csv'), 'BINANCEUSDM:ADA/USDT:USDT');
    expect(ada).toEqual([{ instrumentId: 'BINANCEUSDM:ADA/USDT:USDT', rate: 0.0001, intervalHours: 8, rate24h: 0.00030000000000000003, fundingTime: Date.UTC(2022, 11, 13) }]);
    const bybit = parseLeanFundingCsv(lean('bybit', 'margin_interest', 'btcusdt.csv'), 'BYBIT:BTC/USDT:USDT');
    expect(bybit.map((r) => r.rate)).toEqual([-0.0002016, -0.00022398, -0.00038555]);
    expect(bybit.map((r) => r.intervalHours)).toEqual([8, 8, 8]);
  });

  it('names the line of a malformed row or an impossible date', () => {
    expect(() => parseLeanFundingCsv('20221213 00:00:00,0.0001\n20221213 08:00,0.0001\n', 'X:Y')).toThrow(/line 2: expected "YYYYMMDD HH:mm:ss,rate"/);
    expect(() => parseLeanFundingCsv('20220231 00:00:00,0.0001', 'X:Y')).toThrow(/line 1: .* not a real date/);
  });
});
