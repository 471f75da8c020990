/**
 * The one parser of Binance aggTrades CSV rows (data.binance.vision): `agg_trade_id,price,quantity,
 * first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]`, header optional,
 * transact_time in ms or µs. `kestrel aggregate` reads the columns straight; the import's per-line
 * parser and the replay source are built on the same function and word its errors for their users.
 */

export const AGG_TRADES_HEADER = ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'];

/** The column names, in order, with spot's optional `is_best_match` after them. */
export function isAggTradesHeader(line: string): boolean {
  const names = line.split(',').map((s) => s.trim().toLowerCase());
  return names.slice(0, 7).join(',') === AGG_TRADES_HEADER.join(',') && (names.length === 7 || (names.length === 8 && names[7] === 'is_best_match'));
}

/** Parsed aggTrades rows, in columns; `n` rows filled of the arrays' capacity. */
export interface AggTradeColumns {
  n: number;
  id: Float64Array;
  /** transact_time in ms (µs inputs divided by 1000, keeping the fraction). */
  ts: Float64Array;
  price: Float64Array;
  qty: Float64Array;
  /** 1 when the buyer was the maker (the taker sold). */
  side: Uint8Array;
}

export interface AggTradeParseState {
  /** 1-based number of the next line to read. */
  line: number;
  skipBad: boolean;
  badRows: number;
  /** Up to 20 bad rows, for the summary. */
  badSamples: { line: number; reason: string }[];
  /** Set when a bad row stops the parse (skipBad false). */
  errorLine: number;
  errorReason: string;
  /** 0-based column the stopping row went wrong in (7: after is_buyer_maker), for per-consumer wording. */
  errorColumn: number;
  msRows: number;
  usRows: number;
}

/** A stopped row as its reader shows it: the field count, and the field that is wrong, quoted. */
export interface AggTradeRowProblem {
  fields: number;
  field: string;
  text: string;
  problem: string;
}

/** Words for the row parseAggTradeLines stopped at (`column` from its state); off the fast path, so strings are fine. */
export function describeAggTradeRow(line: string, column: number): AggTradeRowProblem {
  const cells = line.split(',');
  const field = column < 7 ? AGG_TRADES_HEADER[column]! : 'is_best_match';
  const text = cells[column] ?? '';
  let problem = 'must be true or false';
  if (column === 0 || column === 3 || column === 4) problem = 'must be a non-negative integer';
  else if (column === 1 || column === 2) problem = 'must be a number greater than 0';
  else if (column === 5) problem = /^\d+$/.test(text) ? 'is not an epoch time in ms or µs' : 'must be epoch ms or µs digits';
  return { fields: cells.length, field, text, problem };
}

export function newAggTradeColumns(capacity: number): AggTradeColumns {
  return {
    n: 0,
    id: new Float64Array(capacity),
    ts: new Float64Array(capacity),
    price: new Float64Array(capacity),
    qty: new Float64Array(capacity),
    side: new Uint8Array(capacity),
  };
}

export function newAggTradeParseState(skipBad: boolean, firstLine = 1): AggTradeParseState {
  return { line: firstLine, skipBad, badRows: 0, badSamples: [], errorLine: 0, errorReason: '', errorColumn: 0, msRows: 0, usRows: 0 };
}

/**
 * Parses Binance aggTrades rows straight from bytes — `agg_trade_id,price,quantity,first_trade_id,
 * last_trade_id,transact_time,is_buyer_maker[,is_best_match]` — from `start` up to `end`, which must
 * be the end of a line (after its newline, or the end of `buf` for a last line without one). Lines of
 * only spaces are skipped; spaces around price, quantity and the booleans are allowed. Stops early when the columns are full or (without skipBad) at a bad row,
 * and returns where it stopped (a line start).
 *
 * Decimal fields of up to 15 digits are read as integer / 10^k, which IEEE division rounds exactly
 * like parseFloat; longer ones or exponents go through Number(). Times of 10^14 and more are µs.
 *
 * Self-contained on purpose (no imports, no outer names): its source is also run, via toString(),
 * in the worker thread that scans the second half of a large file.
 */
export function parseAggTradeLines(buf: Uint8Array, start: number, end: number, out: AggTradeColumns, st: AggTradeParseState): number {
  const P10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
  // 2009-01-01 .. 2100-01-01 in ms: anything else is a broken time (e.g. ns) rather than a quiet market.
  const MIN_MS = 1230768000000;
  const MAX_MS = 4102444800000;
  const cap = out.id.length;
  const ids = out.id;
  const tss = out.ts;
  const prices = out.price;
  const qtys = out.qty;
  const sides = out.side;
  let n = out.n;
  let i = start;

  while (i < end && n < cap) {
    const lineStart = i;
    let c = buf[i]!;
    if (c === 10) {
      i++;
      st.line++;
      continue;
    }
    if (c === 13 && buf[i + 1] === 10) {
      i += 2;
      st.line++;
      continue;
    }
    let reason = '';
    let id = 0;
    let price = 0;
    let qty = 0;
    let ts = 0;
    let side = 0;
    parse: {
      // agg_trade_id
      let nd = 0;
      while ((c = buf[i]!) >= 48 && c <= 57) {
        id = id * 10 + (c - 48);
        i++;
        nd++;
      }
      if (nd === 0 || nd > 15 || c !== 44) {
        reason = 'agg_trade_id must be a whole number';
        break parse;
      }
      i++;
      // price
      {
        const f = i;
        let m = 0;
        let d = 0;
        let digits = 0;
        let dot = false;
        for (;;) {
          c = buf[i]!;
          if (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            digits++;
            if (dot) d++;
            i++;
          } else if (c === 46 && !dot) {
            dot = true;
            i++;
          } else break;
        }
        if (c === 44 && digits > 0 && digits <= 15) price = m / P10[d]!;
        else {
          // Declined by the fast path (exponent, sign, > 15 digits): Number() on the text. Inline, not a
          // nested helper: creating one on every call (tsx's keepNames even renames it) made per-line use 4x slower.
          let text = '';
          for (i = f; i < end && (c = buf[i]!) !== 44 && c !== 10 && c !== 13; i++) text += String.fromCharCode(c);
          price = text.trim() === '' ? NaN : Number(text);
          c = buf[i]!;
        }
      }
      if (c !== 44) {
        reason = 'price is missing or is not a number';
        break parse;
      }
      if (!(price > 0 && price < Infinity)) {
        reason = 'price must be a number greater than 0';
        break parse;
      }
      i++;
      // quantity
      {
        const f = i;
        let m = 0;
        let d = 0;
        let digits = 0;
        let dot = false;
        for (;;) {
          c = buf[i]!;
          if (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            digits++;
            if (dot) d++;
            i++;
          } else if (c === 46 && !dot) {
            dot = true;
            i++;
          } else break;
        }
        if (c === 44 && digits > 0 && digits <= 15) qty = m / P10[d]!;
        else {
          let text = '';
          for (i = f; i < end && (c = buf[i]!) !== 44 && c !== 10 && c !== 13; i++) text += String.fromCharCode(c);
          qty = text.trim() === '' ? NaN : Number(text);
          c = buf[i]!;
        }
      }
      if (c !== 44) {
        reason = 'quantity is missing or is not a number';
        break parse;
      }
      if (!(qty > 0 && qty < Infinity)) {
        reason = 'quantity must be a number greater than 0';
        break parse;
      }
      i++;
      // first_trade_id, last_trade_id: checked, not kept
      nd = 0;
      while ((c = buf[i]!) >= 48 && c <= 57) {
        i++;
        nd++;
      }
      if (nd === 0 || c !== 44) {
        reason = 'first_trade_id must be a whole number';
        break parse;
      }
      i++;
      nd = 0;
      while ((c = buf[i]!) >= 48 && c <= 57) {
        i++;
        nd++;
      }
      if (nd === 0 || c !== 44) {
        reason = 'last_trade_id must be a whole number';
        break parse;
      }
      i++;
      // transact_time (ms, or µs since Binance's 2025 spot files)
      nd = 0;
      let t = 0;
      while ((c = buf[i]!) >= 48 && c <= 57) {
        t = t * 10 + (c - 48);
        i++;
        nd++;
      }
      if (nd === 0 || c !== 44) {
        reason = 'transact_time must be a whole number of ms or µs';
        break parse;
      }
      const micros = t >= 1e14;
      ts = micros ? t / 1000 : t;
      if (!(ts >= MIN_MS && ts < MAX_MS)) {
        reason = `transact_time ${t} is not a time between 2009 and 2100 in ms or µs`;
        break parse;
      }
      if (micros) st.usRows++;
      else st.msRows++;
      i++;
      // is_buyer_maker: true/false in any case
      c = buf[i]!;
      while (c === 32 || c === 9) c = buf[++i]!;
      c |= 0x20;
      if (c === 116 && (buf[i + 1]! | 0x20) === 114 && (buf[i + 2]! | 0x20) === 117 && (buf[i + 3]! | 0x20) === 101) {
        side = 1;
        i += 4;
      } else if (c === 102 && (buf[i + 1]! | 0x20) === 97 && (buf[i + 2]! | 0x20) === 108 && (buf[i + 3]! | 0x20) === 115 && (buf[i + 4]! | 0x20) === 101) {
        side = 0;
        i += 5;
      } else {
        reason = 'is_buyer_maker must be true or false';
        break parse;
      }
      const afterMaker = i;
      c = buf[i]!;
      if (c === 44) {
        // spot files add is_best_match
        i++;
        while (((c = buf[i]!) | 0x20) >= 97 && (c | 0x20) <= 122) i++;
      }
      if (c === 13) c = buf[++i]!;
      if (c !== 10 && i < end) {
        // Rare: spaces around the booleans (hand-edited files); the common rows never come here.
        i = afterMaker;
        while ((c = buf[i]!) === 32 || c === 9) i++;
        if (c === 44) {
          i++;
          while ((c = buf[i]!) === 32 || c === 9) i++;
          while (((c = buf[i]!) | 0x20) >= 97 && (c | 0x20) <= 122) i++;
          while ((c = buf[i]!) === 32 || c === 9) i++;
        }
        if (c === 13) c = buf[++i]!;
        if (c !== 10 && i < end) {
          reason = 'unexpected text after is_buyer_maker (expected 7 or 8 columns)';
          break parse;
        }
      }
      i++;
    }
    if (reason !== '') {
      let blank = lineStart;
      while (buf[blank] === 32 || buf[blank] === 9) blank++;
      if (blank >= end || buf[blank] === 10 || buf[blank] === 13) {
        // A line of only spaces is as blank as an empty one.
        while (i < end && buf[i] !== 10) i++;
        i++;
        st.line++;
        continue;
      }
      const at = buf[i];
      if ((at === 10 || at === 13) && !reason.startsWith('unexpected')) reason = `the row ends early: ${reason}`;
      st.badRows++;
      if (st.badSamples.length < 20) st.badSamples.push({ line: st.line, reason });
      if (!st.skipBad) {
        let column = 0;
        for (let k = lineStart; k < i; k++) if (buf[k] === 44) column++;
        st.errorLine = st.line;
        st.errorReason = reason;
        st.errorColumn = column;
        out.n = n;
        return lineStart;
      }
      while (i < end && buf[i] !== 10) i++;
      i++;
      st.line++;
      continue;
    }
    ids[n] = id;
    tss[n] = ts;
    prices[n] = price;
    qtys[n] = qty;
    sides[n] = side;
    n++;
    st.line++;
  }
  out.n = n;
  return i;
}
