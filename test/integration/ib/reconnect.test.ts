import { afterEach, describe, expect, it } from 'vitest';
import { OUT } from '../../fakes/tws/messages.js';
import { CLIENT_ID, eventually, settle, startIb, type IbHarness } from './harness.js';

const AAPL = 'IB:STK:AAPL:SMART:USD';
const AAPL_CONID = 265598;
const ES = 'IB:FUT:ES:CME:USD:20250919:50';

describe('IbGateway ↔ fake TWS: reconnects and resubscription', () => {
  let h: IbHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('when TWS drops the connection it reconnects with the same client id and resubscribes market data', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.gw.subscribeBook([ES], 3);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the first line');
    h.fake.dropAll();
    await eventually(() => h?.gw.status().state === 'reconnecting' || (h?.gw.status().reconnectCount ?? 0) > 0, 'the drop to be noticed');
    await eventually(() => h?.gw.status().state === 'connected' && h.gw.status().reconnectCount === 1, 'the reconnect');
    expect(h.fake.clientIds).toEqual([CLIENT_ID, CLIENT_ID]);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1 && h.fake.requests(OUT.REQ_MKT_DEPTH).length === 2, 2_000, 'the lines re-requested');
    const line = h.fake.mktDataLines()[0];
    expect(line?.clientId).toBe(CLIENT_ID);
    h.fake.pushQuote(AAPL_CONID, { bid: 10, bidSize: 1, ask: 10.5, askSize: 2 });
    await eventually(() => h?.events.quotes.some((q) => q.bid === 10) ?? false, 'a quote on the new session');
    // Account updates are re-requested on the new session too.
    expect(h.fake.requests(OUT.REQ_ACCOUNT_DATA).length).toBe(2);
    // Resubscription counts re-requests of existing subscriptions: only the reconnect did one.
    expect(h.gw.resubscriptions).toBe(1);
  });

  it('keeps retrying with backoff while TWS refuses, then recovers (nightly restart)', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    h.fake.setAcceptMode('refuse');
    const before = h.fake.connectionAttempts;
    h.fake.dropAll();
    await eventually(() => h?.gw.status().state === 'reconnecting', 'reconnecting');
    await settle(300);
    const attemptsWhileDown = h.fake.connectionAttempts - before;
    expect(h.gw.status().state).toBe('reconnecting');
    h.fake.setAcceptMode('normal');
    await eventually(() => h?.gw.status().state === 'connected', 'connected after the restart', 3_000);
    expect(h.gw.status().reconnectCount).toBe(1);
    expect(h.fake.clientIds.every((id) => id === CLIENT_ID)).toBe(true);
    // Backoff 20 → 40 → 80 → 100 ms: several refused attempts in 300 ms, not a tight loop.
    expect(attemptsWhileDown).toBeGreaterThanOrEqual(2);
    expect(attemptsWhileDown).toBeLessThanOrEqual(8);
    await h.fake.waitFor(() => h?.fake.mktDataLines().length === 1, 2_000, 'the line after the restart');
  });

  it('resubscribes within a session after 1101 (data lost), once per burst', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.requests(OUT.REQ_MKT_DATA).length === 1, 2_000, 'the line');
    h.fake.sendInfo(1100, 'Connectivity between IB and Trader Workstation has been lost.');
    await eventually(() => /IB 1100/.test(h?.gw.status().lastError ?? ''), 'the 1100 notice');
    h.fake.sendInfo(1101, 'Connectivity between IB and TWS has been restored- data lost.');
    h.fake.sendInfo(2104, 'Market data farm connection is OK:usfarm');
    await h.fake.waitFor(() => h?.fake.requests(OUT.REQ_MKT_DATA).length === 2, 2_000, 'the re-request');
    await settle(150);
    expect(h.fake.requests(OUT.REQ_MKT_DATA)).toHaveLength(2);
    expect(h.fake.requests(OUT.CANCEL_MKT_DATA)).toHaveLength(1);
    expect(h.gw.status().state).toBe('connected');
    expect(h.gw.status().reconnectCount).toBe(0);
  });

  it('resubscribes after a broken market data farm (2103) reports OK again (2104), not on a plain 2104', async () => {
    h = await startIb();
    await h.gw.subscribeQuotes([AAPL]);
    await h.fake.waitFor(() => h?.fake.requests(OUT.REQ_MKT_DATA).length === 1, 2_000, 'the line');
    h.fake.sendInfo(2104, 'Market data farm connection is OK:usfarm');
    await settle(150);
    expect(h.fake.requests(OUT.REQ_MKT_DATA)).toHaveLength(1);
    h.fake.sendInfo(2103, 'Market data farm connection is broken:usfarm');
    await eventually(() => /IB 2103/.test(h?.gw.status().lastError ?? ''), 'the 2103 notice');
    h.fake.sendInfo(2104, 'Market data farm connection is OK:usfarm');
    await h.fake.waitFor(() => h?.fake.requests(OUT.REQ_MKT_DATA).length === 2, 2_000, 'the re-request');
    h.fake.pushQuote(AAPL_CONID, { bid: 1, bidSize: 1, ask: 2, askSize: 1 });
    await eventually(() => h?.events.quotes.length === 1, 'quotes flow on the new line');
  });

  it('a fill that happened while disconnected arrives once after the reconnect; earlier fills are not repeated', async () => {
    h = await startIb();
    const ack = await h.gw.submitOrder('r-1', { instrumentId: AAPL, side: 'buy', type: 'limit', quantity: 10, price: 100 });
    const first = h.fake.fillOrder(Number(ack.venueOrderId), 4, 100);
    await eventually(() => h?.events.fills.length === 1, 'the first fill');
    h.fake.setAcceptMode('refuse');
    h.fake.dropAll();
    await eventually(() => h?.gw.status().state === 'reconnecting', 'the drop');
    const missed = h.fake.fillOrder(Number(ack.venueOrderId), 6, 100.5);
    h.fake.setAcceptMode('normal');
    await eventually(() => h?.events.fills.length === 2, 'the missed fill after reconnect');
    await settle(300);
    expect(h.events.fills.map((f) => f.venueTradeId)).toEqual([first.execId, missed.execId]);
    expect(h.events.fills[1]).toMatchObject({ clientOrderId: 'r-1', quantity: 6, price: 100.5, fee: missed.commission });
    expect(h.events.orders.at(-1)).toMatchObject({ clientOrderId: 'r-1', status: 'filled', filledQuantity: 10 });
  });

  it('an order asked for while reconnecting is refused, not queued for later', async () => {
    h = await startIb();
    h.fake.setAcceptMode('refuse');
    h.fake.dropAll();
    await eventually(() => h?.gw.status().state === 'reconnecting', 'the drop');
    await expect(h.gw.submitOrder('r-2', { instrumentId: AAPL, side: 'buy', type: 'market', quantity: 1 })).rejects.toThrow(/IB is reconnecting; order r-2 was not sent/);
    h.fake.setAcceptMode('normal');
    await eventually(() => h?.gw.status().state === 'connected', 'reconnected');
    await settle(100);
    expect(h.fake.requests(OUT.PLACE_ORDER)).toHaveLength(0);
  });

  it('client id in use (326): keeps the same id and retries until it is free', async () => {
    h = await startIb({ connect: false });
    // Another program holds client id 7.
    const { IbGateway } = await import('../../../main/adapters/ib/gateway.js');
    const other = new IbGateway({ port: h.fake.port, clientId: 7, reconnect: { enabled: false }, heartbeatIntervalMs: 10_000 });
    await other.connect();
    const attempt = h.gw.connect().catch((e: Error) => e);
    await eventually(() => /IB 326/.test(h?.gw.status().lastError ?? ''), 'error 326');
    expect(h.gw.status().lastError).toMatch(/another program is connected to TWS with this client id/);
    await other.disconnect();
    expect(await attempt).toBeUndefined();
    expect(h.gw.status().state).toBe('connected');
    expect(new Set(h.fake.clientIds)).toEqual(new Set([7]));
  });

  it('with reconnect disabled, a refused connection fails connect() with a plain message', async () => {
    h = await startIb({ connect: false, config: { reconnect: { enabled: false } } });
    h.fake.setAcceptMode('refuse');
    await expect(h.gw.connect()).rejects.toThrow(/IB: connection to TWS at 127\.0\.0\.1:\d+ \(client id 7\) ended/);
    expect(h.gw.status().state).toBe('disconnected');
  });
});
