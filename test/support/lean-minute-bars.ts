import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** Reads the single CSV inside a LEAN zip (local file header + deflate; no zip library needed). */
export function readLeanZip(file: string): string {
  const buf = readFileSync(file);
  if (buf.readUInt32LE(0) !== 0x04034b50) throw new Error(`${file} is not a zip file`);
  const method = buf.readUInt16LE(8);
  const flags = buf.readUInt16LE(6);
  const nameLen = buf.readUInt16LE(26);
  const extraLen = buf.readUInt16LE(28);
  let size = buf.readUInt32LE(18);
  const start = 30 + nameLen + extraLen;
  if (flags & 0x08) {
    // Sizes live in the central directory when the data descriptor flag is set.
    const cd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    size = buf.readUInt32LE(cd + 20);
  }
  const body = buf.subarray(start, start + size);
  return (method === 8 ? inflateRawSync(body) : body).toString('utf8');
}

export interface LeanMinuteRow {
  /** epoch ms of the minute's start */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** LEAN minute trade bars: `ms_since_midnight,open,high,low,close,volume`, rows only for minutes with trades. */
export function readLeanMinuteBars(file: string, dayStartMs: number): LeanMinuteRow[] {
  return readLeanZip(file)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [ms, o, h, lo, c, v] = l.split(',').map(Number) as [number, number, number, number, number, number];
      return { openTime: dayStartMs + ms, open: o, high: h, low: lo, close: c, volume: v };
    });
}
