/**
 * Arithmetic on tick and lot grids. Quantities are summed and subtracted many times per order, so
 * every result is snapped back onto the grid (and printed decimals) to keep binary-float dust from
 * leaving a 1e-17 remainder open or letting a fill exceed its order.
 */
export class Steps {
  private readonly decimals: number;

  constructor(readonly step: number) {
    if (!(step > 0) || !Number.isFinite(step)) throw new Error(`a grid step must be a positive number, got ${step}`);
    this.decimals = decimalsOf(step);
  }

  /** Half a step: two values closer than this are the same grid point. */
  get tolerance(): number {
    return this.step / 2;
  }

  round(x: number): number {
    return this.clean(Math.round(x / this.step) * this.step);
  }

  /** Largest grid point not above x (x itself when x is on the grid up to float noise). */
  floor(x: number): number {
    return this.clean(Math.floor(x / this.step + 1e-9) * this.step);
  }

  isOnGrid(x: number): boolean {
    return Math.abs(x / this.step - Math.round(x / this.step)) < 1e-6;
  }

  equal(a: number, b: number): boolean {
    return Math.abs(a - b) < this.tolerance;
  }

  private clean(x: number): number {
    const fixed = Number(x.toFixed(Math.min(this.decimals + 2, 15)));
    return fixed === 0 ? 0 : fixed;
  }
}

function decimalsOf(step: number): number {
  const text = step.toExponential();
  const [mantissa, exponent] = text.split('e');
  const mantissaDecimals = (mantissa?.split('.')[1] ?? '').length;
  return Math.max(0, mantissaDecimals - Number(exponent));
}
