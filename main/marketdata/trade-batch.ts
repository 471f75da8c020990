/**
 * Trades in columns, 26 bytes each, as they travel between threads (transferable typed arrays) and
 * into BarAggregator.addBatch. An object per trade costs ~120 B of heap and is slower to aggregate
 * (BASELINES.md); here a trade is:
 *   slotSide   u16  batch-local instrument index << 1 | isBuyerMaker
 *   price      f64
 *   qty        f64
 *   tsOffsetMs u32  tsEvent − tsBaseMs (a batch spans at most 49 days)
 *   idOffset   u32  tradeId − idBase[instrument]
 * An instrument whose trades carry no ids (idBase NaN) has them all without ids in that batch.
 */
export interface TradeBatch {
  length: number;
  /** Batch-local instrument index → instrument id. */
  instrumentIds: string[];
  /** Per batch-local instrument: the id its offsets count from; NaN when its trades have no ids. */
  idBase: Float64Array;
  tsBaseMs: number;
  slotSide: Uint16Array;
  price: Float64Array;
  qty: Float64Array;
  tsOffsetMs: Uint32Array;
  idOffset: Uint32Array;
}

/** 15 bits of instrument index next to the side bit. */
export const MAX_BATCH_INSTRUMENTS = 0x8000;
const U32_SPAN = 0xffffffff;

/** Bytes one trade occupies in a TradeBatch. */
export const TRADE_BATCH_BYTES_PER_TRADE = 2 + 8 + 8 + 4 + 4;

/**
 * Fills TradeBatches. `push` returns false when the trade does not fit (batch full, or its time or
 * id too far from the batch's bases); the caller then `take()`s the batch and pushes again.
 */
export class TradeBatchBuilder {
  private batch: TradeBatch;
  private index = new Map<string, number>();
  /** Per batch-local instrument: 1 ids, 0 no ids, undefined not seen yet. */
  private idKind: (0 | 1 | undefined)[] = [];

  constructor(private readonly capacity = 65_536) {
    this.batch = this.fresh();
  }

  get length(): number {
    return this.batch.length;
  }

  push(instrumentId: string, tradeId: number, tsMs: number, price: number, qty: number, isBuyerMaker: boolean): boolean {
    const b = this.batch;
    if (b.length >= this.capacity) return false;
    if (!(tsMs >= 0 && tsMs < Number.MAX_SAFE_INTEGER)) {
      // The builder sits at the edge, after venue messages were validated; a time it cannot store is a bug upstream.
      throw new RangeError(`trade time ${tsMs} for ${instrumentId} is not an epoch-ms timestamp`);
    }
    if (b.length === 0) b.tsBaseMs = Math.floor(tsMs);
    const tsOff = Math.floor(tsMs) - b.tsBaseMs;
    if (!(tsOff >= 0 && tsOff <= U32_SPAN)) return false;
    let local = this.index.get(instrumentId);
    if (local === undefined) {
      if (b.instrumentIds.length >= MAX_BATCH_INSTRUMENTS) return false;
      local = b.instrumentIds.length;
      b.instrumentIds.push(instrumentId);
      this.index.set(instrumentId, local);
      if (b.idBase.length <= local) {
        const grown = new Float64Array(b.idBase.length * 2);
        grown.set(b.idBase);
        b.idBase = grown;
      }
    }
    const hasId = Number.isSafeInteger(tradeId) && tradeId >= 0;
    let kind = this.idKind[local];
    if (kind === undefined) {
      kind = hasId ? 1 : 0;
      this.idKind[local] = kind;
      // Centre the base so ids a little below the first one (out-of-order arrivals) still fit.
      b.idBase[local] = hasId ? Math.max(0, tradeId - 0x7fffffff) : NaN;
    }
    // One instrument's trades in a batch either all have ids or none do: a mix starts a new batch.
    if (kind !== (hasId ? 1 : 0)) return false;
    let idOff = 0;
    if (hasId) {
      idOff = tradeId - b.idBase[local]!;
      if (!(idOff >= 0 && idOff <= U32_SPAN)) return false;
    }
    const i = b.length++;
    b.slotSide[i] = (local << 1) | (isBuyerMaker ? 1 : 0);
    b.price[i] = price;
    b.qty[i] = qty;
    b.tsOffsetMs[i] = tsOff;
    b.idOffset[i] = idOff;
    return true;
  }

  /** Hands over the filled batch (trimmed views) and starts a new one. */
  take(): TradeBatch {
    const b = this.batch;
    const n = b.length;
    const out: TradeBatch = {
      length: n,
      instrumentIds: b.instrumentIds,
      idBase: b.idBase.slice(0, b.instrumentIds.length),
      tsBaseMs: b.tsBaseMs,
      slotSide: b.slotSide.slice(0, n),
      price: b.price.slice(0, n),
      qty: b.qty.slice(0, n),
      tsOffsetMs: b.tsOffsetMs.slice(0, n),
      idOffset: b.idOffset.slice(0, n),
    };
    this.batch = this.fresh();
    this.index.clear();
    this.idKind = [];
    return out;
  }

  private fresh(): TradeBatch {
    const c = this.capacity;
    return {
      length: 0,
      instrumentIds: [],
      idBase: new Float64Array(16),
      tsBaseMs: 0,
      slotSide: new Uint16Array(c),
      price: new Float64Array(c),
      qty: new Float64Array(c),
      tsOffsetMs: new Uint32Array(c),
      idOffset: new Uint32Array(c),
    };
  }
}

/** The buffers of a batch, for postMessage's transfer list. */
export function tradeBatchTransferables(b: TradeBatch): ArrayBuffer[] {
  return [b.idBase.buffer, b.slotSide.buffer, b.price.buffer, b.qty.buffer, b.tsOffsetMs.buffer, b.idOffset.buffer] as ArrayBuffer[];
}
