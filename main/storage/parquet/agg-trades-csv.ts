import {
  AGG_TRADES_HEADER,
  describeAggTradeRow,
  isAggTradesHeader,
  newAggTradeColumns,
  newAggTradeParseState,
  parseAggTradeLines,
  type AggTradeRowProblem,
} from '../csv/agg-trades.js';

/**
 * Binance aggTrades CSV a line at a time, for readers that handle each row (the import, the replay
 * source): the shared byte parser behind a row sink, with errors that quote the bad field.
 */

export type TradeRowSink = (tsMs: number, tsInitMs: number, tradeId: number, price: number, quantity: number, isBuyerMaker: boolean) => void;

/** A row that cannot be imported; the message says which field and why. */
export class TradeRowError extends Error {
  constructor(
    message: string,
    /** Set for a bad data row, so other readers can word it their way. */
    readonly row?: AggTradeRowProblem,
  ) {
    super(message);
  }
}

function text(buf: Uint8Array, a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

export class AggTradesCsvParser {
  private sawFirstRow: boolean;
  private readonly row = newAggTradeColumns(1);
  private readonly st = newAggTradeParseState(false);

  /** `headerChecked`: the caller has read the header already, so every line is a row. */
  constructor(headerChecked = false) {
    this.sawFirstRow = headerChecked;
  }

  /** Parses one line `buf[start, end)` (without its newline or carriage return). Times come out in whole ms. */
  parseLine(buf: Uint8Array, start: number, end: number, sink: TradeRowSink): void {
    let a = start;
    while (a < end && (buf[a] === 32 || buf[a] === 9)) a++;
    if (a === end) return; // blank line
    if (!this.sawFirstRow) {
      this.sawFirstRow = true;
      if (buf[a]! < 48 || buf[a]! > 57) {
        if (!isAggTradesHeader(text(buf, start, end))) {
          throw new TradeRowError(`header must start ${AGG_TRADES_HEADER.join(',')} (and may add is_best_match), got "${text(buf, start, Math.min(end, start + 120))}"`);
        }
        return;
      }
    }
    const { row, st } = this;
    row.n = 0;
    st.errorReason = '';
    parseAggTradeLines(buf, start, end, row, st);
    if (st.errorReason !== '') {
      const p = describeAggTradeRow(text(buf, start, end), st.errorColumn);
      if (p.fields < 7 || p.fields > 8) throw new TradeRowError(`expected 7 or 8 comma-separated fields, got ${p.fields > 9 ? 'more' : p.fields}`, p);
      throw new TradeRowError(`${p.field} "${p.text}" ${p.problem}`, p);
    }
    if (row.n === 0) return;
    const ts = Math.floor(row.ts[0]!);
    sink(ts, ts, row.id[0]!, row.price[0]!, row.qty[0]!, row.side[0] === 1);
  }
}
