import * as arrow from 'apache-arrow';
import type { ColumnSpec } from './columnar.js';

type ParquetWasm = typeof import('parquet-wasm');

let loading: Promise<ParquetWasm> | undefined;

/**
 * parquet-wasm's `node` build (picked by the package's "node" export condition) compiles its
 * WebAssembly synchronously when first imported; loading it lazily keeps CLI commands that never
 * touch Parquet from paying for it.
 */
export function loadParquetWasm(): Promise<ParquetWasm> {
  loading ??= import('parquet-wasm');
  return loading;
}

/** Rows per row group, and the batch size used when reading: one batch per row group reads fastest. */
export const ROW_GROUP_ROWS = 1 << 20;

export interface ParquetCodec {
  /** `columns` carries per-column encoding choices (see ColumnSpec.delta). */
  encode(table: arrow.Table, columns?: readonly ColumnSpec[]): Uint8Array;
  /** Throws on a truncated or corrupt file (parquet-wasm reports e.g. "Corrupt footer"). */
  decode(bytes: Uint8Array): arrow.Table;
}

export async function createParquetCodec(createdBy = 'kestrel'): Promise<ParquetCodec> {
  const pq = await loadParquetWasm();
  return {
    encode(table, columns = []) {
      // Properties are consumed by writeParquet, so a fresh set is built per file.
      let builder = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(ROW_GROUP_ROWS).setCreatedBy(createdBy);
      for (const c of columns) {
        if (!c.delta) continue;
        const encoding = c.kind === 'utf8' ? pq.Encoding.DELTA_BYTE_ARRAY : pq.Encoding.DELTA_BINARY_PACKED;
        builder = builder.setColumnDictionaryEnabled(c.name, false).setColumnEncoding(c.name, encoding);
      }
      const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
      return pq.writeParquet(wasmTable, builder.build());
    },
    decode(bytes) {
      const wasmTable = pq.readParquet(bytes, { batchSize: ROW_GROUP_ROWS });
      return arrow.tableFromIPC(wasmTable.intoIPCStream());
    },
  };
}
