import { describe, expect, it } from 'vitest';
import type { QuoteRow } from '../../../../shared/api/index.js';
import type { Instrument } from '../../../../shared/model/index.js';
import { createMarketStore } from '../../../../renderer/stores/market-store.js';
import { FakeClient } from '../support/fake-client.js';
import { INSTRUMENT } from '../support/samples.js';

const quote = (over: Partial<QuoteRow>): QuoteRow => ({ instrumentId: INSTRUMENT, bid: 99, ask: 101, last: 100, ts: 1, simulated: true, ...over });
const instrument = (instrumentId: string): Instrument => ({
  instrumentId,
  venue: 'SIM',
  symbol: instrumentId.slice(4),
  kind: 'perp',
  base: 'BTC',
  quote: 'USDT',
  tickSize: 0.1,
  lotSize: 0.001,
  minNotional: 0,
  multiplier: 1,
  simulated: true,
  active: true,
});

describe('market store', () => {
  it('colours each price by its last move and measures change from the first price seen', () => {
    const store = createMarketStore(new FakeClient());
    store.getState().applyQuotes([quote({ ts: 1 })]);
    store.getState().applyQuotes([quote({ ts: 2, bid: 100, ask: 101, last: 98 })]);
    let row = store.getState().rows[0]!;
    expect([row.bidTick, row.askTick, row.lastTick]).toEqual([1, 0, -1]);
    expect(row.change).toBe(-2);
    expect(row.changePct).toBeCloseTo(-2);
    // An unchanged price keeps the colour of its last move.
    store.getState().applyQuotes([quote({ ts: 3, bid: 100, ask: 101, last: 98 })]);
    row = store.getState().rows[0]!;
    expect([row.bidTick, row.lastTick]).toEqual([1, -1]);
  });

  it('ignores a quote older than the one it shows', () => {
    const store = createMarketStore(new FakeClient());
    store.getState().applyQuotes([quote({ ts: 5, last: 105 })]);
    store.getState().applyQuotes([quote({ ts: 4, last: 104 })]);
    expect(store.getState().rows[0]?.last).toBe(105);
  });

  it('selects the first instrument once the list loads, and shows quotes even if the list fails', async () => {
    const ok = new FakeClient().answer('instruments.list', () => [instrument('SIM:ETH/USDT:USDT'), instrument(INSTRUMENT)]).answer('quotes.list', () => [quote({})]);
    const store = createMarketStore(ok);
    await store.getState().load();
    expect(store.getState().selectedInstrumentId).toBe('SIM:ETH/USDT:USDT');
    expect(store.getState().rows.map((r) => [r.instrumentId, r.selected, r.tickSize])).toEqual([
      ['SIM:ETH/USDT:USDT', true, 0.1],
      [INSTRUMENT, false, 0.1],
    ]);

    const failing = new FakeClient().refuse('instruments.list', 'unavailable', 'the simulator is restarting').answer('quotes.list', () => [quote({})]);
    const degraded = createMarketStore(failing);
    await degraded.getState().load();
    expect(degraded.getState().loadError).toBe('could not load instruments: the simulator is restarting');
    expect(degraded.getState().rows.map((r) => r.instrumentId)).toEqual([INSTRUMENT]);
  });
});
