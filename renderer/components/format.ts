/** Decimals needed to show a price on a tick grid: 0.01 → 2, 0.5 → 1, 1 → 0. */
export function decimalsForTick(tickSize: number | null | undefined, fallback = 2): number {
  if (!tickSize || !Number.isFinite(tickSize) || tickSize <= 0) return fallback;
  for (let d = 0; d <= 10; d++) {
    const scaled = tickSize * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 10;
}

export function formatNumber(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatSigned(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  // Sign of the shown number, not the raw one: −0.001 at 2 decimals is "0.00", not "−0.00".
  const shown = Number(value.toFixed(decimals));
  const text = formatNumber(Math.abs(shown), decimals);
  return shown > 0 ? `+${text}` : shown < 0 ? `−${text}` : text;
}

/** Quantities keep up to 8 decimals but drop trailing zeros (crypto lots are small). */
export function formatQuantity(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return value.toLocaleString('en-US', { maximumFractionDigits: 8 });
}

/** Padded to the lot's decimals so a column lines up; a finer quantity still shows all its digits. */
export function formatLotQuantity(value: number | null | undefined, lotDecimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return value.toLocaleString('en-US', { minimumFractionDigits: lotDecimals, maximumFractionDigits: Math.max(lotDecimals, 8) });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time with milliseconds: traders compare fills to the tape at this precision. */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '';
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Price decimals per instrument, from its tick size; a fallback while the instrument list loads. */
export type PriceDecimals = (instrumentId: string) => number;

export function priceDecimalsFrom(tickSizes: Record<string, { tickSize: number }>): PriceDecimals {
  return (instrumentId) => decimalsForTick(tickSizes[instrumentId]?.tickSize);
}
