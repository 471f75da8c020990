import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const PART_FILE = /^part-\d{13}-\d{6}-[0-9a-f]{8}\.parquet$/;
const TEMP_SUFFIX = '.tmp';

/**
 * Names part files so that sorting by name is write order within a process (time, then a
 * sequence), with a random tail so two processes never collide. Readers rely on this order: a
 * later part's bar or funding row replaces an earlier one with the same key.
 */
export class PartNamer {
  private lastMs = 0;
  private seq = 0;

  constructor(private readonly nowMs: () => number) {}

  next(): string {
    const now = Math.max(this.nowMs(), this.lastMs); // a clock stepping back must not reorder parts
    this.seq = now === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = now;
    return `part-${String(now).padStart(13, '0')}-${String(this.seq % 1_000_000).padStart(6, '0')}-${randomBytes(4).toString('hex')}.parquet`;
  }
}

/**
 * Writes bytes under a temporary dot-name, syncs them to disk and renames into place: a crash
 * leaves at most a `.part-….tmp` (which readers and DuckDB's `*.parquet` globs ignore), never a
 * half-written file under the final name.
 */
export async function writeFileAtomic(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const finalPath = path.join(dir, name);
  const tempPath = path.join(dir, `.${name}${TEMP_SUFFIX}`);
  const handle = await fs.open(tempPath, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tempPath, finalPath);
  return finalPath;
}

/** The finished part files of one partition folder, in write order (empty if the folder is absent). */
export async function listPartFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // Any other *.parquet dropped in by hand is read too, after Kestrel's own parts.
  const own = names.filter((n) => PART_FILE.test(n)).sort();
  const foreign = names.filter((n) => n.endsWith('.parquet') && !n.startsWith('.') && !PART_FILE.test(n)).sort();
  return [...own, ...foreign].map((n) => path.join(dir, n));
}

/** Sub-folders named `key=value` of a folder, as [value, path] (empty if the folder is absent). */
export async function listKeyFolders(dir: string, key: string): Promise<Array<[string, string]>> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const prefix = `${key}=`;
  return entries
    .filter((e) => e.isDirectory() && e.name.startsWith(prefix))
    .map((e): [string, string] => [e.name.slice(prefix.length), path.join(dir, e.name)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Deletes temporary files left by writes that crashed, if older than `olderThanMs`; returns their paths. */
export async function sweepTempFiles(root: string, olderThanMs: number, nowMs: number): Promise<string[]> {
  const removed: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.name.startsWith('.') && e.name.endsWith(TEMP_SUFFIX)) {
        const stat = await fs.stat(full);
        if (nowMs - stat.mtimeMs >= olderThanMs) {
          await fs.rm(full, { force: true });
          removed.push(full);
        }
      }
    }
  }
  await walk(root);
  return removed;
}
