import { describe, expect, it } from 'vitest';
import { credentialEnvPrefix, credentialsFromEnv, parseCcxtGatewayConfig } from '../../../../../main/adapters/ccxt/config.js';

describe('ccxt gateway config', () => {
  it('fills defaults for a minimal config', () => {
    const c = parseCcxtGatewayConfig({ venue: 'okx' });
    expect(c).toMatchObject({ venue: 'okx', accountId: 'default', mode: 'live', timeoutMs: 10_000, heartbeatMs: 15_000, tradeStream: 'trade' });
    expect(c.reconnect).toEqual({ initialDelayMs: 250, maxDelayMs: 20_000 });
    expect(c.backfill).toEqual({ enabled: true, quietDelayMs: 2_000, maxAttempts: 5, rememberIds: 100_000 });
  });

  it('names what is wrong', () => {
    expect(() => parseCcxtGatewayConfig({ venue: 'kraken' })).toThrow(/venue must be one of binance, binanceusdm, okx, bybit, gate, hyperliquid/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', restUrl: 'ws://x' })).toThrow(/restUrl must be an http/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', wsUrl: 'http://x' })).toThrow(/wsUrl must be a ws/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', mode: 'paper' })).toThrow(/paper accounts use the paper venue/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', accountId: 'a-b' })).toThrow(/accountId may hold only letters, digits and _/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', contractSettings: { leverage: 200 } })).toThrow(/leverage must be at most 125/);
    expect(() => parseCcxtGatewayConfig({ venue: 'okx', apiKey: 'x' })).toThrow(/apiKey/);
  });

  it('has no place for credentials: they are passed separately', () => {
    const shape = Object.keys(parseCcxtGatewayConfig({ venue: 'bybit' }));
    expect(shape.some((k) => /key|secret|password/i.test(k))).toBe(false);
  });
});

describe('credentials from the environment', () => {
  it('follows KESTREL_<ACCOUNT>_API_KEY / _API_SECRET (and _API_PASSWORD for OKX)', () => {
    expect(credentialEnvPrefix('main_okx')).toBe('KESTREL_MAIN_OKX_');
    expect(credentialsFromEnv('main_okx', { KESTREL_MAIN_OKX_API_KEY: 'k', KESTREL_MAIN_OKX_API_SECRET: 's', KESTREL_MAIN_OKX_API_PASSWORD: 'p' })).toEqual({
      apiKey: 'k',
      secret: 's',
      password: 'p',
    });
    expect(credentialsFromEnv('acct', { KESTREL_ACCT_API_KEY: 'k', KESTREL_ACCT_API_SECRET: 's' })).toEqual({ apiKey: 'k', secret: 's' });
  });

  it('returns null when unset and refuses half a pair', () => {
    expect(credentialsFromEnv('acct', {})).toBeNull();
    expect(() => credentialsFromEnv('acct', { KESTREL_ACCT_API_SECRET: 's' })).toThrow('KESTREL_ACCT_API_SECRET is set but KESTREL_ACCT_API_KEY is missing');
  });
});
