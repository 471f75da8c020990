/**
 * Bad input from TWS. The garbage is hand-made (no recording has any); where a well-formed message
 * is needed it is built from @stoqey/ib's decoder field order (test/fakes/tws/messages.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errMsg } from '../../fakes/tws/messages.js';
import { frame, frameBody } from '../../fakes/tws/wire.js';
import { eventually, settle, startIb, type IbHarness } from './harness.js';

const AAPL = 'IB:STK:AAPL:SMART:USD';
const AAPL_CONID = 265598;

async function quotesFlow(h: IbHarness, bid: number): Promise<void> {
  await h.fake.waitFor(() => h.fake.mktDataLines().length === 1, 2_000, 'a market data line');
  h.fake.pushQuote(AAPL_CONID, { bid, bidSize: 1, ask: bid + 1, askSize: 1 });
  await eventually(() => h.events.quotes.some((q) => q.bid === bid), `a quote with bid ${bid}`);
}

describe('IbGateway ↔ fake TWS: garbage, truncation, unknown ids, silence', () => {
  let h: IbHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('an unknown message id is reported in plain words and the session goes on', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    h.fake.broadcast('999\u00001\u0000whatever\u0000');
    await eventually(() => /IB 505/.test(h?.gw.status().lastError ?? ''), 'the unknown-id error');
    expect(h.gw.status().lastError).toMatch(/IB 505: TWS sent a message the client cannot read .*999/);
    await quotesFlow(h, 50);
    expect(h.gw.status()).toMatchObject({ state: 'connected', reconnectCount: 0 });
  });

  it('a well-framed frame of binary garbage is skipped with a clear error', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    h.fake.sendRaw(frameBody('\u0007\u00ff\u0010garbage\u0000\u00fe\u0000'));
    await eventually(() => h?.gw.status().lastError !== null, 'an error for the garbage');
    expect(h.gw.status().lastError).toMatch(/^IB 505: /);
    await quotesFlow(h, 51);
    expect(h.gw.status().reconnectCount).toBe(0);
  });

  it('a message that makes the decoder throw (bad advancedOrderReject JSON) is skipped, no crash', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    // ERR_MSG whose last field should be JSON; @stoqey/ib JSON.parses it inside the socket handler.
    h.fake.broadcast(errMsg(5, 201, 'Order rejected', '{not json'));
    await eventually(() => /could not be decoded/.test(h?.gw.status().lastError ?? ''), 'the decode error');
    expect(h.gw.status().lastError).toMatch(/IB: a message from TWS could not be decoded and was skipped \(SyntaxError/);
    await quotesFlow(h, 52);
    expect(h.gw.status().reconnectCount).toBe(0);
  });

  it('a negative length prefix drops the session and reconnects (the stream is out of step)', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the line');
    // 0xFFFFFFFC = -4: @stoqey/ib's frame loop would spin forever on this.
    h.fake.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xfc, 0x31, 0x00]));
    await eventually(() => h?.gw.status().reconnectCount === 1 && h.gw.status().state === 'connected', 'the reconnect');
    expect(h.gw.status().lastError).toMatch(/IB: TWS sent a malformed frame \(length prefix -4/);
    await quotesFlow(h, 53);
  });

  it('a truncated frame followed by silence: the heartbeat notices, the adapter reconnects', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the line');
    const whole = frame([1, 6, 1, 1, 100, 5, 0]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(whole.length + 40, 0);
    h.fake.sendRaw(Buffer.concat([head, whole.subarray(4)]));
    h.fake.freeze(true);
    await eventually(() => h?.gw.status().state === 'reconnecting' || (h?.gw.status().reconnectCount ?? 0) > 0, 'the dead session to be dropped');
    expect(h.gw.status().lastError).toMatch(/TWS stopped answering \(no reply to the heartbeat within 400 ms\)/);
    h.fake.freeze(false);
    await eventually(() => h?.gw.status().state === 'connected' && h.gw.status().reconnectCount === 1, 'the reconnect');
    await quotesFlow(h, 54);
  });

  it('a TWS that never completes the handshake is given up on after connectTimeoutMs, with the reason', async () => {
    h = await startIb({ connect: false, config: { connectTimeoutMs: 150, reconnect: { enabled: false } } });
    h.fake.setAcceptMode('mute');
    await expect(h.gw.connect()).rejects.toThrow(/accepted no API session within 150 ms/);
  });

  it('status reports messages per second and the age of the last message', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the line');
    for (let i = 0; i < 20; i++) h.fake.pushQuote(AAPL_CONID, { bid: 100 + i, bidSize: 1, ask: 101 + i, askSize: 1 });
    await eventually(() => h?.events.quotes.some((q) => q.bid === 119) ?? false, 'the last quote');
    const s = h.gw.status();
    expect(s.messagesPerSec).toBeGreaterThanOrEqual(40);
    expect(s.lastMessageAgeMs).not.toBeNull();
    await settle(10);
    expect(h.events.statuses.length).toBeGreaterThan(0);
  });
});
