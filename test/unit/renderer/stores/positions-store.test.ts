import { describe, expect, it } from 'vitest';
import type { Position } from '../../../../shared/model/index.js';
import { createPositionsStore, upsertPositions } from '../../../../renderer/stores/positions-store.js';
import { FakeClient } from '../support/fake-client.js';
import { INSTRUMENT } from '../support/samples.js';

const pos = (over: Partial<Position>): Position => ({
  accountId: 'paper',
  instrumentId: INSTRUMENT,
  quantity: 1,
  avgPrice: 100,
  realizedPnl: 0,
  unrealizedPnl: 0,
  markPrice: 100,
  fees: 0,
  tsUpdated: 1,
  ...over,
});

describe('positions store', () => {
  it('upserts by account and instrument and keeps the newer version', () => {
    const eth = pos({ instrumentId: 'SIM:ETH/USDT:USDT', quantity: -3 });
    let list = upsertPositions([], [pos({ quantity: 1, tsUpdated: 5 }), eth]);
    list = upsertPositions(list, [pos({ quantity: 2, tsUpdated: 4 })]);
    expect(list.find((p) => p.instrumentId === INSTRUMENT)?.quantity).toBe(1);
    list = upsertPositions(list, [pos({ quantity: 0, realizedPnl: 12, tsUpdated: 6 })]);
    expect(list.map((p) => [p.instrumentId, p.quantity])).toEqual([
      [INSTRUMENT, 0],
      ['SIM:ETH/USDT:USDT', -3],
    ]);
  });

  it('forgets the positions of reset accounts only', () => {
    const store = createPositionsStore(new FakeClient());
    store.getState().applyPositions([pos({ accountId: 'paper' }), pos({ accountId: 'other' }), pos({ accountId: 'paper', instrumentId: 'SIM:AAPL' })]);
    store.getState().dropAccounts(['paper']);
    expect(store.getState().positions.map((p) => p.accountId)).toEqual(['other']);
  });
});
