import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MS_PER_DAY } from '../../../shared/model/time.js';
import { assertColumns, concatColumns, fromArrowTable, takeRows, toArrowTable, type Columns } from './columnar.js';
import type { DatasetSchema } from './datasets.js';
import { decodePartitionValue, partitionDir, symbolDir, utcDateOf, utcDayStartMs, type PartitionKey } from './hive-path.js';
import type { ParquetCodec } from './parquet-codec.js';
import { listKeyFolders, listPartFiles, PartNamer, writeFileAtomic } from './part-files.js';
import type { PartitionBatch } from './model-columns.js';

/** Half-open time range [from, to) in epoch ms; either end may be left open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

const VENUE = /^[A-Z0-9_]+$/;

/** Venues are upper-case ids (`BINANCEUSDM`), the venue half of an instrumentId. */
export function normaliseVenue(venue: string): string {
  const v = venue.trim().toUpperCase();
  if (!VENUE.test(v)) throw new Error(`venue "${venue}" must be letters, digits or _ (e.g. BINANCEUSDM)`);
  return v;
}

/**
 * Reads and writes one dataset's part files. Writes split a batch by UTC date of the dataset's time
 * column and write one part per date. Reads go file by file (one Arrow batch per row group), skip a
 * file that cannot be trusted with a warning that names it, and return rows ordered by time with
 * repeated keys resolved to the latest write.
 */
export class DatasetIO {
  constructor(
    readonly root: string,
    private readonly codec: ParquetCodec,
    private readonly namer: PartNamer,
    private readonly warn: (message: string) => void,
  ) {}

  /** Writes the batch as one new part file per date; returns the files written. */
  async write(schema: DatasetSchema, batch: PartitionBatch): Promise<string[]> {
    const venue = normaliseVenue(batch.venue);
    const length = assertColumns(batch.columns, schema.columns, `${schema.dataset} batch for ${venue}:${batch.symbol}`);
    if (length === 0) return [];
    const times = batch.columns[schema.timeColumn] as Float64Array;
    const firstDay = Math.floor(times[0]! / MS_PER_DAY);
    let singleDay = true;
    for (let i = 0; i < length; i++) {
      const t = times[i]!;
      if (!Number.isInteger(t) || t < 0) {
        throw new Error(`${schema.dataset} row ${i} for ${venue}:${batch.symbol}: ${schema.timeColumn} ${t} is not an epoch-ms integer`);
      }
      if (singleDay && Math.floor(t / MS_PER_DAY) !== firstDay) singleDay = false;
    }
    // Refuse here what a reader would refuse, so nothing written is silently dropped later.
    for (const spec of schema.columns) {
      if (!spec.positive) continue;
      const values = batch.columns[spec.name] as Float64Array;
      for (let i = 0; i < length; i++) {
        if (!(values[i]! > 0 && values[i]! < Number.POSITIVE_INFINITY)) {
          throw new Error(`${schema.dataset} row ${i} for ${venue}:${batch.symbol}: ${spec.name} ${values[i]} must be a finite number > 0`);
        }
      }
    }
    const byDay: Array<[number, Columns]> = [];
    if (singleDay) byDay.push([firstDay, batch.columns]);
    else {
      const rowsByDay = new Map<number, number[]>();
      for (let i = 0; i < length; i++) {
        const day = Math.floor(times[i]! / MS_PER_DAY);
        const rows = rowsByDay.get(day);
        if (rows) rows.push(i);
        else rowsByDay.set(day, [i]);
      }
      for (const [day, rows] of rowsByDay) byDay.push([day, takeRows(schema.columns, batch.columns, rows)]);
    }
    const written: string[] = [];
    for (const [day, columns] of byDay) {
      const bytes = this.codec.encode(toArrowTable(schema.columns, columns), schema.columns);
      const key: PartitionKey = { venue, symbol: batch.symbol, date: utcDateOf(day * MS_PER_DAY) };
      written.push(await writeFileAtomic(partitionDir(this.root, schema.dataset, key), this.namer.next(), bytes));
    }
    return written;
  }

  /**
   * Rows of one venue/symbol within `range`, ordered by time (ties keep write order), each key once
   * (the last written wins). `keepRow` filters further (e.g. one bar interval) before ordering.
   */
  async read(
    schema: DatasetSchema,
    venue: string,
    symbol: string,
    range: TimeRange,
    keepRow?: (columns: Columns, row: number) => boolean,
  ): Promise<Columns> {
    const from = range.from ?? 0;
    const to = range.to ?? Number.POSITIVE_INFINITY;
    const dir = symbolDir(this.root, schema.dataset, normaliseVenue(venue), symbol);
    const parts: Columns[] = [];
    for (const [date, dateDir] of await listKeyFolders(dir, 'date')) {
      let dayStart: number;
      try {
        dayStart = utcDayStartMs(date);
      } catch {
        this.warn(`skipping folder ${dateDir}: "${date}" is not a YYYY-MM-DD date`);
        continue;
      }
      if (dayStart + MS_PER_DAY <= from || dayStart >= to) continue;
      for (const file of await listPartFiles(dateDir)) {
        const columns = await this.readFile(schema, file, dayStart);
        if (!columns) continue;
        const picked = selectRows(schema, columns, from, to, keepRow);
        if (picked) parts.push(picked);
      }
    }
    if (parts.length === 0) return emptyColumns(schema);
    return orderAndDedup(schema, concatColumns(schema.columns, parts));
  }

  /** Venue/symbol pairs that have at least one date folder in the dataset. */
  async listSymbols(schema: DatasetSchema): Promise<Array<{ venue: string; symbol: string }>> {
    const out: Array<{ venue: string; symbol: string }> = [];
    for (const [venue, venueDir] of await listKeyFolders(path.join(this.root, schema.dataset), 'venue')) {
      for (const [symbol] of await listKeyFolders(venueDir, 'symbol')) {
        out.push({ venue: decodePartitionValue(venue), symbol: decodePartitionValue(symbol) });
      }
    }
    return out;
  }

  async listDates(schema: DatasetSchema, venue: string, symbol: string): Promise<string[]> {
    return (await listKeyFolders(symbolDir(this.root, schema.dataset, normaliseVenue(venue), symbol), 'date')).map(([d]) => d);
  }

  /** A whole file, or undefined (with a warning naming it) when it cannot be read or is not what its folder says. */
  private async readFile(schema: DatasetSchema, file: string, dayStart: number): Promise<Columns | undefined> {
    let columns: Columns;
    try {
      const bytes = await fs.readFile(file);
      columns = fromArrowTable(schema.columns, this.codec.decode(bytes));
    } catch (err) {
      this.warn(`skipping unreadable ${schema.dataset} Parquet file ${file}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    // A file whose times fall outside its date folder is misplaced or damaged: trusting any of its
    // rows could put wrong data on a chart, so the whole file is left out.
    const times = columns[schema.timeColumn] as Float64Array;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      if (!(t >= dayStart && t < dayStart + MS_PER_DAY)) {
        this.warn(`skipping ${schema.dataset} Parquet file ${file}: row ${i} has ${schema.timeColumn} ${t}, outside its date folder`);
        return undefined;
      }
    }
    for (const spec of schema.columns) {
      if (!spec.positive) continue;
      const values = columns[spec.name] as Float64Array;
      for (let i = 0; i < values.length; i++) {
        if (!(values[i]! > 0 && values[i]! < Number.POSITIVE_INFINITY)) {
          this.warn(`skipping ${schema.dataset} Parquet file ${file}: row ${i} has ${spec.name} ${values[i]}, which must be a finite number > 0`);
          return undefined;
        }
      }
    }
    return columns;
  }
}

function emptyColumns(schema: DatasetSchema): Columns {
  const out: Columns = {};
  for (const spec of schema.columns) out[spec.name] = spec.kind === 'utf8' ? [] : spec.kind === 'bool' ? new Uint8Array(0) : new Float64Array(0);
  return out;
}

function selectRows(
  schema: DatasetSchema,
  columns: Columns,
  from: number,
  to: number,
  keepRow?: (columns: Columns, row: number) => boolean,
): Columns | undefined {
  const times = columns[schema.timeColumn] as Float64Array;
  const n = times.length;
  const keeps = (i: number): boolean => times[i]! >= from && times[i]! < to && (!keepRow || keepRow(columns, i));
  let first = 0;
  while (first < n && keeps(first)) first++;
  if (first === n) return n === 0 ? undefined : columns; // the common case: the whole file
  const rows: number[] = [];
  for (let i = 0; i < first; i++) rows.push(i);
  for (let i = first + 1; i < n; i++) if (keeps(i)) rows.push(i);
  return rows.length === 0 ? undefined : takeRows(schema.columns, columns, rows);
}

/**
 * Orders rows by time (stable, so equal times keep write order) and keeps only the last row of each
 * key among rows of equal time: re-written bars (corrections), re-fetched funding and trades replayed
 * after a reconnect or imported twice all resolve to one row.
 */
export function orderAndDedup(schema: DatasetSchema, columns: Columns): Columns {
  const times = columns[schema.timeColumn] as Float64Array;
  const n = times.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (times[i]! < times[i - 1]!) sorted = false;
  let order: number[] | undefined;
  if (!sorted) order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const at = (i: number): number => (order ? order[i]! : i);
  const keyCols = schema.key.map((k) => columns[k]!);
  const keyOf = (row: number): string => keyCols.map((c) => String(c[row])).join('\u0000');

  let keep: number[] | undefined;
  let start = 0;
  while (start < n) {
    const t = times[at(start)]!;
    let end = start + 1;
    while (end < n && times[at(end)] === t) end++;
    if (end - start > 1) {
      const last = new Map<string, number>();
      for (let i = start; i < end; i++) last.set(keyOf(at(i)), i);
      if (last.size !== end - start) {
        keep ??= Array.from({ length: start }, (_, i) => at(i));
        for (let i = start; i < end; i++) if (last.get(keyOf(at(i))) === i) keep.push(at(i));
        start = end;
        continue;
      }
    }
    if (keep) for (let i = start; i < end; i++) keep.push(at(i));
    start = end;
  }
  if (keep) return takeRows(schema.columns, columns, keep);
  if (order) return takeRows(schema.columns, columns, order);
  return columns;
}
