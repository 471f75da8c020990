import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialsFromEnv } from '../../../main/adapters/ccxt/config.js';
import type { CcxtGateway } from '../../../main/adapters/ccxt/gateway.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest } from '../../fakes/exchange/recordings.js';
import { startHarness, waitFor, type Harness } from './gateway-harness.js';

/**
 * Credentials never leave the adapter: not in logs, not in status, not in error messages — even
 * when the venue (or a proxy in front of it) echoes them back in an error body.
 */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const ENV = { KESTREL_LIVE1_API_KEY: 'kLIVEkeyA1b2C3d4E5f6G7h8', KESTREL_LIVE1_API_SECRET: 'sLIVEsecretZ9y8X7w6V5u4T3' };
const KEY = ENV.KESTREL_LIVE1_API_KEY;
const SECRET = ENV.KESTREL_LIVE1_API_SECRET;
const ID = 'BINANCEUSDM:BTC/USDT:USDT';

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

/** Drives a session through the paths that produce text: connect, settings, streams, errors, heartbeat failure. */
async function exercise(h: Harness, gateway: CcxtGateway): Promise<string[]> {
  const texts: string[] = [];
  const echo = { code: -2015, msg: `Invalid API-key, IP, or permissions for action. key=${KEY} secret=${SECRET} ${encodeURIComponent(SECRET)}` };
  await gateway.connect();
  await gateway.subscribeTrades([ID]);
  h.server.failNext('POST', /\/fapi\/v1\/order$/, { status: 401, body: echo });
  texts.push(String(await gateway.submitOrder('cid-secret-1', { instrumentId: ID, side: 'buy', type: 'limit', quantity: 0.01, price: 60_000 }).catch((e: Error) => e.message)));
  h.server.failNext('GET', /\/fapi\/v1\/openOrders$/, { status: 400, body: echo });
  texts.push(String(await gateway.fetchOpenOrders().catch((e: Error) => e.message)));
  h.server.failNext('GET', /\/fapi\/v1\/time$/, { status: 500, body: echo }, 5);
  await waitFor(() => gateway.status().state === 'error', 5000, 'the heartbeat to fail');
  h.server.sendRaw(`{"garbage":"${SECRET}`);
  await waitFor(() => /unreadable/.test(gateway.status().lastError ?? ''), 5000, 'the bad frame');
  texts.push(JSON.stringify(gateway.status()), JSON.stringify(gateway.config), gateway.contractSettingsNotes().join('\n'));
  return texts;
}

describe('credentials stay secret', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('reads KESTREL_<ACCOUNT>_API_KEY/_API_SECRET and never shows them in logs, status or errors', async () => {
    const credentials = credentialsFromEnv('live1', ENV);
    expect(credentials).toEqual({ apiKey: KEY, secret: SECRET });
    h = await startHarness(
      'binanceusdm',
      { accountId: 'live1', heartbeatMs: 100, timeoutMs: 500, contractSettings: { marginMode: 'cross', positionMode: 'one_way', leverage: 5, symbols: ['BTC/USDT:USDT'] } },
      { credentials, privateStreams: true, statusIntervalMs: 50 },
      (s) => void new BinanceSim(s, USDM, 'usdm'),
    );
    const texts = await exercise(h, h.gateway);
    texts.push(...h.rec.logs.map((l) => l.message), ...h.rec.statuses.map((s) => JSON.stringify(s)));

    // The venue really did send the key and secret back, so redaction had work to do.
    expect(h.server.requests.some((r) => r.headers['x-mbx-apikey'] === KEY)).toBe(true);
    expect(texts.some((t) => t.includes('***'))).toBe(true);
    expect(texts.length).toBeGreaterThan(10);
    for (const t of texts) {
      expect(t).not.toContain(KEY);
      expect(t).not.toContain(SECRET);
      expect(t).not.toContain(encodeURIComponent(SECRET));
    }
  });

  it('the default log (stderr) is redacted too', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      h = await startHarness('binanceusdm', { accountId: 'live1', heartbeatMs: 100, timeoutMs: 500 }, { credentials: credentialsFromEnv('live1', ENV), log: undefined }, (s) => void new BinanceSim(s, USDM, 'usdm'));
      await exercise(h, h.gateway);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('').length).toBeGreaterThan(0);
    expect(written.join('')).not.toContain(KEY);
    expect(written.join('')).not.toContain(SECRET);
  });

  it('refuses a half-set pair and says which variable is missing', () => {
    expect(() => credentialsFromEnv('live1', { KESTREL_LIVE1_API_KEY: 'x' })).toThrow(/KESTREL_LIVE1_API_SECRET is missing/);
    expect(credentialsFromEnv('live1', {})).toBeNull();
  });
});
