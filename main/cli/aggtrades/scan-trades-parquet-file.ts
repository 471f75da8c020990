import { readFileSync } from 'node:fs';
import { numericTradeId } from '../../marketdata/bar-aggregator.js';
import { TradeWindowStore } from '../../marketdata/trade-window-store.js';
import { SchemaMismatchError, fromArrowTable } from '../../storage/parquet/columnar.js';
import { TRADES_SCHEMA } from '../../storage/parquet/datasets.js';
import { columnsToTradeColumns } from '../../storage/parquet/model-columns.js';
import { createParquetCodec } from '../../storage/parquet/parquet-codec.js';
import { AggTradesInputError, type AggTradesScan } from './scan-agg-trades-file.js';

const MAGIC = 0x31524150; // "PAR1", little-endian
// Same plausibility window as the CSV reader: 2009-01-01 .. 2100-01-01 in ms.
const MIN_MS = 1230768000000;
const MAX_MS = 4102444800000;

/**
 * Reads a trades Parquet file written by Kestrel's store (columns ts, ts_init, trade_id, price,
 * quantity, is_buyer_maker) into base windows. Rows are numbered from 1 in messages. Trade ids
 * that are not whole numbers (e.g. UUIDs) cannot be de-duplicated or order equal times; such rows
 * keep their file order instead.
 */
export async function scanTradesParquetFile(file: string, o: { baseIntervalMs: number; skipBad: boolean }): Promise<AggTradesScan> {
  const bytes = readFileSync(file);
  if (bytes.length < 12 || bytes.readUInt32LE(bytes.length - 4) !== MAGIC) {
    throw new AggTradesInputError(0, 'the Parquet file has no footer: it is truncated (an interrupted write or copy) or damaged');
  }
  const codec = await createParquetCodec();
  let trades;
  try {
    trades = columnsToTradeColumns(fromArrowTable(TRADES_SCHEMA.columns, codec.decode(bytes)));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (err instanceof SchemaMismatchError) throw new AggTradesInputError(0, `not a Kestrel trades Parquet file: ${why}`);
    throw new AggTradesInputError(0, `cannot read the Parquet file (truncated or damaged?): ${why}`);
  }
  const n = trades.length;
  const ts = new Float64Array(n);
  const ids = new Float64Array(n);
  const price = new Float64Array(n);
  const qty = new Float64Array(n);
  const side = new Uint8Array(n);
  const badSamples: { line: number; reason: string }[] = [];
  let badRows = 0;
  let k = 0;
  const numericIds = trades.tradeId instanceof Float64Array ? trades.tradeId : null;
  const textIds = numericIds ? null : (trades.tradeId as string[]);
  // Rows without a numeric id get ids above any real one, in file order.
  let synthetic = 2 ** 52;
  for (let i = 0; i < n; i++) {
    const t = trades.tsMs[i]!;
    const p = trades.price[i]!;
    const q = trades.quantity[i]!;
    let id = numericIds ? numericIds[i]! : numericTradeId(textIds![i]!);
    let reason = '';
    if (!(t >= MIN_MS && t < MAX_MS)) reason = `ts ${t} is not a time between 2009 and 2100 in ms`;
    else if (!(p > 0 && p < Infinity)) reason = 'price must be a number greater than 0';
    else if (!(q > 0 && q < Infinity)) reason = 'quantity must be a number greater than 0';
    else if (numericIds && !(Number.isSafeInteger(id) && id >= 0)) reason = `trade_id ${id} is not a whole number`;
    if (reason) {
      badRows++;
      if (badSamples.length < 20) badSamples.push({ line: i + 1, reason });
      if (!o.skipBad) throw new AggTradesInputError(i + 1, `bad row ${i + 1} of the Parquet file: ${reason} (use --skip-bad to count and skip bad rows)`);
      continue;
    }
    if (id < 0) id = synthetic++;
    ts[k] = t;
    ids[k] = id;
    price[k] = p;
    qty[k] = q;
    side[k] = trades.isBuyerMaker[i]!;
    k++;
  }
  const store = new TradeWindowStore(o.baseIntervalMs);
  store.addColumns(ts, ids, price, qty, side, 0, k);
  return { store, header: false, badRows, badSamples, msRows: k, usRows: 0, bytes: bytes.length, threads: 1 };
}
