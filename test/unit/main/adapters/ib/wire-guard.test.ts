import { IBApi } from '@stoqey/ib';
import { describe, expect, it } from 'vitest';
import { attachWireGuard, type WireFault } from '../../../../../main/adapters/ib/wire-guard.js';
import { errMsg, tickPrice } from '../../../../fakes/tws/messages.js';
import { frameBody } from '../../../../fakes/tws/wire.js';

/** An IBApi that has "received" its server version, fed bytes directly (no socket). */
function api(): { api: IBApi; feed: (b: Buffer) => void; faults: WireFault[]; ticks: number[] } {
  const ib = new IBApi({ host: '127.0.0.1', port: 1 });
  const faults: WireFault[] = [];
  const ticks: number[] = [];
  expect(attachWireGuard(ib, (f) => faults.push(f))).toBe(true);
  ib.on('tickPrice' as never, ((_id: number, _type: number, price: number) => ticks.push(price)) as never);
  ib.on('error' as never, (() => undefined) as never);
  const socket = (ib as unknown as { controller: { socket: { onData(b: Buffer): void } } }).controller.socket;
  socket.onData(frameBody('173\u000020250715 19:05:13 UTC\u0000'));
  return { api: ib, feed: (b) => socket.onData(b), faults, ticks };
}

describe('attachWireGuard', () => {
  it('passes ordinary frames through, also split across reads', () => {
    const t = api();
    const f = frameBody(tickPrice(1, 1, 12.5, 3));
    t.feed(f.subarray(0, 5));
    t.feed(f.subarray(5));
    expect(t.ticks).toEqual([12.5]);
    expect(t.faults).toEqual([]);
  });

  it('stops at a negative length prefix instead of letting the reader spin', () => {
    const t = api();
    t.feed(Buffer.from([0xff, 0xff, 0xff, 0xfc, 0x31, 0x00]));
    expect(t.faults).toEqual([{ kind: 'bad-frame', detail: 'length prefix -4 (0xfffffffc)' }]);
    t.feed(frameBody(tickPrice(1, 1, 1, 1)));
    expect(t.ticks).toEqual([]);
  });

  it('flags a length larger than any TWS frame at once', () => {
    const t = api();
    t.feed(Buffer.from([0x34, 0x39, 0x00, 0x31]));
    expect(t.faults[0]?.kind).toBe('bad-frame');
  });

  it('skips a message the decoder throws on and keeps decoding the rest of the read', () => {
    const t = api();
    t.feed(Buffer.concat([frameBody(errMsg(3, 201, 'x', '{broken')), frameBody(tickPrice(1, 2, 99, 1))]));
    expect(t.faults.map((f) => f.kind)).toEqual(['undecodable']);
    expect(t.faults[0]?.detail).toMatch(/^SyntaxError/);
    expect(t.ticks).toEqual([99]);
  });
});
