import { describe, expect, it } from 'vitest';
import { parseInterval } from '../../../../main/marketdata/bar-interval.js';
import { TradeWindowStore } from '../../../../main/marketdata/trade-window-store.js';

const T0 = Date.UTC(2024, 4, 1);
type Row = [tsMs: number, id: number, price: number, qty: number, isBuyerMaker: boolean];

function store(rows: Row[]): TradeWindowStore {
  const s = new TradeWindowStore(300_000);
  s.addColumns(
    Float64Array.from(rows, (r) => r[0]),
    Float64Array.from(rows, (r) => r[1]),
    Float64Array.from(rows, (r) => r[2]),
    Float64Array.from(rows, (r) => r[3]),
    Uint8Array.from(rows, (r) => (r[4] ? 1 : 0)),
    0,
    rows.length,
  );
  return s;
}
const bars = (s: TradeWindowStore, ...labels: string[]) => s.toBars('X', labels.map(parseInterval));

describe('TradeWindowStore', () => {
  it('merges parts holding trades of the same millisecond by trade id, in either direction', () => {
    const early: Row = [T0, 4, 10, 1, false];
    const later: Row = [T0, 5, 20, 1, false];
    for (const [first, second] of [
      [early, later],
      [later, early],
    ] as const) {
      const a = store([first]);
      a.merge(store([second]));
      expect(bars(a, '5m').get('5m')![0]).toMatchObject({ open: 10, close: 20, tradeCount: 2 });
    }
  });

  it('drops repeated ids and counts them', () => {
    const s = store([
      [T0 + 1, 1, 10, 1, false],
      [T0 + 2, 2, 11, 1, false],
      [T0 + 1, 1, 10, 1, false],
      [T0 + 3, 3, 12, 1, true],
      [T0 + 2, 2, 11, 1, false],
    ]);
    expect([s.accepted, s.duplicates]).toEqual([3, 2]);
    expect(bars(s, '5m').get('5m')![0]).toMatchObject({ tradeCount: 3, volume: 3, buyVolume: 2, sellVolume: 1 });
  });

  it('emits every window between the first and last trade, empty ones carrying the close', () => {
    const s = store([
      [T0 + 1_000, 1, 10, 1, false],
      [T0 + 3_600_000 + 5, 2, 12, 2, false],
      [T0 + 200_000, 3, 11, 1, false], // unsorted input is fine: nothing is final before the end
    ]);
    const out = bars(s, '5m', '1h');
    const fives = out.get('5m')!;
    expect(fives.length).toBe(13);
    expect(fives.slice(1, 12).every((b) => b.tradeCount === 0 && b.open === 11 && b.vwap === null)).toBe(true);
    expect(out.get('1h')!.map((b) => [b.open, b.close, b.tradeCount])).toEqual([
      [10, 11, 2],
      [12, 12, 1],
    ]);
  });

  it('refuses to merge stores of different window lengths or to roll up to a non-multiple', () => {
    expect(() => new TradeWindowStore(300_000).merge(new TradeWindowStore(60_000))).toThrow(/different intervals/);
    const s = store([[T0, 1, 10, 1, false]]);
    expect(() => s.toBars('X', [parseInterval('1m')])).toThrow(/not a multiple/);
  });
});
