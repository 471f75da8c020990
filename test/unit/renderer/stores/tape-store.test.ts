import { describe, expect, it } from 'vitest';
import { createTapeStore, mergeTrades, TAPE_MAX_TRADES } from '../../../../renderer/stores/tape-store.js';
import { INSTRUMENT, trade } from '../support/samples.js';

const ETH = 'SIM:ETH/USDT:USDT';

/** A timer the test fires by hand, counting how often the store asked for one. */
function manualTimer() {
  const timer = { scheduled: 0, run: null as (() => void) | null, canceled: 0 };
  const schedule = (run: () => void) => {
    timer.scheduled++;
    timer.run = run;
    return () => {
      timer.canceled++;
      timer.run = null;
    };
  };
  const fire = () => {
    const run = timer.run;
    timer.run = null;
    run?.();
  };
  return { timer, schedule, fire };
}

describe('tape store', () => {
  it('orders trades newest first, later arrivals first among equal times, and drops repeats', () => {
    const merged = mergeTrades([trade('2', 20), trade('1', 10)], [trade('3', 30), trade('2', 20), trade('4', 30)]);
    expect(merged.map((t) => t.tradeId)).toEqual(['4', '3', '2', '1']);
  });

  it('keeps only the newest trades', () => {
    const many = Array.from({ length: TAPE_MAX_TRADES + 50 }, (_, i) => trade(String(i), i));
    const merged = mergeTrades([], many);
    expect(merged).toHaveLength(TAPE_MAX_TRADES);
    expect(merged[0]?.tradeId).toBe(String(TAPE_MAX_TRADES + 49));
    expect(merged.at(-1)?.tradeId).toBe('50');
  });

  it('shows the selected instrument only, in one update per flush however many batches arrived', () => {
    const { timer, schedule, fire } = manualTimer();
    const store = createTapeStore({ schedule });
    store.getState().show(INSTRUMENT);
    let updates = 0;
    store.subscribe(() => updates++);
    store.getState().applyTrades([trade('1', 1), trade('e1', 1, { instrumentId: ETH })]);
    store.getState().applyTrades([trade('2', 2)]);
    store.getState().applyTrades([trade('e2', 3, { instrumentId: ETH })]);
    expect(store.getState().trades).toEqual([]);
    expect(timer.scheduled).toBe(1);
    fire();
    expect(updates).toBe(1);
    expect(store.getState().trades.map((t) => t.tradeId)).toEqual(['2', '1']);
    store.getState().applyTrades([trade('3', 3)]);
    expect(timer.scheduled).toBe(2);
  });

  it('asks for no timer while only other instruments trade', () => {
    const { timer, schedule } = manualTimer();
    const store = createTapeStore({ schedule });
    store.getState().show(INSTRUMENT);
    store.getState().applyTrades([trade('e1', 1, { instrumentId: ETH })]);
    expect(timer.scheduled).toBe(0);
  });

  it('starts over for another instrument and drops what was waiting for the old one', () => {
    const { timer, schedule, fire } = manualTimer();
    const store = createTapeStore({ schedule });
    store.getState().show(INSTRUMENT);
    store.getState().applyTrades([trade('1', 1)]);
    fire();
    store.getState().applyTrades([trade('2', 2)]);
    store.getState().show(ETH);
    expect(timer.canceled).toBe(1);
    expect(store.getState()).toMatchObject({ instrumentId: ETH, trades: [] });
    store.getState().applyTrades([trade('e1', 5, { instrumentId: ETH })]);
    fire();
    expect(store.getState().trades.map((t) => t.tradeId)).toEqual(['e1']);
  });
});
