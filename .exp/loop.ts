import { generateTradeBatches, scanFloor } from '../main/cli/aggtrades/bench-data.js';
import { BarAggregator } from '../main/marketdata/bar-aggregator.js';
import { A_CLOSE_TS, A_CLOSE_ID, A_CLOSE, A_HIGH, A_LOW, A_BUY_VOL, A_BUY_QUOTE, A_COUNT } from '../main/marketdata/bar-accumulator.js';
const data = generateTradeBatches(10_000_000, 20);
const F = 16;
function variant(name: string, fn: (acc: Float64Array, max: Float64Array, b: any, ws: number, we: number, curOff: number) => number) { return { name, fn }; }
const NO = 0xffffffff;
const V = [
  variant('A-current', (acc, max, b, ws, we, curOff) => {
    const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
    const slotMap = ident; let clock = 0; let i = 0; const to = b.length;
    for (; i < to; i++) {
      const ss = slotSide[i]; const local = ss >>> 1; const s = slotMap[local]; const side = ss & 1;
      const t = tsBase + tsOff[i]; const io = idOff[i]; const id = idBase[local] + io; const p = price[i]; const q = qty[i];
      const o = curOff + s * F;
      if (t < we && t >= ws && id === max[s] + 1 && io !== NO && t >= acc[o + 6] && p > 0 && q > 0 && p < Infinity && q < Infinity) {
        max[s] = id; if (t > clock) clock = t; acc[o + 6] = t; acc[o + 7] = id; acc[o + 5] = p;
        if (p > acc[o + 3]) acc[o + 3] = p; if (p < acc[o + 4]) acc[o + 4] = p;
        acc[o + 8 + side] += q; acc[o + 10 + side] += p * q; acc[o + 12] += 1;
      } else break;
    }
    return i;
  }),
  variant('D-importedConsts', (acc, max, b, ws, we, curOff) => {
    const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
    const slotMap = ident; let clock = 0; let i = 0; const to = b.length;
    for (; i < to; i++) {
      const ss = slotSide[i]; const local = ss >>> 1; const s = slotMap[local]; const side = ss & 1;
      const t = tsBase + tsOff[i]; const io = idOff[i]; const id = idBase[local] + io; const p = price[i]; const q = qty[i];
      const o = curOff + s * F;
      if (t < we && t >= ws && id === max[s] + 1 && io !== NO && t >= acc[o + A_CLOSE_TS] && p > 0 && q > 0 && p < Infinity && q < Infinity) {
        max[s] = id; if (t > clock) clock = t; acc[o + A_CLOSE_TS] = t; acc[o + A_CLOSE_ID] = id; acc[o + A_CLOSE] = p;
        if (p > acc[o + A_HIGH]) acc[o + A_HIGH] = p; if (p < acc[o + A_LOW]) acc[o + A_LOW] = p;
        acc[o + A_BUY_VOL + side] += q; acc[o + A_BUY_QUOTE + side] += p * q; acc[o + A_COUNT] += 1;
      } else break;
    }
    return i;
  }),
  variant('B-noMap-3chk-noNOID', (acc, max, b, ws, we, curOff) => {
    const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, idBase = b.idBase, price = b.price, qty = b.qty, tsBase = b.tsBaseMs;
    let clock = 0; let i = 0; const to = b.length;
    for (; i < to; i++) {
      const ss = slotSide[i]; const s = ss >>> 1; const side = ss & 1;
      const t = tsBase + tsOff[i]; const id = idBase[s] + idOff[i]; const p = price[i]; const q = qty[i]; const pq = p * q;
      const o = curOff + s * F;
      if (t < we && t >= ws && id === max[s] + 1 && t >= acc[o + 6] && p > 0 && q > 0 && pq < Infinity) {
        max[s] = id; if (t > clock) clock = t; acc[o + 6] = t; acc[o + 7] = id; acc[o + 5] = p;
        if (p > acc[o + 3]) acc[o + 3] = p; if (p < acc[o + 4]) acc[o + 4] = p;
        acc[o + 8 + side] += q; acc[o + 10 + side] += pq; acc[o + 12] += 1;
      } else break;
    }
    return i;
  }),
  variant('C-offsetSpace-disabled', (acc, max, b, ws, we, curOff) => {
    // times and ids compared as u32 offsets; state kept in offset space per batch (acc[o+14]=last id off, acc[o+15]=last ts off)
    const slotSide = b.slotSide, tsOff = b.tsOffsetMs, idOff = b.idOffset, price = b.price, qty = b.qty;
    const wsO = ws - b.tsBaseMs, weO = we - b.tsBaseMs;
    let i = 0; const to = b.length;
    for (; i < to; i++) {
      const ss = slotSide[i]; const s = ss >>> 1; const side = ss & 1;
      const t = tsOff[i]; const io = idOff[i]; const p = price[i]; const q = qty[i]; const pq = p * q;
      const o = curOff + s * F;
      if (t < weO && t >= wsO && io === acc[o + 14] + 1 && t >= acc[o + 15] && p > 0 && q > 0 && pq < Infinity) {
        acc[o + 14] = io; acc[o + 15] = t; acc[o + 5] = p;
        if (p > acc[o + 3]) acc[o + 3] = p; if (p < acc[o + 4]) acc[o + 4] = p;
        acc[o + 8 + side] += q; acc[o + 10 + side] += pq; acc[o + 12] += 1;
      } else break;
    }
    return i;
  }),
];
const ident = Int32Array.from({ length: 64 }, (_, k) => k);
const I = 300_000;
function runV(v: (typeof V)[number]) {
  const acc = new Float64Array(64 * F); const max = new Float64Array(64).fill(-Infinity);
  let ws = NaN, we = NaN; let slow = 0;
  const t0 = performance.now();
  for (const b of data.batches) {
    let i = 0;
    while (i < b.length) {
      // emulate: first batch set per-batch offset-space state for C
      if (v.name.startsWith('C')) for (let s = 0; s < 20; s++) { acc[s * F + 14] = max[s] - b.idBase[s]; acc[s * F + 15] = acc[s * F + 6] - b.tsBaseMs; }
      const j = v.fn(acc, max, b, ws, we, 0);
      if (v.name.startsWith('C')) for (let s = 0; s < 20; s++) { max[s] = acc[s * F + 14] + b.idBase[s]; acc[s * F + 6] = acc[s * F + 15] + b.tsBaseMs; }
      i = j;
      if (i >= b.length) break;
      // slow path: new window or first trade
      slow++;
      const ss = b.slotSide[i]; const s = ss >>> 1; const t = b.tsBaseMs + b.tsOffsetMs[i]; const id = b.idBase[s] + b.idOffset[i];
      if (!(t < we)) { ws = Math.floor(t / I) * I; we = ws + I; for (let k = 0; k < 64; k++) { const o = k * F; acc[o + 3] = -Infinity; acc[o + 4] = Infinity; acc[o + 6] = Infinity; acc[o + 8] = acc[o + 9] = acc[o + 10] = acc[o + 11] = acc[o + 12] = 0; } }
      const o = s * F; acc[o + 6] = t; max[s] = id; acc[o + 3] = Math.max(acc[o + 3], b.price[i]); acc[o + 4] = Math.min(acc[o + 4], b.price[i]); acc[o + 12]++;
      i++;
      // re-enter loop on the rest of the batch
      const rest = { ...b, slotSide: b.slotSide.subarray(i), tsOffsetMs: b.tsOffsetMs.subarray(i), idOffset: b.idOffset.subarray(i), price: b.price.subarray(i), qty: b.qty.subarray(i), length: b.length - i };
      let k2 = 0;
      while (k2 < rest.length) { const j2 = v.fn(acc, max, rest, ws, we, 0); if (j2 >= rest.length) break; /* rare: treat as slow */ const ss2 = rest.slotSide[j2]; const s2 = ss2 >>> 1; const t2 = rest.tsBaseMs + rest.tsOffsetMs[j2]; if (!(t2 < we)) { ws = Math.floor(t2 / I) * I; we = ws + I; for (let k = 0; k < 64; k++) { const o2 = k * F; acc[o2 + 3] = -Infinity; acc[o2 + 4] = Infinity; acc[o2 + 6] = Infinity; acc[o2 + 12] = 0; } } acc[s2 * F + 6] = t2; max[s2] = rest.idBase[s2] + rest.idOffset[j2]; slow++; const next = j2 + 1; Object.assign(rest, { slotSide: rest.slotSide.subarray(next), tsOffsetMs: rest.tsOffsetMs.subarray(next), idOffset: rest.idOffset.subarray(next), price: rest.price.subarray(next), qty: rest.qty.subarray(next), length: rest.length - next }); }
      break;
    }
  }
  return { secs: (performance.now() - t0) / 1000, slow };
}
function realAgg() { const agg = new BarAggregator({ intervals: ['5m','1h','4h','8h','12h','24h'], graceMs: 2000, sink: { onBar() {} } }); const t0 = performance.now(); for (const b of data.batches) agg.addBatch(b); return (performance.now() - t0) / 1000; }
for (let r = 0; r < 4; r++) {
  const t0 = performance.now(); scanFloor(data.batches); const fl = (performance.now() - t0) / 1000;
  const out = [`floor ${(1e7 / fl / 1e6).toFixed(0)}M`];
  for (const v of V.filter(v => !v.name.includes('disabled'))) { const x = runV(v); out.push(`${v.name} ${(1e7 / x.secs / 1e6).toFixed(0)}M (${(fl / x.secs).toFixed(2)}) slow=${x.slow}`); }
  const ra = realAgg(); out.push(`real ${(1e7 / ra / 1e6).toFixed(0)}M (${(fl / ra).toFixed(2)})`);
  console.log(out.join(' | '));
}
