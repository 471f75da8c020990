import { describe, expect, it } from 'vitest';
import { describeIbError } from '../../../../../main/adapters/ib/errors.js';

describe('describeIbError', () => {
  it.each([
    [1100, 'link-lost'],
    [1101, 'link-restored'],
    [1102, 'link-restored'],
    [2103, 'link-lost'],
    [2104, 'link-restored'],
    [2105, 'link-lost'],
    [2106, 'link-restored'],
    [2107, 'info'],
    [2108, 'info'],
    [2110, 'link-lost'],
    [326, 'session'],
    [201, 'order-rejected'],
    [202, 'order-canceled'],
    [161, 'cancel-rejected'],
    [354, 'market-data'],
    [100, 'pacing'],
    [505, 'protocol'],
    [2199, 'info'],
    [9999, 'request'],
  ] as const)('%d is %s', (code, kind) => {
    expect(describeIbError(code, 'text').kind).toBe(kind);
  });

  it('puts the code, plain words, context and TWS’s own text on one line', () => {
    expect(describeIbError(354, 'Requested market data is not subscribed.', 'IB:STK:AAPL:SMART:USD').message).toBe(
      'IB 354: no market data subscription for this contract [IB:STK:AAPL:SMART:USD] — "Requested market data is not subscribed."',
    );
    expect(describeIbError(1100, '').message).toBe('IB 1100: TWS lost its connection to IB; prices and orders are stale until it returns');
  });
});
