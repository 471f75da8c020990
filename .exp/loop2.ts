import { generateTradeBatches, scanFloor } from '../main/cli/aggtrades/bench-data.js';
import { BarAggregator } from '../main/marketdata/bar-aggregator.js';
const data = generateTradeBatches(10_000_000, 20);
const F = 16;
type B = (typeof data.batches)[number];
const rowOf = Int32Array.from({ length: 64 }, (_, k) => k * F);
function mk(opts: { closeId: boolean; clock: boolean; valid: boolean; hilo: boolean }) {
  return (acc: Float64Array, b: B, we: number): number => {
    const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
    let clock = 0; let i = 0; const to = b.length;
    for (; i < to; i++) {
      const ss = slotSide[i]!; const local = ss >>> 1; const side = ss & 1; const o = rowOf[local]!;
      const t = tsBase + tsOff[i]!; const id = idBase[local]! + idOff[i]!; const p = price[i]!; const q = qty[i]!; const pq = p * q;
      if (t < we && t >= acc[o + 6]! && id === acc[o + 13]! + 1 && (!opts.valid || (p > 0 && q > 0 && pq < Infinity))) {
        acc[o + 13] = id; if (opts.clock && t > clock) clock = t; acc[o + 6] = t; if (opts.closeId) acc[o + 7] = id; acc[o + 5] = p;
        if (opts.hilo) { if (p > acc[o + 3]!) acc[o + 3] = p; if (p < acc[o + 4]!) acc[o + 4] = p; }
        acc[o + 8 + side]! += q; acc[o + 10 + side]! += pq; acc[o + 12]! += 1;
      } else break;
    }
    return i + clock * 0;
  };
}
const V: [string, ReturnType<typeof mk>][] = [
  ['full', mk({ closeId: true, clock: true, valid: true, hilo: true })],
  ['-closeId', mk({ closeId: false, clock: true, valid: true, hilo: true })],
  ['-clock', mk({ closeId: true, clock: false, valid: true, hilo: true })],
  ['-valid', mk({ closeId: true, clock: true, valid: false, hilo: true })],
  ['-hilo', mk({ closeId: true, clock: true, valid: true, hilo: false })],
];
function run(f: ReturnType<typeof mk>): number {
  const acc = new Float64Array(64 * F); for (let s = 0; s < 64; s++) { acc[s * F + 6] = -Infinity; acc[s * F + 13] = data.batches[0]!.idBase[s % 20]! - 1; }
  const t0 = performance.now(); let bad = 0;
  for (const b of data.batches) { let i = 0; while (i < b.length) { i = f(acc, b, Infinity); if (i < b.length) { bad++; i++; } } }
  if (bad > 0) throw new Error('slow ' + bad);
  return (performance.now() - t0) / 1000;
}
function realAgg() { const agg = new BarAggregator({ intervals: ['5m','1h','4h','8h','12h','24h'], graceMs: 2000, sink: { onBar() {} } }); const t0 = performance.now(); for (const b of data.batches) agg.addBatch(b); return (performance.now() - t0) / 1000; }
for (let r = 0; r < 5; r++) {
  const t0 = performance.now(); scanFloor(data.batches); const fl = (performance.now() - t0) / 1000;
  const out = [`floor ${(1e7 / fl / 1e6).toFixed(0)}M`];
  for (const [n, f] of V) { const x = run(f); out.push(`${n} ${(1e7 / x / 1e6).toFixed(0)}M (${(fl / x).toFixed(2)})`); }
  const ra = realAgg(); out.push(`real ${(1e7 / ra / 1e6).toFixed(0)}M (${(fl / ra).toFixed(2)})`);
  console.log(out.join(' | '));
}
