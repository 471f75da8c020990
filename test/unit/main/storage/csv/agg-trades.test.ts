import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newAggTradeColumns, newAggTradeParseState, parseAggTradeLines } from '../../../../../main/storage/csv/agg-trades.js';

function parse(text: string, skipBad = false, capacity = 1024) {
  const buf = Buffer.from(text);
  const out = newAggTradeColumns(capacity);
  const st = newAggTradeParseState(skipBad);
  const stop = parseAggTradeLines(buf, 0, buf.length, out, st);
  return { out, st, stop, rows: Array.from({ length: out.n }, (_, i) => [out.id[i], out.price[i], out.qty[i], out.ts[i], out.side[i]]) };
}

describe('parseAggTradeLines', () => {
  it('reads the official columns, with spot\'s extra is_best_match, CRLF and any-case booleans', () => {
    const r = parse(
      [
        '26129,0.01633102,4.70443515,27781,27781,1498793709153,true',
        '26130,0.01633102,0.5,27782,27783,1498793709154,False,True',
        '',
        '26131,61800.3,12,27784,27784,1735689600123456,TRUE\r',
        '',
      ].join('\n'),
    );
    expect(r.st.badRows).toBe(0);
    expect(r.rows).toEqual([
      [26129, 0.01633102, 4.70443515, 1498793709153, 1],
      [26130, 0.01633102, 0.5, 1498793709154, 0],
      [26131, 61800.3, 12, 1735689600123.456, 1],
    ]);
    expect([r.st.msRows, r.st.usRows, r.st.line]).toEqual([2, 1, 5]);
  });

  it('reads every decimal exactly as parseFloat does, fast path or not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,12}(\.[0-9]{1,12})?$/), fc.stringMatching(/^[1-9][0-9]{0,3}(\.[0-9]{1,9})?(e-?[1-9])?$/), (p, q) => {
        fc.pre(Number(p) > 0);
        const r = parse(`1,${p},${q},1,1,1700000000000,false\n`);
        expect(r.rows[0]?.slice(1, 3)).toEqual([Number(p), Number(q)]);
      }),
      { numRuns: 500 },
    );
    expect(parse('1,1.00000000000000000001,1e-5,1,1,1700000000000,false\n').rows[0]?.slice(1, 3)).toEqual([1, 0.00001]);
  });

  it.each([
    ['x1,2,3,4,5,1700000000000,true', /agg_trade_id/],
    ['1,-2,3,4,5,1700000000000,true', /price must be a number greater than 0/],
    ['1,0,3,4,5,1700000000000,true', /price must be a number greater than 0/],
    ['1,NaN,3,4,5,1700000000000,true', /price must be a number greater than 0/],
    ['1,2,0.000,4,5,1700000000000,true', /quantity must be a number greater than 0/],
    ['1,2,,4,5,1700000000000,true', /quantity/],
    ['1,2,3,a,5,1700000000000,true', /first_trade_id/],
    ['1,2,3,4,5,17000000000,true', /not a time between 2009 and 2100/],
    ['1,2,3,4,5,1700000000000000000,true', /not a time between 2009 and 2100/],
    ['1,2,3,4,5,1700000000000,yes', /is_buyer_maker must be true or false/],
    ['1,2,3,4,5,1700000000000,true,true,9', /unexpected text/],
    ['1,2,3', /the row ends early/],
  ])('refuses %s', (line, reason) => {
    const r = parse(`1,2,3,4,5,1700000000000,true\n${line}\n3,2,3,4,5,1700000000000,true\n`);
    expect(r.st.errorLine).toBe(2);
    expect(r.st.errorReason).toMatch(reason);
    expect(r.out.n).toBe(1);
    expect(r.stop).toBe(r.out.n === 1 ? '1,2,3,4,5,1700000000000,true\n'.length : -1);
  });

  it('with skipBad counts bad rows, keeps 20 samples and reads on', () => {
    const lines: string[] = [];
    for (let k = 0; k < 30; k++) lines.push(`${k},2,3,4,5,1700000000000,true`, `${k},bad,3,4,5,1700000000000,true`);
    const r = parse(`${lines.join('\n')}\n`, true);
    expect([r.out.n, r.st.badRows, r.st.badSamples.length, r.st.errorLine]).toEqual([30, 30, 20, 0]);
    expect(r.st.badSamples[0]).toEqual({ line: 2, reason: 'price must be a number greater than 0' });
  });

  it('stops at a line start when the columns are full and resumes there', () => {
    const text = Array.from({ length: 10 }, (_, k) => `${k},2,3,4,5,1700000000000,true`).join('\n') + '\n';
    const buf = Buffer.from(text);
    const out = newAggTradeColumns(4);
    const st = newAggTradeParseState(false);
    const ids: number[] = [];
    let at = 0;
    while (at < buf.length) {
      at = parseAggTradeLines(buf, at, buf.length, out, st);
      for (let i = 0; i < out.n; i++) ids.push(out.id[i]!);
      out.n = 0;
    }
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(st.line).toBe(11);
  });
});
