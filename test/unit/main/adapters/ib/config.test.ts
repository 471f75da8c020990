import { describe, expect, it } from 'vitest';
import { IB_PAPER_PORT, parseIbGatewayConfig } from '../../../../../main/adapters/ib/config.js';

describe('IbGatewayConfig', () => {
  it('defaults to paper TWS on this machine, seed 002’s 20 s retry, IB’s message budget', () => {
    const c = parseIbGatewayConfig({});
    expect(IB_PAPER_PORT).toBe(7497);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 7497, clientId: 0, gatewayId: 'ib', accountUpdates: true, marketDataType: 1 });
    expect(c.reconnect).toEqual({ enabled: true, initialDelayMs: 1_000, maxDelayMs: 20_000, factor: 2 });
    expect(c.maxMessagesPerSec).toBeLessThanOrEqual(50);
  });

  it.each([
    [{ port: 70000 }, /port/],
    [{ maxMessagesPerSec: 60 }, /maxMessagesPerSec/],
    [{ reconnect: { initialDelayMs: 5_000, maxDelayMs: 1_000 } }, /reconnect\.maxDelayMs: must not be below reconnect\.initialDelayMs/],
    [{ twsTimeZone: 'Mars/Base' }, /twsTimeZone: "Mars\/Base" is not an IANA time zone/],
    [{ clientID: 3 }, /clientID/],
  ])('refuses %j naming the key', (raw, message) => {
    expect(() => parseIbGatewayConfig(raw)).toThrow(message);
  });
});
