import { describe, expect, it } from 'vitest';
import { formatLotQuantity } from '../../../../renderer/components/format.js';

describe('formatLotQuantity', () => {
  it('pads to the lot decimals so a column lines up', () => {
    expect(formatLotQuantity(0.03, 3)).toBe('0.030');
    expect(formatLotQuantity(1200, 0)).toBe('1,200');
  });

  it('never hides digits finer than the lot', () => {
    expect(formatLotQuantity(0.0305, 3)).toBe('0.0305');
    expect(formatLotQuantity(null, 3)).toBe('');
  });
});
