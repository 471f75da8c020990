import { describe, expect, it } from 'vitest';
import { listApiUrls, rewriteApiUrls } from '../../../../../main/adapters/ccxt/url-overrides.js';
import { binanceQuirks } from '../../../../../main/adapters/ccxt/venues/binance.js';

describe('rewriteApiUrls', () => {
  it('swaps REST and websocket origins separately and keeps every path', () => {
    const api = {
      fapiPublic: 'https://fapi.binance.com/fapi/v1',
      rest: 'https://{hostname}',
      nested: { spot: 'https://api.{hostname}', ws: { public: 'wss://stream.bybit.com/v5/public/linear' } },
      notAUrl: 'spot',
    };
    const n = rewriteApiUrls(api, 'http://127.0.0.1:8000/', 'ws://127.0.0.1:8001');
    expect(n).toBe(4);
    expect(api).toEqual({
      fapiPublic: 'http://127.0.0.1:8000/fapi/v1',
      rest: 'http://127.0.0.1:8000',
      nested: { spot: 'http://127.0.0.1:8000', ws: { public: 'ws://127.0.0.1:8001/v5/public/linear' } },
      notAUrl: 'spot',
    });
  });

  it('leaves websocket URLs alone when only restUrl is given', () => {
    const api = { rest: 'https://www.okx.com/api', ws: 'wss://ws.okx.com:8443/ws/v5' };
    rewriteApiUrls(api, 'http://127.0.0.1:1', undefined);
    expect(api).toEqual({ rest: 'http://127.0.0.1:1/api', ws: 'wss://ws.okx.com:8443/ws/v5' });
  });

  it('keeps "/stream" in Binance spot socket paths (ccxt tells spot sockets by it)', () => {
    const api = { ws: { spot: 'wss://stream.binance.com:9443/ws', future: 'wss://fstream.binance.com/ws', testnet: 'wss://stream.testnet.binance.vision/ws' } };
    rewriteApiUrls(api, undefined, 'ws://127.0.0.1:7000', binanceQuirks.rewriteUrl);
    expect(api.ws).toEqual({ spot: 'ws://127.0.0.1:7000/stream/ws', future: 'ws://127.0.0.1:7000/ws', testnet: 'ws://127.0.0.1:7000/stream/ws' });
    expect(listApiUrls(api)).toHaveLength(3);
  });
});
