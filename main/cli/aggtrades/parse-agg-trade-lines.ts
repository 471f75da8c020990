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
  msRows: number;
  usRows: number;
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
  return { line: firstLine, skipBad, badRows: 0, badSamples: [], errorLine: 0, errorReason: '', msRows: 0, usRows: 0 };
}

/**
 * Parses Binance aggTrades rows straight from bytes — `agg_trade_id,price,quantity,first_trade_id,
 * last_trade_id,transact_time,is_buyer_maker[,is_best_match]` — from `start` up to `end`, which must
 * be the end of a line. Stops early when the columns are full or (without skipBad) at a bad row,
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

  /** A decimal field the fast path declined (exponent, sign, > 15 digits): Number() on its text. */
  const slowDecimal = (from: number): [number, number] => {
    let j = from;
    while (j < end && buf[j] !== 44 && buf[j] !== 10 && buf[j] !== 13) j++;
    let text = '';
    for (let k = from; k < j; k++) text += String.fromCharCode(buf[k]!);
    const v = text.trim() === '' ? NaN : Number(text);
    return [v, j];
  };

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
          const r = slowDecimal(f);
          price = r[0];
          i = r[1];
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
          const r = slowDecimal(f);
          qty = r[0];
          i = r[1];
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
      c = buf[i]! | 0x20;
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
      c = buf[i]!;
      if (c === 44) {
        // spot files add is_best_match
        i++;
        while (((c = buf[i]!) | 0x20) >= 97 && (c | 0x20) <= 122) i++;
      }
      if (c === 13) c = buf[++i]!;
      if (c !== 10) {
        reason = 'unexpected text after is_buyer_maker (expected 7 or 8 columns)';
        break parse;
      }
      i++;
    }
    if (reason !== '') {
      const at = buf[i];
      if ((at === 10 || at === 13) && !reason.startsWith('unexpected')) reason = `the row ends early: ${reason}`;
      st.badRows++;
      if (st.badSamples.length < 20) st.badSamples.push({ line: st.line, reason });
      if (!st.skipBad) {
        st.errorLine = st.line;
        st.errorReason = reason;
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
