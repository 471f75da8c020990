import { describe, expect, it } from 'vitest';
import { parseContractQuery } from '../../../../../main/adapters/ib/contract-query.js';

describe('parseContractQuery', () => {
  it.each([
    ['AAPL', { secType: 'STK', symbol: 'AAPL' }],
    ['fut:BRR:cmecrypto', { secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO' }],
    ['STK:1137:SEHK:HKD', { secType: 'STK', symbol: '1137', exchange: 'SEHK', currency: 'HKD' }],
    ['FUT:BRR:CMECRYPTO:USD:202106:5', { secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', currency: 'USD', expiry: '202106', multiplier: '5' }],
    ['IB:FUT:BRR:CMECRYPTO:USD:20210625:0.1', { secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', currency: 'USD', expiry: '20210625', multiplier: '0.1' }],
  ])('%s', (text, expected) => {
    expect(parseContractQuery(text)).toEqual(expected);
  });

  it('says what is wrong', () => {
    expect(() => parseContractQuery('  ')).toThrow(/needs a symbol/);
    expect(() => parseContractQuery('FUT:BRR:CME:USD:June')).toThrow(/expiry: expiry must be YYYYMM or YYYYMMDD/);
    expect(() => parseContractQuery('FUT')).toThrow(/symbol: symbol is required/);
  });
});
