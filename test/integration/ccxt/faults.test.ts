import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VenueError } from '../../../main/adapters/ccxt/venue-error.js';
import type { SubmitOrder } from '../../../shared/model/index.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { startHarness, waitFor, type Harness } from './gateway-harness.js';

/**
 * What venues do to clients, one fault at a time, against the fake Binance USDⓈ-M: each fault has
 * a clear message in status().lastError, and no order or fill is lost or doubled.
 */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const isTrade = (f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade';
const ID = 'BINANCEUSDM:BTC/USDT:USDT';
const CREDS = { apiKey: 'fault-test-key-0001', secret: 'fault-test-secret-0001' };
const LIMIT_BUY: SubmitOrder = { instrumentId: ID, side: 'buy', type: 'limit', quantity: 0.01, price: 60_000 };

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

async function start(config: Parameters<typeof startHarness>[1] = {}, privateStreams = false): Promise<{ h: Harness; sim: BinanceSim }> {
  let sim!: BinanceSim;
  const h = await startHarness('binanceusdm', config, { credentials: CREDS, privateStreams }, (s) => {
    sim = new BinanceSim(s, USDM, 'usdm');
  });
  await h.gateway.connect();
  return { h, sim };
}

describe('bad websocket frames', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('drops garbage bytes and a truncated frame, says so, and recovers the truncated trade over REST', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start());
    await h.gateway.subscribeTrades([ID]);
    await h.server.waitForTopic('btcusdt@trade');
    const cut = sim.indexOfTrade(500);
    await sim.play(cut, { only: isTrade });
    await waitFor(() => h.rec.trades.length === 500, 5000, '500 trades');

    h.server.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37]));
    const truncated = USDM[cut]!.text.slice(0, 60);
    h.server.sendRaw(truncated);
    sim.skip(cut + 1); // the truncated trade happened at the venue; only its frame was broken
    await waitFor(() => /unreadable websocket frame/.test(h.gateway.status().lastError ?? ''), 5000, 'the bad frame in status');
    expect(h.rec.logs.some((l) => l.level === 'warn' && l.message.includes('unreadable websocket frame'))).toBe(true);

    await sim.play(sim.indexOfTrade(1500), { only: isTrade });
    const recorded = sim.recordedTradeIds().slice(0, 1500);
    await waitFor(() => h.rec.trades.at(-1)?.tradeId === recorded.at(-1), 10_000, 'trade 1500');
    await h.gateway.whenIdle();
    expect(h.rec.trades.map((t) => t.tradeId)).toEqual(recorded);
    // The lost trade came from REST: the jump in ids was noticed without any reconnect.
    expect(h.server.requestsTo('/fapi/v1/historicalTrades')[0]!.query.get('fromId')).toBe(recorded[500]);
    expect(h.gateway.status().reconnectCount).toBe(0);
    expect(h.gateway.status().state).toBe('connected');
  });
});

describe('HTTP 418, 429 and 5xx', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('429: says so, pauses every account of the venue for Retry-After, then works again', async () => {
    ({ h } = await start());
    h.server.failNext('GET', /\/fapi\/v[23]\/(account|balance)$/, { status: 429, headers: { 'Retry-After': '1' }, body: { code: -1003, msg: 'Too many requests; current limit is 2400 request weight per 1 MINUTE.' } });
    const err = await h.gateway.fetchBalances().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).kind).toBe('rate_limited');
    expect(h.gateway.status().lastError).toMatch(/HTTP 429/);
    const budget = h.gateway.venueSession().budget;
    expect(budget.stats().pausedUntilMs).toBeGreaterThan(Date.now());
    h.server.route('GET', /\/fapi\/v[23]\/(account|balance)$/, () => ({ body: { assets: [{ asset: 'USDT', walletBalance: '10', availableBalance: '10', updateTime: 1 }], positions: [] } }));
    const started = Date.now();
    const balances = await h.gateway.fetchBalances();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(balances.find((b) => b.currency === 'USDT')?.total).toBe(10);
  });

  it('418: reports the IP ban with the wait the venue asked for', async () => {
    ({ h } = await start());
    h.server.failNext('GET', /\/fapi\/v1\/openOrders$/, { status: 418, headers: { 'Retry-After': '2' }, body: { code: -1003, msg: 'Way too many requests; IP banned until 1723161999000.' } });
    const err = (await h.gateway.fetchOpenOrders().catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('banned');
    expect(err.message).toMatch(/banned this IP .*HTTP 418/);
    expect(h.gateway.status().lastError).toMatch(/HTTP 418/);
    expect(h.gateway.venueSession().budget.stats().pausedUntilMs).toBeGreaterThan(Date.now() + 1000);
  });

  it('503 on a read: unavailable, in plain words', async () => {
    ({ h } = await start());
    h.server.failNext('GET', /\/fapi\/v1\/openOrders$/, { status: 503, body: 'Service Unavailable' });
    const err = (await h.gateway.fetchOpenOrders().catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/HTTP 503/);
  });

  it('503 on createOrder when the venue did not place it: one POST, checked, reported as not placed', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start());
    sim.orderFault = 'reject-503';
    const err = (await h.gateway.submitOrder('cid-503-none', LIMIT_BUY).catch((e: unknown) => e)) as VenueError;
    expect(err).toBeInstanceOf(VenueError);
    expect(err.message).toMatch(/HTTP 503.*was not placed/);
    expect(err.uncertain).toBe(false);
    expect(h.server.requestsTo('/fapi/v1/order', 'POST')).toHaveLength(1);
    expect(h.server.requestsTo('/fapi/v1/order', 'GET').length).toBeGreaterThanOrEqual(1);
    expect(sim.orders.size).toBe(0);
  });

  it('503 on createOrder when the venue did place it: one POST, one order, acknowledged once', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start({}, true));
    await h.server.waitForConnections(1);
    sim.orderFault = 'place-then-503';
    const ack = await h.gateway.submitOrder('cid-503-placed', LIMIT_BUY);
    expect(h.server.requestsTo('/fapi/v1/order', 'POST')).toHaveLength(1);
    expect(sim.orders.size).toBe(1);
    const placed = [...sim.orders.values()][0]!;
    expect(ack).toEqual({ clientOrderId: 'cid-503-placed', venueOrderId: String(placed.orderId), status: 'open' });
    await new Promise((r) => setTimeout(r, 200));
    const mine = h.rec.orders.filter((o) => o.clientOrderId === 'cid-503-placed');
    expect(mine.map((o) => o.status)).toEqual(['open']);
  });

  it('429 on createOrder: refused unprocessed, nothing looked up or resent', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start());
    h.server.failNext('POST', /\/fapi\/v1\/order$/, { status: 429, headers: { 'Retry-After': '1' }, body: { code: -1015, msg: 'Too many new orders.' } });
    const err = (await h.gateway.submitOrder('cid-429', LIMIT_BUY).catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('rate_limited');
    expect(h.server.requestsTo('/fapi/v1/order', 'POST')).toHaveLength(1);
    expect(h.server.requestsTo('/fapi/v1/order', 'GET')).toHaveLength(0);
    expect(sim.orders.size).toBe(0);
  });
});

describe('a venue that stops answering', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('heartbeat notices within the timeout, status says so, and clears when the venue answers again', async () => {
    ({ h } = await start({ heartbeatMs: 100, timeoutMs: 400 }));
    await waitFor(() => h.gateway.status().latencyMs !== null, 3000, 'a first heartbeat');
    h.server.stallAll(true);
    await waitFor(() => h.gateway.status().state === 'error', 5000, 'state error');
    expect(h.gateway.status().lastError).toMatch(/did not answer within 400 ms/);
    h.server.stallAll(false);
    await waitFor(() => h.gateway.status().state === 'connected', 5000, 'state connected again');
  });

  it('createOrder placed but never answered: found by its client id, not sent twice', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start({ timeoutMs: 400 }));
    sim.orderFault = 'place-then-stall';
    const ack = await h.gateway.submitOrder('cid-stall-placed', LIMIT_BUY);
    expect(ack.status).toBe('open');
    expect(h.server.requestsTo('/fapi/v1/order', 'POST')).toHaveLength(1);
    expect(sim.orders.size).toBe(1);
    expect(ack.venueOrderId).toBe(String([...sim.orders.values()][0]!.orderId));
  });

  it('createOrder when nothing answers at all: reported as unknown, then settled once the venue is back', async () => {
    ({ h } = await start({ timeoutMs: 300, heartbeatMs: 150, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }));
    h.server.stallAll(true);
    const err = (await h.gateway.submitOrder('cid-dark', LIMIT_BUY).catch((e: unknown) => e)) as VenueError;
    expect(err.uncertain).toBe(true);
    expect(err.message).toMatch(/may or may not be at the venue/);
    expect(h.gateway.status().lastError).toMatch(/may or may not be at the venue/);
    h.server.stallAll(false);
    await waitFor(() => h.rec.orders.some((o) => o.clientOrderId === 'cid-dark'), 5000, 'the order settled');
    const settled = h.rec.orders.filter((o) => o.clientOrderId === 'cid-dark');
    expect(settled).toHaveLength(1);
    expect(settled[0]!.status).toBe('rejected');
    expect(h.server.requestsTo('/fapi/v1/order', 'POST')).toHaveLength(1);
  });
});

describe('fills across a dropped user-data stream', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('a fill during the outage arrives once via REST resync; the fill before it is not repeated', async () => {
    let sim: BinanceSim;
    ({ h, sim } = await start({}, true));
    await waitFor(() => [...h.server.connections].some((c) => c.topics.has('user')), 5000, 'the user-data socket');
    await h.gateway.submitOrder('cid-fills', LIMIT_BUY);
    const first = sim.fill('cid-fills', 0.004, 60_000);
    await waitFor(() => h.rec.fills.length === 1, 5000, 'the first fill over the stream');

    h.server.dropAll();
    const second = sim.fill('cid-fills', 0.006, 59_990);

    await waitFor(() => h.rec.fills.length === 2, 10_000, 'the second fill after the reconnect');
    await new Promise((r) => setTimeout(r, 300));

    expect(h.rec.fills.map((f) => f.venueTradeId)).toEqual([String(first.id), String(second.id)]);
    expect(h.rec.fills.every((f) => f.clientOrderId === 'cid-fills')).toBe(true);
    expect(h.rec.fills.map((f) => f.quantity)).toEqual([0.004, 0.006]);
    expect(h.server.requestsTo('/fapi/v1/userTrades').length).toBeGreaterThanOrEqual(1);
    // The order's last state is known after the resync: filled, 0.01.
    await waitFor(() => h.rec.orders.some((o) => o.clientOrderId === 'cid-fills' && o.status === 'filled'), 5000, 'the order filled');
    const states = h.rec.orders.filter((o) => o.clientOrderId === 'cid-fills').map((o) => `${o.status}:${o.filledQuantity}`);
    expect(new Set(states).size).toBe(states.length);
    expect(h.gateway.status().reconnectCount).toBeGreaterThanOrEqual(1);
  });
});
