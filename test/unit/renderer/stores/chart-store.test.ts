import { describe, expect, it } from 'vitest';
import { CHART_INTERVAL_KEY, CHART_INTERVALS, createChartStore, mergeBar } from '../../../../renderer/stores/chart-store.js';
import type { KeyValueStorage } from '../../../../renderer/stores/key-value-storage.js';
import { FakeClient } from '../support/fake-client.js';
import { bar, INSTRUMENT } from '../support/samples.js';

const MIN = 60_000;

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

/** Answers bars.list with one bar of the asked interval, so a test sees which interval was loaded. */
const barsClient = () => new FakeClient().answer('bars.list', (q) => [bar(0, 1, { instrumentId: q.instrumentId, interval: q.interval ?? '1m' })]);

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

  it('switches the interval: reloads history for it, follows its live bars only, and remembers it', async () => {
    const client = barsClient();
    const storage = memoryStorage();
    const store = createChartStore(client, { storage });
    await store.getState().show(INSTRUMENT);
    await store.getState().selectInterval('5m');
    expect(client.calls.at(-1)).toEqual({ method: 'bars.list', input: { instrumentId: INSTRUMENT, interval: '5m', limit: 500 } });
    expect(store.getState().bars.map((b) => b.interval)).toEqual(['5m']);
    store.getState().applyBar(bar(MIN, 2, { interval: '1m' }));
    store.getState().applyBar(bar(5 * MIN, 3, { interval: '5m' }));
    expect(store.getState().bars.map((b) => [b.interval, b.openTime])).toEqual([
      ['5m', 0],
      ['5m', 5 * MIN],
    ]);
    expect(storage.data.get(CHART_INTERVAL_KEY)).toBe('5m');
  });

  it('opens at the interval remembered for the session, unless it is not one it offers', async () => {
    const client = barsClient();
    const store = createChartStore(client, { storage: memoryStorage({ [CHART_INTERVAL_KEY]: '4h' }) });
    expect(store.getState().interval).toBe('4h');
    await store.getState().show(INSTRUMENT);
    expect(client.calls[0]?.input).toMatchObject({ interval: '4h' });
    expect(createChartStore(client, { storage: memoryStorage({ [CHART_INTERVAL_KEY]: '15m' }) }).getState().interval).toBe('1m');
  });

  it('offers exactly the intervals the core aggregates by default, and ignores any other', async () => {
    expect([...CHART_INTERVALS]).toEqual(['1m', '5m', '1h', '4h', '8h', '12h', '24h']);
    const client = barsClient();
    const store = createChartStore(client);
    await store.getState().show(INSTRUMENT);
    await store.getState().selectInterval('15m');
    expect(store.getState().interval).toBe('1m');
    expect(client.calls).toHaveLength(1);
  });

  it('steps through the intervals with wrap-around', async () => {
    const store = createChartStore(barsClient());
    await store.getState().stepInterval(-1);
    expect(store.getState().interval).toBe('24h');
    await store.getState().stepInterval(1);
    await store.getState().stepInterval(1);
    expect(store.getState().interval).toBe('5m');
  });

  it('drops a history answer for the interval the user already left', async () => {
    const client = barsClient();
    const store = createChartStore(client);
    await store.getState().show(INSTRUMENT);
    client.defer('bars.list');
    const toHour = store.getState().selectInterval('1h');
    const toFour = store.getState().selectInterval('4h');
    client.release('bars.list');
    await Promise.all([toHour, toFour]);
    expect(store.getState().interval).toBe('4h');
    expect(store.getState().bars.map((b) => b.interval)).toEqual(['4h']);
  });
});
