import { describe, expect, it } from 'vitest';
import { checkPreTrade, type PreTradeContext } from '../../../../main/risk/pre-trade-checks.js';
import type { Instrument, SubmitOrder } from '../../../../shared/model/index.js';

const inst: Instrument = {
  instrumentId: 'SIM:BTC/USDT:USDT', venue: 'SIM', symbol: 'BTC/USDT:USDT', kind: 'perp', base: 'BTC', quote: 'USDT',
  tickSize: 0.1, lotSize: 0.001, minNotional: 5, multiplier: 1, simulated: true, active: true,
};
const ctx = (over: Partial<PreTradeContext> = {}): PreTradeContext => ({
  tradingState: { state: 'ACTIVE', reason: '', changedBy: 'x', tsChanged: 0 },
  instrument: inst,
  accountKnown: true,
  referencePrice: 100_000,
  isFlatten: false,
  ...over,
});
const cmd = (over: Partial<SubmitOrder> = {}): SubmitOrder => ({ instrumentId: inst.instrumentId, side: 'buy', type: 'market', quantity: 0.01, ...over });

describe('checkPreTrade', () => {
  it('passes a sound order', () => expect(checkPreTrade(cmd(), ctx())).toEqual({ ok: true }));
  it('refuses everything but flattening while halted, saying trading is halted and why', () => {
    const halted = ctx({ tradingState: { state: 'HALTED', reason: 'fat finger', changedBy: 'u', tsChanged: 1 } });
    expect(checkPreTrade(cmd(), halted)).toEqual({ ok: false, code: 'halted', reason: expect.stringMatching(/trading is halted \(fat finger\)/) });
    expect(checkPreTrade(cmd(), { ...halted, isFlatten: true })).toEqual({ ok: true });
  });
  it('names the unknown instrument or account', () => {
    expect(checkPreTrade(cmd(), ctx({ instrument: undefined }))).toMatchObject({ code: 'not_found', reason: 'unknown instrument SIM:BTC/USDT:USDT' });
    expect(checkPreTrade(cmd({ accountId: 'x' }), ctx({ accountKnown: false }))).toMatchObject({ code: 'not_found', reason: 'unknown account x' });
  });
  it('enforces lot size, tick size, minimum notional and a live price for market orders', () => {
    expect(checkPreTrade(cmd({ quantity: 0.0015 }), ctx())).toMatchObject({ ok: false, reason: expect.stringMatching(/lot size 0.001/) });
    expect(checkPreTrade(cmd({ type: 'limit', price: 100.05 }), ctx())).toMatchObject({ ok: false, reason: expect.stringMatching(/tick size 0.1/) });
    expect(checkPreTrade(cmd({ quantity: 0.001 }), ctx({ referencePrice: 1000 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/below the minimum 5/) });
    expect(checkPreTrade(cmd(), ctx({ referencePrice: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/no market price yet/) });
  });
});
