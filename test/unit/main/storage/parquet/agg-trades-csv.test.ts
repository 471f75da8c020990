import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggTradesCsvParser, TradeRowError } from '../../../../../main/storage/parquet/agg-trades-csv.js';

function parse(line: string, parser = new AggTradesCsvParser()): { ts: number; id: number; price: number; quantity: number; buyerMaker: boolean } | undefined {
  const bytes = Buffer.from(line, 'latin1');
  let row;
  parser.parseLine(bytes, 0, bytes.length, (ts, _init, id, price, quantity, buyerMaker) => (row = { ts, id, price, quantity, buyerMaker }));
  return row;
}

describe('AggTradesCsvParser', () => {
  it('parses decimals to exactly the double Number() gives', () => {
    const decimalText = fc
      .tuple(fc.stringMatching(/^[0-9]{1,12}$/), fc.stringMatching(/^[0-9]{0,12}$/))
      .map(([i, f]) => (f ? `${i}.${f}` : i))
      .filter((s) => Number(s) > 0);
    fc.assert(
      fc.property(decimalText, decimalText, (price, qty) => {
        const row = parse(`7,${price},${qty},1,2,1723161255342,false`)!;
        expect(row.price).toBe(Number(price));
        expect(row.quantity).toBe(Number(qty));
      }),
      { numRuns: 2_000 },
    );
    // Longer than 15 significant digits and exponent forms fall back to Number().
    expect(parse('7,61800.3000000000000001,1e-3,1,2,1723161255342,false')).toMatchObject({ price: 61800.3, quantity: 0.001 });
  });

  it('reads ms and µs times, true/false in any case, 8 columns and \\r-less or spaced fields', () => {
    expect(parse('5266583935,61800.30,0.006,1,1,1723161256322,true')).toEqual({ ts: 1723161256322, id: 5266583935, price: 61800.3, quantity: 0.006, buyerMaker: true });
    expect(parse('1,1.5,2,1,1,1723161256322123,False,True')).toMatchObject({ ts: 1723161256322, buyerMaker: false });
    expect(parse('1,1.5,2,1,1,1723161256322, TRUE ')).toMatchObject({ buyerMaker: true });
  });

  it('takes a header only on the first line, and skips blank lines', () => {
    const parser = new AggTradesCsvParser();
    expect(parse('agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker', parser)).toBeUndefined();
    expect(parse('   ', parser)).toBeUndefined();
    expect(parse('1,1,1,1,1,1723161256322,true', parser)).toBeDefined();
    expect(() => parse('agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker', parser)).toThrow(
      /agg_trade_id "agg_trade_id" must be a non-negative integer/,
    );
  });

  it('names the field that is wrong', () => {
    const bad: Array<[string, RegExp]> = [
      ['1,-5,1,1,1,1723161256322,true', /price "-5" must be a number greater than 0/],
      ['1,5,,1,1,1723161256322,true', /quantity "" must be/],
      ['1,5,1,1,1,17231612563x,true', /transact_time "17231612563x" must be epoch ms or µs digits/],
      ['1,5,1,1,1,1723161256322,yes', /is_buyer_maker "yes"/],
      ['1,5,1,1,1,1723161256322,true,true,extra', /expected 7 or 8 comma-separated fields, got 9/],
      ['1,5,1,1,1,1723161256322,true,true,x,y', /got more/],
      ['12345678901234567,5,1,1,1,1723161256322,true', /agg_trade_id .* must be a non-negative integer/],
    ];
    for (const [line, message] of bad) {
      const p = new AggTradesCsvParser();
      parse('1,1,1,1,1,1723161256322,true', p);
      expect(() => parse(line, p), line).toThrow(TradeRowError);
      expect(() => parse(line, p), line).toThrow(message);
    }
  });
});
