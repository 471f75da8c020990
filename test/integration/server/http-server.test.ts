import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../main/server/http-server.js';
import { startKernel, tempDir, waitFor } from '../../support/kernel-harness.js';
import type { Kernel } from '../../../main/system/kernel.js';

const TOKEN = 'test-token-0123456789';
const BTC = 'SIM:BTC/USDT:USDT';

describe('kestrel serve: REST, WebSocket, auth', () => {
  let kernel: Kernel;
  let server: RunningServer;
  let base: string;
  const tmp = tempDir();

  beforeAll(async () => {
    kernel = await startKernel(tmp.dir);
    server = await startServer({ kernel, host: '127.0.0.1', port: 0, token: TOKEN, staticDir: null });
    base = `http://127.0.0.1:${server.port}`;
    await waitFor(async () => (await kernel.call('quotes.list', {})).length > 0, 'quotes');
  });
  afterAll(async () => {
    await server.close();
    await kernel.stop();
    tmp.cleanup();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(base + path, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  it('prints a URL carrying the token and answers health without one', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: expect.any(String) });
  });

  it('answers 401 on every other route without the right token', async () => {
    for (const path of ['/api/instruments', '/api/quotes', '/api/orders', '/api/state', '/api/openapi.json']) {
      expect((await fetch(base + path)).status, path).toBe(401);
      expect((await fetch(base + path, { headers: { authorization: 'Bearer wrong-token-xxxxxxxx' } })).status, path).toBe(401);
    }
    const body = await (await fetch(`${base}/api/orders`, { method: 'POST', body: '{}' })).json();
    expect(body.error.code).toBe('unauthorized');
  });

  it('refuses a request whose Host is not this server (DNS rebinding)', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/api/health', headers: { host: 'evil.example:80' } }, (r) => resolve(r.statusCode ?? 0));
        req.on('error', reject);
        req.end();
      });
    });
    expect(res).toBe(421);
  });

  it('serves the REST surface: instruments, quotes, orders, fills, positions, state', async () => {
    const instruments = await (await api('/api/instruments')).json();
    expect(instruments.some((i: { instrumentId: string }) => i.instrumentId === BTC)).toBe(true);
    const quotes = await (await api('/api/quotes')).json();
    expect(quotes[0]).toEqual({ instrumentId: expect.any(String), bid: expect.any(Number), ask: expect.any(Number), last: expect.anything(), ts: expect.any(Number), simulated: true });

    const post = await api('/api/orders', { method: 'POST', body: JSON.stringify({ instrumentId: BTC, side: 'buy', type: 'market', quantity: 0.001 }) });
    expect(post.status).toBe(201);
    const ack = await post.json();
    expect(ack).toEqual({ clientOrderId: expect.any(String), status: expect.any(String) });
    await waitFor(async () => ((await (await api('/api/fills')).json()) as { clientOrderId: string }[]).some((f) => f.clientOrderId === ack.clientOrderId), 'the fill over REST');
    const all = await (await api('/api/orders?status=all')).json();
    expect(all.find((o: { clientOrderId: string }) => o.clientOrderId === ack.clientOrderId).status).toBe('filled');
    const positions = await (await api('/api/positions')).json();
    expect(positions.find((p: { instrumentId: string }) => p.instrumentId === BTC)).toBeTruthy();
    const state = await (await api('/api/state')).json();
    expect(state).toMatchObject({ tradingState: 'ACTIVE', simulated: true });
    expect(Array.isArray(state.gateways)).toBe(true);
  });

  it('cancels an order by DELETE and reports refusals as 4xx {error:{code,message}}', async () => {
    const quotes = (await (await api('/api/quotes')).json()) as { instrumentId: string; bid: number }[];
    const bid = quotes.find((q) => q.instrumentId === BTC)!.bid;
    const ack = await (await api('/api/orders', { method: 'POST', body: JSON.stringify({ instrumentId: BTC, side: 'buy', type: 'limit', price: Math.round(bid * 0.5 * 10) / 10, quantity: 0.001 }) })).json();
    const del = await api(`/api/orders/${encodeURIComponent(ack.clientOrderId)}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await del.json()).status).toBe('canceled');
    const again = await api(`/api/orders/${encodeURIComponent(ack.clientOrderId)}`, { method: 'DELETE' });
    expect(again.status).toBe(422);
    expect((await again.json()).error.message).toMatch(/already canceled/);

    const bad = await api('/api/orders', { method: 'POST', body: JSON.stringify({ instrumentId: BTC, side: 'buy', type: 'market', quantity: -3 }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toEqual({ code: 'bad_request', message: expect.stringMatching(/quantity/) });
    const notJson = await api('/api/orders', { method: 'POST', body: '{"instrumentId":' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.message).toMatch(/not valid JSON/);
    const unknown = await api('/api/orders', { method: 'POST', body: JSON.stringify({ instrumentId: 'SIM:NOPE', side: 'buy', type: 'market', quantity: 1 }) });
    expect(unknown.status).toBe(404);
    expect((await api('/api/nothing-here')).status).toBe(404);
  });

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const doc = await (await api('/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const post = doc.paths['/api/orders'].post;
    expect(post.requestBody.content['application/json'].schema.properties.side.enum).toEqual(['buy', 'sell']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/kill-switch', '/api/kill-switch/rearm', '/api/quotes', '/api/state']));
  });

  it('speaks the contract over WebSocket, pushes events, and survives malformed frames', async () => {
    const rejected = await new Promise<boolean>((resolve) => {
      const bad = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=nope`);
      bad.on('error', () => resolve(true));
      bad.on('open', () => resolve(false));
    });
    expect(rejected).toBe(true);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`);
    const frames: { id?: number | null; result?: unknown; error?: { code: string; message: string }; event?: string }[] = [];
    ws.on('message', (m) => frames.push(JSON.parse(m.toString())));
    await new Promise((r) => ws.on('open', r));
    ws.send('this is not json');
    ws.send(JSON.stringify({ id: 'x', method: 5 }));
    ws.send(JSON.stringify({ id: 7, method: 'orders.submit', params: { instrumentId: BTC, side: 'buy', type: 'market', quantity: 'lots' } }));
    ws.send(JSON.stringify({ id: 8, method: 'quotes.list', params: {} }));
    await waitFor(async () => frames.find((f) => f.id === 8) && frames.some((f) => f.event === 'quotes'), 'answers and a quotes event');
    const errors = frames.filter((f) => f.error);
    expect(errors[0]!.error!.message).toMatch(/not valid JSON/);
    expect(errors[1]!.error!.message).toMatch(/method/);
    expect(frames.find((f) => f.id === 7)!.error).toEqual({ code: 'bad_request', message: expect.stringMatching(/quantity/) });
    expect(Array.isArray(frames.find((f) => f.id === 8)!.result)).toBe(true);
    ws.close();
  });
});
