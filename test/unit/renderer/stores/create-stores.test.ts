import { describe, expect, it } from 'vitest';
import { createStores } from '../../../../renderer/stores/create-stores.js';
import { FakeClient } from '../support/fake-client.js';
import { account, bar, fill, INSTRUMENT, order, trade } from '../support/samples.js';

const ETH = 'SIM:ETH/USDT:USDT';

function scriptedClient(): FakeClient {
  return new FakeClient()
    .answer('instruments.list', () => [])
    .answer('quotes.list', () => [
      { instrumentId: INSTRUMENT, bid: 1, ask: 2, last: 1.5, ts: 1, simulated: true },
      { instrumentId: ETH, bid: 3, ask: 4, last: 3.5, ts: 1, simulated: true },
    ])
    .answer('orders.list', () => [])
    .answer('fills.list', () => [])
    .answer('positions.list', () => [])
    .answer('balances.list', () => [])
    .answer('accounts.list', () => [account('paper'), account('binance-live', { mode: 'live', venue: 'BINANCE' })])
    .answer('bars.list', (q) => [bar(0, 1, { instrumentId: q.instrumentId })])
    .answer('state.get', () => ({
      tradingState: 'ACTIVE',
      tradingStateReason: 'initial state',
      tsChanged: 1,
      gateways: [],
      workers: [{ worker: 'execution', alive: true, restarts: 0 }],
      simulated: true,
      version: '0.1.0',
      barIntervals: ['1m', '15m', '1h'],
    }));
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('createStores', () => {
  it('loads every snapshot on connect and routes events to the right store', async () => {
    const client = scriptedClient();
    const stores = createStores(client);
    await stores.loadAll();
    await settle();
    expect(stores.system.getState().trading?.state).toBe('ACTIVE');
    expect(stores.market.getState().selectedInstrumentId).toBe(INSTRUMENT);
    expect(stores.ticket.getState().fields.instrumentId).toBe(INSTRUMENT);
    expect(stores.chart.getState().instrumentId).toBe(INSTRUMENT);
    // The chart offers exactly the intervals the core says it aggregates.
    expect(stores.chart.getState().intervals).toEqual(['1m', '15m', '1h']);

    client.emit('order', order({ status: 'open' }));
    client.emit('fill', fill());
    client.emit('bar', bar(0, 9));
    client.emit('tradingState', { state: 'HALTED', reason: 'test halt', changedBy: 'user', tsChanged: 5 });
    expect(stores.orders.getState().rows).toHaveLength(1);
    expect(stores.fills.getState().fills).toHaveLength(1);
    expect(stores.chart.getState().bars.at(-1)?.close).toBe(9);
    expect(stores.system.getState().trading?.reason).toBe('test halt');
    expect(stores.notices.getState().notices.map((n) => n.title)).toContain('Trading halted');
    stores.dispose();
  });

  it('tells the user about a crashed worker and replaces the notice when it is back', async () => {
    const client = scriptedClient();
    const stores = createStores(client);
    await stores.loadAll();
    client.emit('worker', { worker: 'execution', kind: 'crashed', detail: 'exit code 1', tsEvent: 2 });
    expect(stores.notices.getState().notices.map((n) => [n.level, n.title])).toEqual([['error', 'Worker "execution" crashed']]);
    expect(stores.system.getState().workers[0]?.alive).toBe(false);
    client.emit('worker', { worker: 'execution', kind: 'restarted', detail: null, tsEvent: 3 });
    expect(stores.notices.getState().notices.map((n) => [n.level, n.title])).toEqual([['warn', 'Worker "execution" crashed and was restarted']]);
    expect(stores.system.getState().workers[0]).toMatchObject({ alive: true, restarts: 1 });
    stores.dispose();
  });

  it('charts and tickets the instrument the user picks', async () => {
    const client = scriptedClient();
    const stores = createStores(client);
    await stores.loadAll();
    stores.market.getState().select(ETH);
    await settle();
    expect(stores.chart.getState().instrumentId).toBe(ETH);
    expect(stores.chart.getState().bars[0]?.instrumentId).toBe(ETH);
    expect(stores.ticket.getState().fields.instrumentId).toBe(ETH);
    stores.dispose();
  });

  it('tickets the first account, and moves off an account the core no longer lists', async () => {
    const client = scriptedClient();
    const stores = createStores(client);
    await stores.loadAll();
    expect(stores.ticket.getState().fields.accountId).toBe('paper');
    stores.ticket.getState().setField('accountId', 'binance-live');
    client.answer('accounts.list', () => [account('paper-2')]);
    await stores.accounts.getState().load();
    expect(stores.ticket.getState().fields.accountId).toBe('paper-2');
    stores.dispose();
  });

  it('puts the selected instrument’s trades on the tape and starts it over on another pick', async () => {
    const client = scriptedClient();
    const stores = createStores(client);
    await stores.loadAll();
    client.emit('trades', [trade('1', 1), trade('e1', 1, { instrumentId: ETH })]);
    stores.tape.getState().flush();
    expect(stores.tape.getState().trades.map((t) => t.tradeId)).toEqual(['1']);
    stores.market.getState().select(ETH);
    expect(stores.tape.getState().trades).toEqual([]);
    client.emit('trades', [trade('e2', 2, { instrumentId: ETH })]);
    stores.tape.getState().flush();
    expect(stores.tape.getState().trades.map((t) => t.tradeId)).toEqual(['e2']);
    stores.dispose();
  });

  it('after a paper reset shows the account without positions and with its cash read again', async () => {
    const client = scriptedClient();
    const position = { accountId: 'paper', instrumentId: INSTRUMENT, quantity: 1, avgPrice: 100, realizedPnl: 0, unrealizedPnl: 0, markPrice: 100, fees: 0, tsUpdated: 1 };
    client.answer('positions.list', () => [position]).answer('balances.list', () => [{ accountId: 'paper', currency: 'USD', total: 90_000, free: 90_000, used: 0, tsUpdated: 1 }]);
    const stores = createStores(client);
    await stores.loadAll();
    expect(stores.positions.getState().positions).toHaveLength(1);

    client
      .answer('paper.reset', (q) => ({ accounts: [q.accountId ?? 'paper'] }))
      .answer('positions.list', () => [])
      .answer('balances.list', () => [{ accountId: 'paper', currency: 'USD', total: 100_000, free: 100_000, used: 0, tsUpdated: 2 }]);
    expect(await stores.accounts.getState().resetPaper('paper')).toBe(true);
    expect(stores.positions.getState().positions).toEqual([]);
    expect(stores.positions.getState().balances.map((b) => b.total)).toEqual([100_000]);
    expect(stores.notices.getState().notices.map((n) => n.title)).toContain('Paper account "paper" reset');
    stores.dispose();
  });
});
