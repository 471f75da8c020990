import { describe, expect, it } from 'vitest';
import { BarAggregator } from '../../../../main/marketdata/bar-aggregator.js';
import { TRADE_BATCH_BYTES_PER_TRADE, TradeBatchBuilder, tradeBatchTransferables } from '../../../../main/marketdata/trade-batch.js';
import { CollectingBarSink } from '../../../support/collecting-bar-sink.js';

const T0 = Date.UTC(2024, 0, 1);

describe('TradeBatchBuilder', () => {
  it('stores a trade in 26 bytes and gives it back exactly', () => {
    const b = new TradeBatchBuilder(8);
    expect(b.push('X:A', 5_266_583_935, T0 + 12, 61800.3, 0.006, true)).toBe(true);
    expect(b.push('X:B', 7, T0 + 15, 2.5, 3, false)).toBe(true);
    const batch = b.take();
    const bytes = batch.slotSide.byteLength + batch.price.byteLength + batch.qty.byteLength + batch.tsOffsetMs.byteLength + batch.idOffset.byteLength;
    expect([bytes / batch.length, TRADE_BATCH_BYTES_PER_TRADE]).toEqual([26, 26]);
    const decoded = Array.from({ length: batch.length }, (_, i) => {
      const local = batch.slotSide[i]! >>> 1;
      return [batch.instrumentIds[local], batch.idBase[local]! + batch.idOffset[i]!, batch.tsBaseMs + batch.tsOffsetMs[i]!, batch.price[i], batch.qty[i], batch.slotSide[i]! & 1];
    });
    expect(decoded).toEqual([
      ['X:A', 5_266_583_935, T0 + 12, 61800.3, 0.006, 1],
      ['X:B', 7, T0 + 15, 2.5, 3, 0],
    ]);
    expect(tradeBatchTransferables(batch).length).toBe(6);
    expect(b.length).toBe(0);
  });

  it('asks for a new batch when full, when a time or id does not fit, or when ids and no ids mix', () => {
    const b = new TradeBatchBuilder(3);
    expect(b.push('X:A', 1, T0, 1, 1, false)).toBe(true);
    expect(b.push('X:A', 2, T0 - 1, 1, 1, false)).toBe(false); // before the batch's base time
    expect(b.push('X:A', 1 + 2 ** 33, T0, 1, 1, false)).toBe(false); // id too far from the base
    expect(b.push('X:A', -1, T0, 1, 1, false)).toBe(false); // no id for an instrument with ids
    expect(b.push('X:B', -1, T0, 1, 1, false)).toBe(true); // an instrument without ids
    expect(b.push('X:B', 9, T0, 1, 1, false)).toBe(false);
    expect(b.push('X:A', 2, T0 + 2 ** 31, 1, 1, false)).toBe(true);
    expect(b.push('X:A', 3, T0, 1, 1, false)).toBe(false); // full
    const batch = b.take();
    expect(Number.isNaN(batch.idBase[1])).toBe(true);
    expect(() => b.push('X:A', 1, NaN, 1, 1, false)).toThrow(/not an epoch-ms/);
  });

  it('feeds the aggregator: trades without ids skip de-duplication and order by arrival', () => {
    const sink = new CollectingBarSink();
    const agg = new BarAggregator({ intervals: ['5m'], graceMs: 0, sink });
    const b = new TradeBatchBuilder();
    b.push('X:NOID', -1, T0 + 1, 10, 1, false);
    b.push('X:NOID', -1, T0 + 1, 11, 1, false);
    b.push('X:NOID', -1, T0 + 1, 11, 1, false);
    b.push('X:ID', 1, T0 + 2, 5, 1, true);
    b.push('X:ID', 1, T0 + 2, 5, 1, true);
    agg.addBatch(b.take());
    agg.flush();
    expect(sink.bars('5m', 'X:NOID')[0]).toMatchObject({ open: 10, close: 11, tradeCount: 3 });
    expect(sink.bars('5m', 'X:ID')[0]).toMatchObject({ tradeCount: 1, sellVolume: 1 });
    expect(sink.rejections.map((r) => r.reason)).toEqual(['duplicate']);
  });
});
