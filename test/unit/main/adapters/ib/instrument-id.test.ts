import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIbInstrumentId, parseIbInstrumentId, type IbContractSpec } from '../../../../../main/adapters/ib/instrument-id.js';
import { InstrumentId } from '../../../../../shared/model/index.js';

describe('IB instrumentIds', () => {
  it('formats the documented forms', () => {
    expect(formatIbInstrumentId({ secType: 'STK', symbol: 'AAPL', exchange: 'SMART', currency: 'USD' })).toBe('IB:STK:AAPL:SMART:USD');
    expect(formatIbInstrumentId({ secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', currency: 'USD', expiry: '20210625', multiplier: '5.0' })).toBe(
      'IB:FUT:BRR:CMECRYPTO:USD:20210625:5',
    );
    expect(formatIbInstrumentId({ secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', currency: 'USD', expiry: '20210625 08:00 US/Central', multiplier: '0.1' })).toBe(
      'IB:FUT:BRR:CMECRYPTO:USD:20210625:0.1',
    );
    expect(formatIbInstrumentId({ secType: 'STK', symbol: 'BRK B', exchange: 'SMART', currency: 'USD' })).toBe('IB:STK:BRK B:SMART:USD');
  });

  it('round-trips every spec and always satisfies the shared InstrumentId schema', () => {
    const field = fc.stringMatching(/^[A-Z0-9][A-Z0-9. ]{0,7}$/).filter((s) => !s.endsWith(' '));
    const spec = fc.oneof(
      fc.record({ secType: fc.constantFrom('STK' as const, 'CASH' as const, 'CRYPTO' as const), symbol: field, exchange: field, currency: field }),
      fc.record({
        secType: fc.constant('FUT' as const),
        symbol: field,
        exchange: field,
        currency: field,
        expiry: fc.stringMatching(/^20\d{4}(\d{2})?$/),
        multiplier: fc.constantFrom('1', '5', '0.1', '50', '1000'),
      }),
    );
    fc.assert(
      fc.property(spec, (s: IbContractSpec) => {
        const id = formatIbInstrumentId(s);
        expect(InstrumentId.safeParse(id).success).toBe(true);
        expect(parseIbInstrumentId(id)).toEqual(s);
      }),
    );
  });

  it.each([
    ['AAPL', /not an IB instrumentId/],
    ['IB:OPT:AAPL:SMART:USD', /security type "OPT" is not one of STK, FUT, CASH, CRYPTO/],
    ['IB:STK:AAPL:SMART', /must have 5 non-empty parts/],
    ['IB:FUT:ES:CME:USD:2025:50', /expiry "2025" must be YYYYMMDD or YYYYMM/],
    ['IB:FUT:ES:CME:USD:20250919:-1', /multiplier "-1" must be a positive number/],
    ['IB:STK::SMART:USD', /must have 5 non-empty parts/],
  ])('refuses %s in plain words', (id, message) => {
    expect(() => parseIbInstrumentId(id)).toThrow(message);
  });
});
