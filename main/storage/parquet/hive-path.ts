import path from 'node:path';
import { MS_PER_DAY } from '../../../shared/model/time.js';

/** The four Parquet datasets, each a folder under `<dataDir>/parquet`. */
export const DATASETS = ['trades', 'bars', 'funding', 'premium_index'] as const;
export type Dataset = (typeof DATASETS)[number];

// Kept verbatim; every other character is written as %XX of its UTF-8 bytes, the escaping Hive and
// Spark use, which DuckDB and Polars undo when they read `key=value` folders (checked in the tests).
// '.' is escaped too, so no value can ever be '.' or '..' and walk the tree.
const SAFE = /^[A-Za-z0-9_-]$/;
const utf8 = new TextEncoder();

/**
 * Turns a partition value such as the ccxt symbol `BTC/USDT:USDT` into a folder-safe string
 * (`BTC%2FUSDT%3AUSDT`): no `/`, `:` or `=`, valid on Windows, and reversible with
 * {@link decodePartitionValue}.
 */
export function encodePartitionValue(value: string): string {
  if (value.length === 0) throw new Error('a partition value (venue or symbol) must not be empty');
  let out = '';
  for (const ch of value) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodePartitionValue(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new Error(`partition folder value "${encoded}" is not valid percent-encoding`);
  }
}

/** `YYYY-MM-DD` of a UTC instant: the date partition a row belongs to. */
export function utcDateOf(tsMs: number): string {
  return new Date(Math.floor(tsMs / MS_PER_DAY) * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` date. */
export function utcDayStartMs(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new Error(`"${date}" is not a YYYY-MM-DD date`);
  return ms;
}

export interface PartitionKey {
  venue: string;
  symbol: string;
  /** UTC `YYYY-MM-DD`. */
  date: string;
}

/** `<root>/<dataset>/venue=…/symbol=…` — the folder holding every date of one instrument. */
export function symbolDir(root: string, dataset: Dataset, venue: string, symbol: string): string {
  return path.join(root, dataset, `venue=${encodePartitionValue(venue)}`, `symbol=${encodePartitionValue(symbol)}`);
}

export function partitionDir(root: string, dataset: Dataset, key: PartitionKey): string {
  return path.join(symbolDir(root, dataset, key.venue, key.symbol), `date=${key.date}`);
}
