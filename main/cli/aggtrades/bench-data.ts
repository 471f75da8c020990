import { TRADE_BATCH_BYTES_PER_TRADE, type TradeBatch } from '../../marketdata/trade-batch.js';

/** Deterministic 32-bit generator (mulberry32): the benchmark data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticTrades {
  batches: TradeBatch[];
  instrumentIds: string[];
  count: number;
  /** Bytes of the per-trade columns (the per-instrument id bases come on top: 8 B per instrument). */
  bytesHeld: number;
  firstTsMs: number;
  lastTsMs: number;
}

/**
 * `count` trades over `symbols` instruments across one UTC day, in time order as a venue feed
 * delivers them: each trade picks a random instrument, ids rise by one per instrument, prices walk
 * in cents. Stored once in 26-byte columns and cut into batches (zero-copy views).
 */
export function generateTradeBatches(count: number, symbols: number, batchSize = 65_536, seed = 42): SyntheticTrades {
  const rnd = seededRandom(seed);
  const instrumentIds = Array.from({ length: symbols }, (_, k) => `SIM:S${String(k).padStart(2, '0')}/USDT`);
  const slotSide = new Uint16Array(count);
  const price = new Float64Array(count);
  const qty = new Float64Array(count);
  const tsOffsetMs = new Uint32Array(count);
  const idOffset = new Uint32Array(count);
  const idBase = Float64Array.from({ length: symbols }, (_, k) => 1_000_000_000 * (k + 1));
  const nextId = new Uint32Array(symbols);
  const cents = Float64Array.from({ length: symbols }, (_, k) => 100 * (10 + 997 * k));
  const tsBaseMs = Date.UTC(2024, 0, 1);
  const stepMs = 86_400_000 / count;
  for (let i = 0; i < count; i++) {
    const s = Math.floor(rnd() * symbols);
    cents[s] = Math.max(1, cents[s]! + Math.round((rnd() - 0.5) * 20));
    slotSide[i] = (s << 1) | (rnd() < 0.5 ? 1 : 0);
    price[i] = cents[s]! / 100;
    qty[i] = (1 + Math.floor(rnd() * 5000)) / 1000;
    tsOffsetMs[i] = Math.floor(i * stepMs);
    idOffset[i] = nextId[s]!++;
  }
  const batches: TradeBatch[] = [];
  for (let from = 0; from < count; from += batchSize) {
    const to = Math.min(count, from + batchSize);
    batches.push({
      length: to - from,
      instrumentIds,
      idBase,
      tsBaseMs,
      slotSide: slotSide.subarray(from, to),
      price: price.subarray(from, to),
      qty: qty.subarray(from, to),
      tsOffsetMs: tsOffsetMs.subarray(from, to),
      idOffset: idOffset.subarray(from, to),
    });
  }
  const bytesHeld = slotSide.byteLength + price.byteLength + qty.byteLength + tsOffsetMs.byteLength + idOffset.byteLength;
  if (bytesHeld !== count * TRADE_BATCH_BYTES_PER_TRADE) throw new Error('trade columns no longer take 26 B per trade');
  return { batches, instrumentIds, count, bytesHeld, firstTsMs: tsBaseMs, lastTsMs: tsBaseMs + tsOffsetMs[count - 1]! };
}

/**
 * The memory-scan floor: one pass reading every column the aggregator reads, into independent
 * sums (no dependency chain), returned so the JIT cannot drop the loop.
 */
export function scanFloor(batches: readonly TradeBatch[]): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let e = 0;
  for (const batch of batches) {
    const { slotSide, price, qty, tsOffsetMs, idOffset } = batch;
    for (let i = 0, n = batch.length; i < n; i++) {
      a += slotSide[i]!;
      b += price[i]!;
      c += qty[i]!;
      d += tsOffsetMs[i]!;
      e += idOffset[i]!;
    }
  }
  return a + b + c + d + e;
}

/** One aggTrades CSV line per trade of a single symbol, time-ordered, as Binance publishes them. */
export function* aggTradesCsvBlocks(rows: number, seed = 7, rowsPerBlock = 100_000): Generator<string> {
  const rnd = seededRandom(seed);
  let id = 3_000_000_000;
  let firstId = 5_000_000_000;
  let t = Date.UTC(2024, 6, 1);
  let cents = 6_000_000;
  yield 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n';
  for (let done = 0; done < rows; ) {
    const n = Math.min(rowsPerBlock, rows - done);
    let s = '';
    for (let k = 0; k < n; k++) {
      t += Math.floor(rnd() * 100);
      cents = Math.max(1, cents + Math.round((rnd() - 0.5) * 500));
      const q = 1 + Math.floor(rnd() * 5000);
      const fills = 1 + Math.floor(rnd() * 3);
      const frac = cents % 100;
      s += `${id},${Math.floor(cents / 100)}.${frac < 10 ? '0' : ''}${frac},${Math.floor(q / 1000)}.${String(q % 1000).padStart(3, '0')},${firstId},${firstId + fills - 1},${t},${rnd() < 0.5 ? 'true' : 'false'}\n`;
      id++;
      firstId += fills;
    }
    done += n;
    yield s;
  }
}
