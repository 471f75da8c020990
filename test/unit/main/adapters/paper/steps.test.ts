import { describe, expect, it } from 'vitest';
import { Steps } from '../../../../../main/adapters/paper/steps.js';

describe('Steps', () => {
  it('snaps sums of lots back onto the grid so remainders close at exactly zero', () => {
    const lots = new Steps(0.001);
    let filled = 0;
    for (const q of [0.1, 0.2, 0.003, 0.697]) filled = lots.round(filled + q);
    expect(filled).toBe(1);
    expect(lots.round(1 - filled)).toBe(0);
    expect(lots.round(0.1 + 0.2)).toBe(0.3);
  });

  it('floors to the grid without losing a whole step to float noise', () => {
    const ticks = new Steps(0.1);
    expect(ticks.floor(0.3)).toBe(0.3); // 0.3 / 0.1 = 2.9999999999999996
    expect(ticks.floor(0.39)).toBe(0.3);
    expect(new Steps(0.001).floor(0.0016)).toBe(0.001);
  });

  it('tells grid points apart from values between them', () => {
    const ticks = new Steps(0.01);
    expect(ticks.isOnGrid(61800.2)).toBe(true);
    expect(ticks.isOnGrid(61800.205)).toBe(false);
    expect(() => new Steps(0)).toThrow(/positive/);
  });
});
