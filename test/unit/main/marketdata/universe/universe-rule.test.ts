import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectUniverse, UniverseRuleConfig, type UniverseCandidate } from '../../../../../main/marketdata/universe/universe-rule.js';

const NOW = Date.UTC(2025, 0, 10, 15, 55);
const DAY = 86_400_000;

function c(symbol: string, quoteVolume24h: number | null, listedDaysAgo: number | null, over: Partial<UniverseCandidate> = {}): UniverseCandidate {
  const quote = symbol.split('/')[1]!.split(':')[0]!;
  return {
    instrumentId: `BINANCEUSDM:${symbol}`,
    symbol,
    quote,
    quoteVolume24h,
    listedAtMs: listedDaysAgo === null ? null : NOW - listedDaysAgo * DAY,
    active: true,
    ...over,
  };
}

describe('UniverseRuleConfig', () => {
  it('fills seed 004 defaults and refuses unknown keys and bad zones', () => {
    const rule = UniverseRuleConfig.parse({});
    expect(rule).toEqual({
      topN: 50,
      minListingAgeDays: 30,
      excludeSymbols: [],
      quoteCurrencies: ['USDT'],
      minQuoteVolume24h: 0,
      refresh: { time: '23:55', timeZone: 'Asia/Shanghai' },
    });
    expect(UniverseRuleConfig.safeParse({ top: 5 }).success).toBe(false);
    const badZone = UniverseRuleConfig.safeParse({ refresh: { timeZone: 'Mars/Olympus' } });
    expect(badZone.success).toBe(false);
    expect(JSON.stringify(badZone.error?.issues)).toMatch(/IANA time zone/);
    expect(UniverseRuleConfig.safeParse({ refresh: { time: '24:00' } }).success).toBe(false);
  });
});

describe('selectUniverse', () => {
  const candidates = [
    c('BTC/USDT:USDT', 12_000_000_000, 2_000),
    c('ETH/USDT:USDT', 6_000_000_000, 2_000),
    c('SOL/USDT:USDT', 2_000_000_000, 1_500),
    c('NEW/USDT:USDT', 9_000_000_000, 3), // hot new listing
    c('BTC/USDC:USDC', 1_000_000_000, 700), // other quote
    c('LUNA/USDT:USDT', 5_000_000_000, 1_000), // excluded by name
    c('DEAD/USDT:USDT', 8_000_000_000, 900, { active: false }),
    c('NOVOL/USDT:USDT', null, 900),
    c('ANON/USDT:USDT', 4_000_000_000, null), // listing date unknown
    c('DOGE/USDT:USDT', 3_000_000_000, 1_800),
  ];

  it('filters, orders by 24h quote volume and keeps the top N, explaining every exclusion', () => {
    const rule = UniverseRuleConfig.parse({ topN: 3, minListingAgeDays: 30, excludeSymbols: ['luna/usdt:usdt'], quoteCurrencies: ['USDT'] });
    const { members, excluded } = selectUniverse(candidates, rule, NOW);
    expect(members.map((m) => [m.rank, m.symbol])).toEqual([
      [1, 'BTC/USDT:USDT'],
      [2, 'ETH/USDT:USDT'],
      [3, 'DOGE/USDT:USDT'],
    ]);
    expect(Object.fromEntries(excluded.map((e) => [e.instrumentId.split(':')[1], e.reason]))).toEqual({
      'NEW/USDT': 'listed 3.0 days ago, under minListingAgeDays 30',
      'BTC/USDC': 'quote currency USDC is not one of USDT',
      'LUNA/USDT': 'in excludeSymbols',
      'DEAD/USDT': 'not active at the venue',
      'NOVOL/USDT': 'no 24h quote volume',
      'ANON/USDT': 'listing date unknown, so minListingAgeDays cannot be checked',
      'SOL/USDT': 'not in the top 3 by 24h quote volume',
    });
  });

  it('lets new and undated listings in when minListingAgeDays is 0, and any quote when the list is empty', () => {
    const rule = UniverseRuleConfig.parse({ topN: 4, minListingAgeDays: 0, quoteCurrencies: [], minQuoteVolume24h: 2_500_000_000 });
    const { members } = selectUniverse(candidates, rule, NOW);
    expect(members.map((m) => m.symbol)).toEqual(['BTC/USDT:USDT', 'NEW/USDT:USDT', 'ETH/USDT:USDT', 'LUNA/USDT:USDT']);
  });

  it('excludes by instrument id too, and refuses a candidate listed twice', () => {
    const rule = UniverseRuleConfig.parse({ topN: 1, minListingAgeDays: 0, excludeSymbols: ['BINANCEUSDM:BTC/USDT:USDT'] });
    expect(selectUniverse(candidates, rule, NOW).members.map((m) => m.symbol)).toEqual(['NEW/USDT:USDT']);
    expect(() => selectUniverse([candidates[0]!, candidates[0]!], rule, NOW)).toThrow(/listed twice/);
  });

  it('gives the same universe whatever order the venue lists candidates in (ties by instrument id)', () => {
    const rule = UniverseRuleConfig.parse({ topN: 7, minListingAgeDays: 0, quoteCurrencies: [] });
    const tied = [...candidates, c('AAA/USDT:USDT', 3_000_000_000, 100), c('ZZZ/USDT:USDT', 3_000_000_000, 100)];
    const expected = selectUniverse(tied, rule, NOW).members;
    fc.assert(
      fc.property(fc.shuffledSubarray(tied, { minLength: tied.length, maxLength: tied.length }), (shuffled) => {
        expect(selectUniverse(shuffled, rule, NOW).members).toEqual(expected);
      }),
    );
    // BTC, NEW, ETH, LUNA, ANON, then three tied at 3e9 of which two fit: AAA and DOGE, not ZZZ.
    expect(expected.map((m) => m.symbol).slice(5)).toEqual(['AAA/USDT:USDT', 'DOGE/USDT:USDT']);
  });
});
