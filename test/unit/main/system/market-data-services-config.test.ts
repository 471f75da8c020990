import { describe, expect, it } from 'vitest';
import { historySyncSettings, MarketDataServicesConfig, parseMarketDataServicesConfig } from '../../../../main/system/market-data-services-config.js';

describe('market-data services config', () => {
  it('defaults: 1-day trade fill on start and after reconnects, funding and 5m premium index hourly over 30 days, universe off at 23:55 Shanghai', () => {
    const c = parseMarketDataServicesConfig({});
    expect(c.history).toMatchObject({ onStart: true, afterReconnect: true, lookbackHours: 24, kinds: ['trades'], barInterval: '1m', maxAttempts: 5 });
    expect(c.funding).toEqual({ enabled: true, pollMinutes: 60, lookbackDays: 30, premiumIndex: true, premiumIndexInterval: '5m' });
    expect(c.universe).toMatchObject({ enabled: false, marketTypes: ['swap'], refresh: { time: '23:55', timeZone: 'Asia/Shanghai' }, refreshIfStale: true });
    expect(c.universe.rule).toEqual({ topN: 50, minListingAgeDays: 30, excludeSymbols: [], quoteCurrencies: ['USDT'], minQuoteVolume24h: 0 });
    expect(historySyncSettings(c)).toMatchObject({ kinds: ['trades', 'funding', 'premiumIndex'], lookbackMs: 86_400_000, fundingLookbackMs: 30 * 86_400_000 });
  });

  it('funding off takes funding and premium index out of the fill', () => {
    const c = parseMarketDataServicesConfig({ history: { kinds: ['trades', 'bars'] }, funding: { enabled: false } });
    expect(historySyncSettings(c).kinds).toEqual(['trades', 'bars']);
  });

  it('names what is wrong', () => {
    expect(() => parseMarketDataServicesConfig({ universe: { enabled: true } })).toThrow(/universe\.venue is required when the universe is enabled/);
    expect(() => parseMarketDataServicesConfig({ history: { kinds: ['funding'] } })).toThrow(/history\.kinds are trades and bars \(funding has its own section\)/);
    expect(() => parseMarketDataServicesConfig({ universe: { refresh: { time: '24:00' } } })).toThrow(/time must be HH:MM on a 24h clock/);
    expect(() => parseMarketDataServicesConfig({ universe: { refresh: { timeZone: 'Beijing' } } })).toThrow(/timeZone must be an IANA time zone/);
    expect(() => parseMarketDataServicesConfig({ history: { lookbackHours: 0 } })).toThrow(/lookbackHours must be above 0/);
    expect(() => parseMarketDataServicesConfig({ funding: { poll: 5 } })).toThrow(/unknown key "funding\.poll"/);
    expect(MarketDataServicesConfig.safeParse({ universe: { enabled: true, venue: 'binanceusdm', rule: { topN: 20 } } }).success).toBe(true);
  });
});
