import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CcxtVenue } from '../../../main/adapters/ccxt/ccxt-venue.js';
import { parseCcxtGatewayConfig } from '../../../main/adapters/ccxt/config.js';
import { listApiUrls } from '../../../main/adapters/ccxt/url-overrides.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest } from '../../fakes/exchange/recordings.js';
import { startHarness, type Harness } from './gateway-harness.js';

/** Seed 004's per-account contract settings at connect, and the testnet switch. */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const CREDS = { apiKey: 'settings-key-0001', secret: 'settings-secret-0001' };

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('contract settings at connect', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('Binance USDⓈ-M: position mode, margin mode and leverage are sent for each configured symbol', async () => {
    h = await startHarness(
      'binanceusdm',
      { contractSettings: { marginMode: 'cross', positionMode: 'one_way', leverage: 20, symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'] } },
      { credentials: CREDS },
      (s) => void new BinanceSim(s, USDM, 'usdm'),
    );
    await h.gateway.connect();
    const params = (path: string) => h.server.requestsTo(path, 'POST').map((r) => ({ ...Object.fromEntries(r.query), ...form(r.body) }));
    expect(params('/fapi/v1/positionSide/dual')).toEqual([expect.objectContaining({ dualSidePosition: 'false' })]);
    expect(params('/fapi/v1/marginType').map((p) => [p['symbol'], p['marginType']])).toEqual([
      ['BTCUSDT', 'CROSSED'],
      ['ETHUSDT', 'CROSSED'],
    ]);
    expect(params('/fapi/v1/leverage').map((p) => [p['symbol'], p['leverage']])).toEqual([
      ['BTCUSDT', '20'],
      ['ETHUSDT', '20'],
    ]);
    expect(h.gateway.contractSettingsNotes()).toEqual([]);
    expect(h.gateway.status().lastError).toBeNull();
  });

  it('"No need to change margin type" (-4046) counts as already set; a real refusal is reported', async () => {
    h = await startHarness(
      'binanceusdm',
      { contractSettings: { marginMode: 'isolated', leverage: 10, symbols: ['BTC/USDT:USDT'] } },
      { credentials: CREDS },
      (s) => {
        void new BinanceSim(s, USDM, 'usdm');
        s.failNext('POST', /\/fapi\/v1\/marginType$/, { status: 400, body: { code: -4046, msg: 'No need to change margin type.' } });
        s.failNext('POST', /\/fapi\/v1\/leverage$/, { status: 400, body: { code: -4028, msg: 'Leverage 10 is not valid' } });
      },
    );
    await h.gateway.connect();
    const notes = h.gateway.contractSettingsNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/set leverage 10 on BTC\/USDT:USDT failed: .*Leverage 10 is not valid/);
    expect(h.gateway.status().lastError).toBe(notes[0]);
    expect(h.gateway.status().state).toBe('connected');
  });

  it('settings a venue does not have are named, not silently skipped (Binance spot)', async () => {
    h = await startHarness('binance', { contractSettings: { positionMode: 'hedge', leverage: 3, symbols: ['BTC/USDT'] } }, { credentials: CREDS });
    await h.gateway.connect();
    expect(h.gateway.contractSettingsNotes()).toEqual([
      'binance has no position mode setting; hedge not applied',
      'binance has no leverage setting; 3x not applied to BTC/USDT',
    ]);
    expect(h.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('without credentials nothing is sent and the reason is given', async () => {
    h = await startHarness('binanceusdm', { contractSettings: { leverage: 3, symbols: ['BTC/USDT:USDT'] } }, {}, (s) => void new BinanceSim(s, USDM, 'usdm'));
    await h.gateway.connect();
    expect(h.gateway.contractSettingsNotes()[0]).toMatch(/need API credentials for account test1/);
    expect(h.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('testnet switch', () => {
  it("mode testnet uses ccxt's sandbox hosts; REST/WS overrides then replace their origins, keeping testnet paths", async () => {
    const plain = await CcxtVenue.open(parseCcxtGatewayConfig({ venue: 'binanceusdm', mode: 'testnet' }));
    const fapi = (plain.ex.urls['api'] as Record<string, unknown>)['fapiPublic'] as string;
    expect(fapi).toBe('https://testnet.binancefuture.com/fapi/v1');
    await plain.close();

    const overridden = await CcxtVenue.open(parseCcxtGatewayConfig({ venue: 'binanceusdm', mode: 'testnet', restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' }));
    const urls = listApiUrls(overridden.ex.urls['api']);
    expect(urls.every((u) => u.startsWith('http://127.0.0.1:9/') || u.startsWith('ws://127.0.0.1:9/'))).toBe(true);
    expect((overridden.ex.urls['api'] as Record<string, unknown>)['fapiPublic']).toBe('http://127.0.0.1:9/fapi/v1');
    await overridden.close();
  });
});
