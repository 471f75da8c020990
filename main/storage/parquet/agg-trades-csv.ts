/**
 * Binance aggTrades CSV rows parsed straight from bytes: no string per line or field on the normal
 * path (string splitting made the import 3x slower than writing the Parquet). Columns:
 * `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]`.
 */

export type TradeRowSink = (tsMs: number, tsInitMs: number, tradeId: number, price: number, quantity: number, isBuyerMaker: boolean) => void;

/** A row that cannot be imported; the message says which field and why. */
export class TradeRowError extends Error {}

export const AGG_TRADES_HEADER = ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'];

// Times outside this window are seconds or nanoseconds in disguise, not real trade times.
export const MIN_TRADE_TS_MS = Date.UTC(2000, 0, 1);
export const MAX_TRADE_TS_MS = Date.UTC(2100, 0, 1);

/** Epoch ms from a transact_time in ms or µs (Binance's dumps moved spot to µs in 2025). */
export function tradeTimeMs(raw: number, what: string): number {
  const ms = raw >= MAX_TRADE_TS_MS ? Math.floor(raw / 1000) : raw;
  if (!Number.isInteger(raw) || ms < MIN_TRADE_TS_MS || ms >= MAX_TRADE_TS_MS) throw new TradeRowError(`${what} "${raw}" is not an epoch time in ms or µs`);
  return ms;
}

const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

function text(buf: Uint8Array, a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

/** A plain unsigned integer of up to 16 digits, or NaN. */
function parseUint(buf: Uint8Array, a: number, b: number): number {
  if (b <= a || b - a > 16) return Number.NaN;
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * An unsigned decimal such as `61800.30`. With at most 15 significant digits the mantissa and the
 * power of ten are exact doubles, so one division gives the correctly rounded value, the same
 * double Number() returns. Anything else (exponents, very long mantissas) goes through Number().
 */
function parseDecimal(buf: Uint8Array, a: number, b: number): number {
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      if (mantissa !== 0 || c !== ZERO) digits++;
      mantissa = mantissa * 10 + (c - ZERO);
      if (fraction >= 0) fraction++;
    } else if (c === DOT && fraction < 0) fraction = 0;
    else return Number(text(buf, a, b).trim() || 'x');
  }
  if (b === a || (fraction === 0 && b - a === 1)) return Number.NaN;
  if (digits > 15 || fraction > 22) return Number(text(buf, a, b));
  return fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
}

function isBool(buf: Uint8Array, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((buf[a + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

export class AggTradesCsvParser {
  private sawFirstRow = false;
  private readonly commas = new Int32Array(8);

  /** Parses one line `buf[start, end)` (without its newline or carriage return). */
  parseLine(buf: Uint8Array, start: number, end: number, sink: TradeRowSink): void {
    let a = start;
    while (a < end && (buf[a] === 32 || buf[a] === 9)) a++;
    if (a === end) return; // blank line
    if (!this.sawFirstRow) {
      this.sawFirstRow = true;
      if (buf[a]! < ZERO || buf[a]! > NINE) {
        const names = text(buf, start, end).split(',').map((n) => n.trim().toLowerCase());
        if (AGG_TRADES_HEADER.some((n, i) => names[i] !== n)) throw new TradeRowError(`header must start ${AGG_TRADES_HEADER.join(',')}, got "${text(buf, start, Math.min(end, start + 120))}"`);
        return;
      }
    }
    let n = 0;
    for (let i = start; i < end; i++) {
      if (buf[i] === COMMA) {
        if (n === 8) throw new TradeRowError('expected 7 or 8 comma-separated fields, got more');
        this.commas[n++] = i;
      }
    }
    if (n !== 6 && n !== 7) throw new TradeRowError(`expected 7 or 8 comma-separated fields, got ${n + 1}`);
    const c = this.commas;
    const id = parseUint(buf, start, c[0]!);
    if (!Number.isSafeInteger(id)) throw new TradeRowError(`agg_trade_id "${text(buf, start, c[0]!)}" must be a non-negative integer`);
    const price = parseDecimal(buf, c[0]! + 1, c[1]!);
    if (!(price > 0 && price < Number.POSITIVE_INFINITY)) throw new TradeRowError(`price "${text(buf, c[0]! + 1, c[1]!)}" must be a number greater than 0`);
    const quantity = parseDecimal(buf, c[1]! + 1, c[2]!);
    if (!(quantity > 0 && quantity < Number.POSITIVE_INFINITY)) throw new TradeRowError(`quantity "${text(buf, c[1]! + 1, c[2]!)}" must be a number greater than 0`);
    const rawTs = parseUint(buf, c[4]! + 1, c[5]!);
    if (Number.isNaN(rawTs)) throw new TradeRowError(`transact_time "${text(buf, c[4]! + 1, c[5]!)}" must be epoch ms or µs digits`);
    const ts = tradeTimeMs(rawTs, 'transact_time');
    const mEnd = n === 7 ? c[6]! : end;
    let m = c[5]! + 1;
    let e = mEnd;
    while (m < e && buf[m] === 32) m++;
    while (e > m && buf[e - 1] === 32) e--;
    const buyerMaker = isBool(buf, m, e, 'true');
    if (!buyerMaker && !isBool(buf, m, e, 'false')) throw new TradeRowError(`is_buyer_maker "${text(buf, c[5]! + 1, mEnd)}" must be true or false`);
    sink(ts, ts, id, price, quantity, buyerMaker);
  }
}
