import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { KestrelError } from '../../../../shared/api/index.js';
import type { ConnectionStatus } from '../../../../renderer/api/client.js';
import { WsClient, type SocketFactory } from '../../../../renderer/api/ws-client.js';

const nodeSocket: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data) => handlers.onMessage(data.toString()));
  ws.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
  ws.on('error', () => {});
  return { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) };
};

const quoteRow = { instrumentId: 'SIM:BTC/USDT:USDT', bid: 99, ask: 101, last: 100, ts: 1, simulated: true };

/** A loopback server that answers `state.get`-less requests by a script and can push raw frames. */
async function startServer(onRequest: (frame: { id: number; method: string; params: unknown }, socket: WebSocket) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => onRequest(JSON.parse(data.toString()), socket));
  });
  const { port } = wss.address() as AddressInfo;
  return { wss, sockets, url: `ws://127.0.0.1:${port}/api/ws?token=t` };
}

const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe('WebSocket client', () => {
  it('matches answers to requests and turns error frames into KestrelErrors', async () => {
    const server = await startServer((f, socket) => {
      if (f.method === 'quotes.list') socket.send(JSON.stringify({ id: f.id, result: [quoteRow] }));
      else socket.send(JSON.stringify({ id: f.id, error: { code: 'halted', message: 'trading is halted' } }));
    });
    const client = new WsClient({ url: server.url, openSocket: nodeSocket, log: () => {} });
    cleanup.push(() => client.close(), () => server.wss.close());
    await waitFor(() => client.status().state === 'open', 'open');

    expect(await client.call('quotes.list', {})).toEqual([quoteRow]);
    const err = await client.call('orders.cancelAll', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KestrelError);
    expect((err as KestrelError).code).toBe('halted');
    expect((err as KestrelError).message).toBe('trading is halted');
  });

  it('rejects an answer that does not match the contract instead of handing it to a store', async () => {
    const server = await startServer((f, socket) => socket.send(JSON.stringify({ id: f.id, result: [{ instrumentId: 'no-venue' }] })));
    const logged: string[] = [];
    const client = new WsClient({ url: server.url, openSocket: nodeSocket, log: (m) => logged.push(m) });
    cleanup.push(() => client.close(), () => server.wss.close());
    await waitFor(() => client.status().state === 'open', 'open');
    const err = await client.call('quotes.list', {}).catch((e: unknown) => e);
    expect((err as KestrelError).message).toMatch(/malformed answer to quotes\.list/);
    expect(logged.some((m) => m.includes('quotes.list'))).toBe(true);
  });

  it('drops malformed frames and still delivers the valid events after them', async () => {
    const server = await startServer(() => {});
    const logged: string[] = [];
    const client = new WsClient({ url: server.url, openSocket: nodeSocket, log: (m) => logged.push(m) });
    cleanup.push(() => client.close(), () => server.wss.close());
    const received: unknown[] = [];
    client.on('quotes', (rows) => received.push(rows));
    await waitFor(() => server.sockets.length === 1 && client.status().state === 'open', 'open');

    const socket = server.sockets[0]!;
    socket.send('not json {');
    socket.send(JSON.stringify({ event: 'quotes', data: [{ ...quoteRow, bid: 'cheap' }] }));
    socket.send(JSON.stringify({ event: 'teleport', data: {} }));
    socket.send(JSON.stringify({ id: 'x', result: 1 }));
    socket.send(JSON.stringify({ event: 'quotes', data: [quoteRow] }));
    await waitFor(() => received.length === 1, 'the valid event');
    expect(received).toEqual([[quoteRow]]);
    expect(logged).toHaveLength(4);
  });

  it('fails calls at once while disconnected, then reconnects with backoff', async () => {
    const server = await startServer((f, socket) => socket.send(JSON.stringify({ id: f.id, result: [] })));
    const statuses: ConnectionStatus['state'][] = [];
    const client = new WsClient({ url: server.url, openSocket: nodeSocket, log: () => {}, initialBackoffMs: 20, random: () => 1 });
    cleanup.push(() => client.close(), () => server.wss.close());
    client.onStatus((s) => statuses.push(s.state));
    await waitFor(() => client.status().state === 'open', 'first open');

    server.sockets[0]!.terminate();
    await waitFor(() => client.status().state !== 'open', 'the drop');
    const err = await client.call('fills.list', {}).catch((e: unknown) => e);
    expect((err as KestrelError).code).toBe('unavailable');

    await waitFor(() => client.status().state === 'open', 'reconnect');
    expect(await client.call('fills.list', {})).toEqual([]);
    expect(statuses).toEqual(['open', 'closed', 'connecting', 'open']);
  });

  it('settles an in-flight request when the connection drops', async () => {
    const server = await startServer((_f, socket) => socket.terminate());
    const client = new WsClient({ url: server.url, openSocket: nodeSocket, log: () => {}, initialBackoffMs: 10_000 });
    cleanup.push(() => client.close(), () => server.wss.close());
    await waitFor(() => client.status().state === 'open', 'open');
    const err = await client.call('orders.cancelAll', {}).catch((e: unknown) => e);
    expect((err as KestrelError).code).toBe('unavailable');
    expect((err as KestrelError).message).toMatch(/orders\.cancelAll may not have completed/);
  });
});
