import { describe, expect, it } from 'vitest';
import { createChartStore, mergeBar } from '../../../../renderer/stores/chart-store.js';
import { FakeClient } from '../support/fake-client.js';
import { bar, INSTRUMENT } from '../support/samples.js';

const MIN = 60_000;

describe('chart store', () => {
  it('updates the forming bar in place and appends the next minute', () => {
    let r = mergeBar([bar(0, 10)], bar(0, 11));
    expect(r.bars.map((b) => b.close)).toEqual([11]);
    expect(r.change.kind).toBe('update');
    r = mergeBar(r.bars, bar(MIN, 12));
    expect(r.bars.map((b) => [b.openTime, b.close])).toEqual([
      [0, 11],
      [MIN, 12],
    ]);
  });

  it('asks for a full redraw when a late bar lands before the last one', () => {
    const r = mergeBar([bar(0, 1), bar(2 * MIN, 3)], bar(MIN, 2));
    expect(r.bars.map((b) => b.openTime)).toEqual([0, MIN, 2 * MIN]);
    expect(r.change.kind).toBe('reset');
  });

  it('loads history, then lays live bars received meanwhile on top of it', async () => {
    const client = new FakeClient().answer('bars.list', () => [bar(MIN, 5, { final: true }), bar(0, 4, { final: true })]);
    const store = createChartStore(client);
    client.defer('bars.list');
    const showing = store.getState().show(INSTRUMENT);
    store.getState().applyBar(bar(MIN, 6));
    store.getState().applyBar(bar(2 * MIN, 7));
    store.getState().applyBar(bar(2 * MIN, 8, { instrumentId: 'SIM:ETH/USDT:USDT' }));
    client.release('bars.list');
    await showing;
    expect(store.getState().bars.map((b) => [b.openTime, b.close])).toEqual([
      [0, 4],
      [MIN, 6],
      [2 * MIN, 7],
    ]);
    expect(client.calls[0]).toEqual({ method: 'bars.list', input: { instrumentId: INSTRUMENT, interval: '1m', limit: 500 } });
  });

  it('drops the answer for an instrument the user already left', async () => {
    const client = new FakeClient().answer('bars.list', (q) => [bar(0, q.instrumentId === INSTRUMENT ? 1 : 2, { instrumentId: q.instrumentId })]);
    const store = createChartStore(client);
    client.defer('bars.list');
    const first = store.getState().show(INSTRUMENT);
    const second = store.getState().show('SIM:ETH/USDT:USDT');
    client.release('bars.list');
    await Promise.all([first, second]);
    expect(store.getState().instrumentId).toBe('SIM:ETH/USDT:USDT');
    expect(store.getState().bars.map((b) => b.close)).toEqual([2]);
  });
});
