import type { Instrument, SubmitOrder } from '../../shared/model/index.js';
import type { TradingState } from '../../shared/model/index.js';

export interface PreTradeContext {
  tradingState: TradingState;
  instrument: Instrument | undefined;
  accountKnown: boolean;
  /** Latest reference price (last or mid) for notional checks, if any. */
  referencePrice: number | null;
  /** Orders tagged as flattening after a halt may pass the halt, and only those. */
  isFlatten: boolean;
}

export type PreTradeVerdict = { ok: true } | { ok: false; code: 'halted' | 'not_found' | 'refused'; reason: string };

const deny = (code: 'halted' | 'not_found' | 'refused', reason: string): PreTradeVerdict => ({ ok: false, code, reason });

const onGrid = (value: number, step: number): boolean => {
  const k = value / step;
  return Math.abs(k - Math.round(k)) < 1e-6;
};

/** A column of guard clauses; every denial names what was refused and why, in plain words. */
export function checkPreTrade(cmd: SubmitOrder, ctx: PreTradeContext): PreTradeVerdict {
  if (ctx.tradingState.state === 'HALTED' && !ctx.isFlatten) {
    return deny('halted', `trading is halted (${ctx.tradingState.reason}); re-arm trading before placing orders`);
  }
  if (!ctx.accountKnown) return deny('not_found', `unknown account ${cmd.accountId}`);
  const inst = ctx.instrument;
  if (!inst) return deny('not_found', `unknown instrument ${cmd.instrumentId}`);
  if (!inst.active) return deny('refused', `${inst.instrumentId} is not tradable now`);
  if (cmd.quantity < inst.lotSize || !onGrid(cmd.quantity, inst.lotSize)) {
    return deny('refused', `quantity ${cmd.quantity} must be a multiple of the lot size ${inst.lotSize} for ${inst.instrumentId}`);
  }
  if (cmd.price !== undefined && !onGrid(cmd.price, inst.tickSize)) {
    return deny('refused', `price ${cmd.price} must be a multiple of the tick size ${inst.tickSize} for ${inst.instrumentId}`);
  }
  const px = cmd.price ?? ctx.referencePrice;
  if (cmd.type === 'market' && px === null) return deny('refused', `no market price yet for ${inst.instrumentId}; a market order needs a live quote`);
  if (px !== null && inst.minNotional > 0 && px * cmd.quantity * inst.multiplier < inst.minNotional) {
    return deny('refused', `order value ${(px * cmd.quantity).toFixed(2)} is below the minimum ${inst.minNotional} for ${inst.instrumentId}`);
  }
  return { ok: true };
}
