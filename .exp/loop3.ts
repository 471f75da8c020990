import { generateTradeBatches, scanFloor } from '../main/cli/aggtrades/bench-data.js';
const data = generateTradeBatches(10_000_000, 20);
const F = 16;
type B = (typeof data.batches)[number];
const rowOf = Int32Array.from({ length: 64 }, (_, k) => k * F);
function base(acc: Float64Array, b: B, we: number): number {
  const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
  let clock = 0; let i = 0; const to = b.length;
  for (; i < to; i++) {
    const ss = slotSide[i]!; const local = ss >>> 1; const side = ss & 1; const o = rowOf[local]!;
    const t = tsBase + tsOff[i]!; const id = idBase[local]! + idOff[i]!; const p = price[i]!; const q = qty[i]!; const pq = p * q;
    if (t < we && t >= acc[o + 6]! && id === acc[o + 13]! + 1 && p > 0 && q > 0 && pq < Infinity) {
      acc[o + 13] = id; if (t > clock) clock = t; acc[o + 6] = t; acc[o + 7] = id; acc[o + 5] = p;
      if (p > acc[o + 3]!) acc[o + 3] = p; if (p < acc[o + 4]!) acc[o + 4] = p;
      acc[o + 8 + side]! += q; acc[o + 10 + side]! += pq; acc[o + 12]! += 1;
    } else break;
  }
  acc[63 * F] = clock;
  return i;
}
function clockFirst(acc: Float64Array, b: B, we: number): number {
  const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
  let clock = acc[63 * F]!; let i = 0; const to = b.length;
  for (; i < to; i++) {
    const ss = slotSide[i]!; const local = ss >>> 1; const side = ss & 1; const o = rowOf[local]!;
    const t = tsBase + tsOff[i]!; const id = idBase[local]! + idOff[i]!; const p = price[i]!; const q = qty[i]!; const pq = p * q;
    if (t < we && (t >= clock || t >= acc[o + 6]!) && id === acc[o + 13]! + 1 && p > 0 && q > 0 && pq < Infinity) {
      acc[o + 13] = id; clock = t > clock ? t : clock; acc[o + 6] = t; acc[o + 7] = id; acc[o + 5] = p;
      const n = acc[o + 12]!;
      if (n === 0) { acc[o + 0] = t; acc[o + 1] = id; acc[o + 2] = p; acc[o + 3] = p; acc[o + 4] = p; }
      else { if (p > acc[o + 3]!) acc[o + 3] = p; if (p < acc[o + 4]!) acc[o + 4] = p; }
      acc[o + 8 + side]! += q; acc[o + 10 + side]! += pq; acc[o + 12] = n + 1;
    } else break;
  }
  acc[63 * F] = clock;
  return i;
}
function run(f: typeof base): number {
  const acc = new Float64Array(64 * F); for (let s = 0; s < 63; s++) { acc[s * F + 6] = -Infinity; acc[s * F + 13] = data.batches[0]!.idBase[s % 20]! - 1; }
  const t0 = performance.now(); let bad = 0;
  for (const b of data.batches) { let i = 0; while (i < b.length) { i = f(acc, b, Infinity); if (i < b.length) { bad++; i++; } } }
  if (bad > 0) throw new Error('slow ' + bad);
  return (performance.now() - t0) / 1000;
}
for (let r = 0; r < 6; r++) {
  const t0 = performance.now(); scanFloor(data.batches); const fl = (performance.now() - t0) / 1000;
  const a = run(base), c = run(clockFirst);
  console.log(`floor ${(1e7 / fl / 1e6).toFixed(0)}M | base ${(1e7 / a / 1e6).toFixed(0)}M (${(fl / a).toFixed(2)}) | clockFirst ${(1e7 / c / 1e6).toFixed(0)}M (${(fl / c).toFixed(2)})`);
}
