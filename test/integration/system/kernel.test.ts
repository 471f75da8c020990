import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, startKernel, tempDir, waitFor } from '../../support/kernel-harness.js';
import type { Kernel } from '../../../main/system/kernel.js';
import { KestrelError } from '../../../shared/api/errors.js';
import { ParquetStore } from '../../../main/storage/parquet/parquet-store.js';

const BTC = 'SIM:BTC/USDT:USDT';

describe('kernel: simulate, order, fill, halt, restart', () => {
  const dirs: { cleanup(): void }[] = [];
  const kernels: Kernel[] = [];
  afterEach(async () => {
    await Promise.all(kernels.splice(0).map((k) => k.stop()));
    dirs.splice(0).forEach((d) => d.cleanup());
  });

  async function boot(dir: string): Promise<Kernel> {
    const k = await startKernel(dir);
    kernels.push(k);
    return k;
  }

  it('runs a live simulated market with every instrument marked simulated', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const k = await boot(tmp.dir);
    const quotes = await waitFor(async () => {
      const q = await k.call('quotes.list', {});
      return q.length >= 6 && q.every((r) => r.bid !== null && r.ask !== null) ? q : null;
    }, 'quotes for every simulated instrument');
    for (const q of quotes) {
      expect(q.simulated).toBe(true);
      expect(q.ask!).toBeGreaterThan(q.bid!);
    }
    const instruments = await k.call('instruments.list', {});
    expect(instruments.map((i) => i.instrumentId)).toContain(BTC);
    expect(instruments.every((i) => i.simulated)).toBe(true);
    // Ten minutes of warm-up history: the chart has closed candles at once, in time order.
    const bars = await waitFor(async () => {
      const b = await k.call('bars.list', { instrumentId: BTC, interval: '1m' });
      return b.length >= 10 ? b : null;
    }, 'warm-up 1m bars');
    expect(bars.slice(0, -1).every((b) => b.final && b.tradeCount > 0)).toBe(true);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.openTime - bars[i - 1]!.openTime).toBe(60_000);
    const state = await k.call('state.get', {});
    expect(state.simulated).toBe(true);
    expect(state.tradingState).toBe('ACTIVE');
    expect(state.workers.map((w) => w.worker).sort()).toEqual(['execution', 'marketdata', 'simulator']);
  });

  it('fills a market order, rests a limit order, halts, and stays halted across a restart', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const k = await boot(tmp.dir);
    await waitFor(async () => (await k.call('quotes.list', {})).find((q) => q.instrumentId === BTC && q.ask !== null), 'a BTC quote');

    const filled = nextEvent(k, 'fill');
    const ack = await k.call('orders.submit', { instrumentId: BTC, side: 'buy', type: 'market', quantity: 0.01 });
    const fill = await filled;
    expect(fill.clientOrderId).toBe(ack.clientOrderId);
    expect(fill.quantity).toBeCloseTo(0.01, 10);
    expect(fill.fee).toBeGreaterThan(0);
    const positions = await waitFor(async () => {
      const p = await k.call('positions.list', {});
      return p.find((x) => x.instrumentId === BTC && Math.abs(x.quantity - 0.01) < 1e-9) ? p : null;
    }, 'a BTC position of 0.01');
    expect(positions.length).toBeGreaterThan(0);

    const quote = (await k.call('quotes.list', {})).find((q) => q.instrumentId === BTC)!;
    const farBid = Math.round(quote.bid! * 0.5 * 10) / 10;
    const resting = await k.call('orders.submit', { instrumentId: BTC, side: 'buy', type: 'limit', price: farBid, quantity: 0.01 });
    expect(resting.status).toBe('open');
    expect((await k.call('orders.list', { status: 'open' })).map((o) => o.clientOrderId)).toContain(resting.clientOrderId);

    const halted = await k.call('killSwitch.halt', { reason: 'test: operator pressed stop', flatten: false });
    expect(halted.state).toBe('HALTED');
    expect(await k.call('orders.list', { status: 'open' })).toEqual([]);
    const refused = await k.call('orders.submit', { instrumentId: BTC, side: 'buy', type: 'market', quantity: 0.01 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KestrelError);
    expect((refused as KestrelError).code).toBe('halted');
    expect((refused as KestrelError).message).toMatch(/trading is halted/);

    const ordersBefore = await k.call('orders.list', { status: 'all' });
    const fillsBefore = await k.call('fills.list', {});
    await k.stop();
    kernels.splice(kernels.indexOf(k), 1);

    const k2 = await boot(tmp.dir);
    const state = await k2.call('state.get', {});
    expect(state.tradingState).toBe('HALTED');
    expect(state.tradingStateReason).toBe('test: operator pressed stop');
    expect(await k2.call('orders.list', { status: 'all' })).toEqual(ordersBefore);
    expect(await k2.call('fills.list', {})).toEqual(fillsBefore);

    const rearmed = await k2.call('killSwitch.rearm', { reason: 'test: all clear' });
    expect(rearmed.state).toBe('ACTIVE');
    await waitFor(async () => (await k2.call('quotes.list', {})).find((q) => q.instrumentId === BTC && q.ask !== null), 'a BTC quote after restart');
    const again = await k2.call('orders.submit', { instrumentId: BTC, side: 'sell', type: 'market', quantity: 0.01 });
    expect(['filled', 'open', 'partially_filled']).toContain(again.status);
  });

  it('restarts a crashed worker, tells the user, and loses no journaled order', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const k = await boot(tmp.dir);
    await waitFor(async () => (await k.call('quotes.list', {})).find((q) => q.instrumentId === BTC && q.bid !== null), 'a BTC quote');
    const quote = (await k.call('quotes.list', {})).find((q) => q.instrumentId === BTC)!;
    const resting = await k.call('orders.submit', { instrumentId: BTC, side: 'buy', type: 'limit', price: Math.round(quote.bid! * 0.5 * 10) / 10, quantity: 0.002 });

    const crashed = nextEvent(k, 'worker', (e) => e.worker === 'execution' && e.kind === 'crashed');
    const restarted = nextEvent(k, 'worker', (e) => e.worker === 'execution' && e.kind === 'restarted');
    await k.crashWorker('execution');
    await crashed;
    await restarted;
    const open = await k.call('orders.list', { status: 'open' });
    expect(open.map((o) => o.clientOrderId)).toContain(resting.clientOrderId);
    expect(k.workers().find((w) => w.worker === 'execution')).toMatchObject({ alive: true, restarts: 1 });
  });

  it('resets a paper account: starting cash back, no positions, and it stays reset after a restart', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const k = await boot(tmp.dir);
    await waitFor(async () => (await k.call('quotes.list', {})).find((q) => q.instrumentId === BTC && q.ask !== null), 'a BTC quote');
    await k.call('orders.submit', { instrumentId: BTC, side: 'buy', type: 'market', quantity: 0.01 });
    await waitFor(async () => (await k.call('positions.list', {})).some((p) => p.quantity !== 0), 'a position');
    const usdtBefore = (await k.call('balances.list', {})).find((b) => b.currency === 'USDT')!;
    expect(usdtBefore.total).toBeLessThan(100_000);
    expect(await k.call('paper.reset', {})).toEqual({ accounts: ['paper'] });
    expect((await k.call('positions.list', {})).filter((p) => p.quantity !== 0)).toEqual([]);
    expect((await k.call('balances.list', {})).find((b) => b.currency === 'USDT')!.total).toBe(100_000);
    expect(await k.call('fills.list', {})).toHaveLength(1);
    await k.stop();
    kernels.splice(kernels.indexOf(k), 1);
    const k2 = await boot(tmp.dir);
    expect((await k2.call('positions.list', {})).filter((p) => p.quantity !== 0)).toEqual([]);
    await expect(k2.call('paper.reset', { accountId: 'nobody' })).rejects.toThrow(/unknown paper account nobody/);
  });

  it('serves the funding history stored in its data folder', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const store = await ParquetStore.open({ dataDir: tmp.dir });
    const id = 'BINANCEUSDM:BTC/USDT:USDT';
    const t0 = Date.UTC(2024, 7, 8);
    const rates = [0.0001, 0.0002, 0.0003];
    await store.writeFunding(rates.map((rate, i) => ({ instrumentId: id, rate, intervalHours: 8, rate24h: rate * 3, fundingTime: t0 + i * 8 * 3_600_000 })));
    const k = await boot(tmp.dir);
    const rows = await k.call('funding.list', { instrumentId: id, from: t0 + 1 });
    expect(rows.map((r) => [r.fundingTime, r.rate, r.rate24h])).toEqual([
      [t0 + 8 * 3_600_000, 0.0002, 0.0002 * 3],
      [t0 + 16 * 3_600_000, 0.0003, 0.0003 * 3],
    ]);
  });

  it('refuses bad input with messages that name the field, and keeps running', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const k = await boot(tmp.dir);
    const cases: [unknown, RegExp][] = [
      [{ instrumentId: BTC, side: 'buy', type: 'market', quantity: -1 }, /quantity/],
      [{ instrumentId: BTC, side: 'buy', type: 'market', quantity: Number.NaN }, /quantity/],
      [{ instrumentId: BTC, side: 'hold', type: 'market', quantity: 1 }, /side/],
      [{ instrumentId: BTC, side: 'buy', type: 'limit', quantity: 1 }, /limit order needs a price/],
      [{ instrumentId: 'nonsense', side: 'buy', type: 'market', quantity: 1 }, /VENUE:SYMBOL/],
    ];
    for (const [input, message] of cases) {
      const err = await k.callUnknown('orders.submit', input).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(KestrelError);
      expect((err as KestrelError).code).toBe('bad_request');
      expect((err as KestrelError).message).toMatch(message);
    }
    const unknown = await k.call('orders.submit', { instrumentId: 'SIM:NOPE/USDT', side: 'buy', type: 'market', quantity: 1 }).catch((e: unknown) => e);
    expect((unknown as KestrelError).code).toBe('not_found');
    expect((unknown as KestrelError).message).toMatch(/unknown instrument SIM:NOPE\/USDT/);
    expect((await k.callUnknown('no.such', {}).catch((e: unknown) => e)) as KestrelError).toMatchObject({ code: 'not_found' });
    expect((await k.call('state.get', {})).tradingState).toBe('ACTIVE');
  });
});
