import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { RpcEndpoint } from '../../../../main/workers/rpc.js';
import { KestrelError } from '../../../../shared/api/errors.js';

describe('RpcEndpoint over a real MessageChannel', () => {
  it('answers calls, carries KestrelError codes, and delivers events', async () => {
    const { port1, port2 } = new MessageChannel();
    const server = new RpcEndpoint(port1);
    const client = new RpcEndpoint(port2);
    server.handle('add', (p) => (p as { a: number; b: number }).a + (p as { a: number; b: number }).b);
    server.handle('refuse', () => {
      throw new KestrelError('halted', 'trading is halted');
    });
    const events: unknown[] = [];
    client.onEvent((e, d) => events.push([e, d]));
    expect(await client.call('add', { a: 2, b: 3 })).toBe(5);
    const err = await client.call('refuse').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KestrelError);
    expect(err).toMatchObject({ code: 'halted', message: 'trading is halted' });
    await expect(client.call('missing')).rejects.toMatchObject({ code: 'not_found', message: 'no such method: missing' });
    server.emit('tick', { n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([['tick', { n: 1 }]]);
    port1.close();
    port2.close();
  });

  it('rejects pending calls when the peer goes away instead of hanging', async () => {
    const { port1, port2 } = new MessageChannel();
    const client = new RpcEndpoint(port2);
    const pending = client.call('never-answered');
    client.failPending('the execution worker stopped');
    await expect(pending).rejects.toMatchObject({ code: 'unavailable', message: 'the execution worker stopped' });
    port1.close();
    port2.close();
  });
});
