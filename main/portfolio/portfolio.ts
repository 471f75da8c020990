import type { Fill, Position } from '../../shared/model/index.js';

interface Book {
  accountId: string;
  instrumentId: string;
  quantity: number;
  avgPrice: number;
  realizedPnl: number;
  fees: number;
  tsUpdated: number;
}

const EPS = 1e-12;

/**
 * Positions derived from fills only (never from a venue's word alone): average price on the open
 * side, realized PnL when reducing, flips through zero split into a close and a new open.
 * Marks come from quotes for unrealized PnL.
 */
export class Portfolio {
  private readonly books = new Map<string, Book>();
  private readonly marks = new Map<string, number>();
  private readonly cash = new Map<string, number>();

  constructor(private readonly initialCash: Record<string, number> = {}) {}

  applyFill(f: Fill): void {
    const key = `${f.accountId}|${f.instrumentId}`;
    let b = this.books.get(key);
    if (!b) {
      b = { accountId: f.accountId, instrumentId: f.instrumentId, quantity: 0, avgPrice: 0, realizedPnl: 0, fees: 0, tsUpdated: f.tsEvent };
      this.books.set(key, b);
    }
    const signed = f.side === 'buy' ? f.quantity : -f.quantity;
    b.fees += f.fee;
    b.tsUpdated = f.tsEvent;
    this.cash.set(f.accountId, this.cashOf(f.accountId) - signed * f.price - f.fee);
    if (Math.abs(b.quantity) < EPS || Math.sign(b.quantity) === Math.sign(signed)) {
      const q = b.quantity + signed;
      b.avgPrice = (Math.abs(b.quantity) * b.avgPrice + Math.abs(signed) * f.price) / Math.abs(q);
      b.quantity = q;
      return;
    }
    const closing = Math.min(Math.abs(signed), Math.abs(b.quantity));
    b.realizedPnl += closing * (f.price - b.avgPrice) * Math.sign(b.quantity);
    const q = b.quantity + signed;
    if (Math.abs(q) < EPS) {
      b.quantity = 0;
      b.avgPrice = 0;
    } else if (Math.sign(q) !== Math.sign(b.quantity)) {
      b.quantity = q;
      b.avgPrice = f.price;
    } else {
      b.quantity = q;
    }
  }

  /** A paper account starting over: its positions and cash history are forgotten. */
  resetAccount(accountId: string): void {
    for (const [key, b] of this.books) if (b.accountId === accountId) this.books.delete(key);
    this.cash.delete(accountId);
  }

  mark(instrumentId: string, price: number): void {
    if (Number.isFinite(price) && price > 0) this.marks.set(instrumentId, price);
  }

  cashOf(accountId: string): number {
    return this.cash.get(accountId) ?? this.initialCash[accountId] ?? 0;
  }

  positions(): Position[] {
    return [...this.books.values()].map((b) => {
      const mark = this.marks.get(b.instrumentId) ?? null;
      return {
        accountId: b.accountId,
        instrumentId: b.instrumentId,
        quantity: round(b.quantity),
        avgPrice: b.avgPrice,
        realizedPnl: b.realizedPnl,
        unrealizedPnl: mark === null ? 0 : (mark - b.avgPrice) * b.quantity,
        markPrice: mark,
        fees: b.fees,
        tsUpdated: b.tsUpdated,
      };
    });
  }

  position(accountId: string, instrumentId: string): number {
    return round(this.books.get(`${accountId}|${instrumentId}`)?.quantity ?? 0);
  }
}

const round = (x: number): number => Math.round(x * 1e10) / 1e10;
