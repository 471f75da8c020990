import type { Instrument, OrderSide, Position } from '../../../shared/model/index.js';

export interface PaperPosition {
  instrument: Instrument;
  /** Signed: positive long, negative short. */
  quantity: number;
  avgPrice: number;
  /** Gross of fees; fees are kept apart in `fees`. */
  realizedPnl: number;
  fees: number;
  tsUpdated: number;
}

/**
 * Perps and futures settle PnL into cash (margin accounting); everything else exchanges the full
 * notional (spot, stocks, forex, options), so a buy spends cash and the position holds the value.
 */
export function settlesInCash(instrument: Instrument): boolean {
  return instrument.kind !== 'perp' && instrument.kind !== 'future';
}

export function settlementCurrency(instrument: Instrument): string {
  return instrument.settle ?? instrument.quote;
}

/**
 * One paper account: cash per currency and positions with average price and realized PnL.
 * Both accountings keep equity (cash + position value, marked at the fill price) unchanged by a
 * fill except for its fee.
 */
export class PaperAccount {
  private readonly cash = new Map<string, number>();
  private readonly positions = new Map<string, PaperPosition>();

  constructor(
    readonly accountId: string,
    private readonly initialCash: Readonly<Record<string, number>>,
    readonly leverage: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.cash.clear();
    for (const [currency, amount] of Object.entries(this.initialCash)) this.cash.set(currency, amount);
    this.positions.clear();
  }

  cashOf(currency: string): number {
    return this.cash.get(currency) ?? 0;
  }

  currencies(): string[] {
    return [...this.cash.keys()];
  }

  position(instrumentId: string): PaperPosition | undefined {
    return this.positions.get(instrumentId);
  }

  allPositions(): PaperPosition[] {
    return [...this.positions.values()];
  }

  /** Books one fill; returns the PnL it realized (gross of fee). */
  applyFill(instrument: Instrument, side: OrderSide, quantity: number, price: number, fee: number, tsEvent: number): number {
    const signed = side === 'buy' ? quantity : -quantity;
    const pos = this.positions.get(instrument.instrumentId) ?? {
      instrument,
      quantity: 0,
      avgPrice: 0,
      realizedPnl: 0,
      fees: 0,
      tsUpdated: tsEvent,
    };
    const mult = instrument.multiplier;
    let realized = 0;
    if (pos.quantity === 0 || Math.sign(pos.quantity) === Math.sign(signed)) {
      const newQuantity = pos.quantity + signed;
      pos.avgPrice = (Math.abs(pos.quantity) * pos.avgPrice + quantity * price) / Math.abs(newQuantity);
      pos.quantity = newQuantity;
    } else {
      const closing = Math.min(quantity, Math.abs(pos.quantity));
      realized = closing * (price - pos.avgPrice) * Math.sign(pos.quantity) * mult;
      const opening = quantity - closing;
      const closedQuantity = pos.quantity + Math.sign(signed) * closing;
      // Through zero: the part beyond flat opens a new position at this fill's price.
      if (opening > quantity * 1e-12) {
        pos.quantity = Math.sign(signed) * opening;
        pos.avgPrice = price;
      } else if (Math.abs(closedQuantity) <= Math.abs(pos.quantity) * 1e-12) {
        pos.quantity = 0;
        pos.avgPrice = 0;
      } else {
        pos.quantity = closedQuantity;
      }
    }
    pos.quantity = cleanQuantity(pos.quantity, instrument.lotSize);
    if (pos.quantity === 0) pos.avgPrice = 0;
    pos.realizedPnl += realized;
    pos.fees += fee;
    pos.tsUpdated = tsEvent;
    this.positions.set(instrument.instrumentId, pos);

    const currency = settlementCurrency(instrument);
    const cashDelta = settlesInCash(instrument) ? -signed * price * mult - fee : realized - fee;
    this.cash.set(currency, this.cashOf(currency) + cashDelta);
    return realized;
  }

  restorePosition(instrument: Instrument, p: Position): void {
    this.positions.set(instrument.instrumentId, {
      instrument,
      quantity: p.quantity,
      avgPrice: p.avgPrice,
      realizedPnl: p.realizedPnl,
      fees: p.fees,
      tsUpdated: p.tsUpdated,
    });
  }

  restoreCash(currency: string, amount: number): void {
    this.cash.set(currency, amount);
  }

  /** Value a position adds to equity at `mark`: full value when cash-settled, unrealized PnL on margin. */
  static positionValue(pos: PaperPosition, mark: number): number {
    const mult = pos.instrument.multiplier;
    return settlesInCash(pos.instrument) ? pos.quantity * mark * mult : pos.quantity * (mark - pos.avgPrice) * mult;
  }

  static unrealizedPnl(pos: PaperPosition, mark: number): number {
    return pos.quantity * (mark - pos.avgPrice) * pos.instrument.multiplier;
  }
}

/** Snap to the lot grid so a long closed in three pieces ends at exactly 0. */
function cleanQuantity(quantity: number, lotSize: number): number {
  const lots = Math.round(quantity / lotSize);
  if (Math.abs(quantity / lotSize - lots) < 1e-6) {
    const snapped = lots * lotSize;
    const decimals = Math.max(0, -Math.floor(Math.log10(lotSize)) + 2);
    const fixed = Number(snapped.toFixed(Math.min(decimals, 15)));
    return fixed === 0 ? 0 : fixed;
  }
  return quantity;
}
