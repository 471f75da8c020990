import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../../shared/api/errors.js';
import type { UniverseMember, UniverseRuleConfig } from '../../marketdata/universe/universe-rule.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const VERSION = /^v([1-9]\d*)$/;
const CSV_HEADER = 'rank,instrument_id,symbol,quote,quote_volume_24h,listed_at_ms';

/** A universe file as stored: `<dataDir>/universe/YYYY-MM-DD/vN/universe.csv` plus `meta.json`. */
export interface UniverseVersion {
  date: string;
  /** `v1`, `v2`, … */
  version: string;
  generatedAtMs: number;
  rule: UniverseRuleConfig | null;
  members: UniverseMember[];
}

export interface SaveUniverseResult {
  version: string;
  dir: string;
  /** false when the latest version of that date already had the same members in the same order. */
  created: boolean;
}

const Meta = z.object({ date: z.string(), version: z.string(), generatedAtMs: z.number(), rule: z.unknown().nullable() });

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Splits one CSV line, honouring "quoted, fields" with "" escapes. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

function toCsv(members: readonly UniverseMember[]): string {
  const lines = members.map((m) =>
    [String(m.rank), csvField(m.instrumentId), csvField(m.symbol), csvField(m.quote), String(m.quoteVolume24h), m.listedAtMs === null ? '' : String(m.listedAtMs)].join(','),
  );
  return `${CSV_HEADER}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

function fromCsv(text: string, file: string): UniverseMember[] {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== CSV_HEADER) throw new Error(`${file}: first line must be "${CSV_HEADER}"`);
  return lines.slice(1).map((line, i) => {
    const f = splitCsvLine(line);
    const [rank, quoteVolume, listedAt] = [Number(f[0]), Number(f[4]), f[5] === '' ? null : Number(f[5])];
    if (f.length !== 6 || !Number.isInteger(rank) || !Number.isFinite(quoteVolume) || (listedAt !== null && !Number.isInteger(listedAt))) {
      throw new Error(`${file} line ${i + 2}: expected ${CSV_HEADER}, got "${line.slice(0, 80)}"`);
    }
    return { rank, instrumentId: f[1]!, symbol: f[2]!, quote: f[3]!, quoteVolume24h: quoteVolume, listedAtMs: listedAt };
  });
}

function sameMembers(a: readonly UniverseMember[], b: readonly UniverseMember[]): boolean {
  return a.length === b.length && a.every((m, i) => m.instrumentId === b[i]!.instrumentId);
}

/**
 * Versioned universe files, laid out as seed 004 has them: `universe/YYYY-MM-DD/v1/universe.csv`,
 * `v2`, … A refresh that picks the same instruments in the same order as the date's latest version
 * writes nothing (volumes move every minute; the universe did not change); a different pick on the
 * same date becomes the next version. Versions are never rewritten.
 */
export class UniverseStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(path.resolve(dataDir), 'universe');
  }

  async save(date: string, members: readonly UniverseMember[], meta: { generatedAtMs: number; rule?: UniverseRuleConfig }): Promise<SaveUniverseResult> {
    if (!DATE.test(date)) throw new Error(`universe date "${date}" must be YYYY-MM-DD`);
    const dateDir = path.join(this.root, date);
    await fs.mkdir(dateDir, { recursive: true });
    for (;;) {
      const versions = await this.listVersions(date);
      const latest = versions.at(-1);
      if (latest) {
        const current = await this.read(date, latest);
        if (sameMembers(current.members, members)) return { version: latest, dir: path.join(dateDir, latest), created: false };
      }
      const version = `v${versions.length === 0 ? 1 : Number(VERSION.exec(latest!)![1]) + 1}`;
      // Built in a hidden folder and renamed into place, so a reader never sees half a version and
      // two processes racing for the same vN cannot both win (rename onto a non-empty folder fails).
      const temp = path.join(dateDir, `.${version}.${randomBytes(4).toString('hex')}.tmp`);
      await fs.mkdir(temp);
      const record = { date, version, generatedAtMs: meta.generatedAtMs, rule: meta.rule ?? null };
      await fs.writeFile(path.join(temp, 'universe.csv'), toCsv(members));
      await fs.writeFile(path.join(temp, 'meta.json'), `${JSON.stringify(record, null, 2)}\n`);
      try {
        await fs.rename(temp, path.join(dateDir, version));
        return { version, dir: path.join(dateDir, version), created: true };
      } catch (err) {
        await fs.rm(temp, { recursive: true, force: true });
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
      }
    }
  }

  /** Dates with at least one version, ascending. */
  async listDates(): Promise<string[]> {
    return (await this.readDirNames(this.root)).filter((n) => DATE.test(n)).sort();
  }

  /** `v1`, `v2`, … of a date, ascending by number. */
  async listVersions(date: string): Promise<string[]> {
    return (await this.readDirNames(path.join(this.root, date)))
      .filter((n) => VERSION.test(n))
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }

  /** One version of a date; the latest when `version` is omitted. */
  async read(date: string, version?: string): Promise<UniverseVersion> {
    const v = version ?? (await this.listVersions(date)).at(-1);
    if (!v) throw new Error(`no universe saved for ${date}`);
    const dir = path.join(this.root, date, v);
    const csvFile = path.join(dir, 'universe.csv');
    let csv: string;
    try {
      csv = await fs.readFile(csvFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no universe ${v} saved for ${date}`);
      throw err;
    }
    const metaFile = path.join(dir, 'meta.json');
    const meta = Meta.safeParse(JSON.parse(await fs.readFile(metaFile, 'utf8')));
    if (!meta.success) throw new Error(describeZodError(meta.error, metaFile));
    return { date, version: v, generatedAtMs: meta.data.generatedAtMs, rule: (meta.data.rule as UniverseRuleConfig | null) ?? null, members: fromCsv(csv, csvFile) };
  }

  /**
   * The most recent universe: the latest date (on or before `onOrBefore` if given) and its latest
   * version, or the given version of the latest date that has it (seed 004's
   * `get_last_universe(version='v1')`). Undefined when nothing matches.
   */
  async readLatest(options: { onOrBefore?: string; version?: string } = {}): Promise<UniverseVersion | undefined> {
    const dates = (await this.listDates()).filter((d) => options.onOrBefore === undefined || d <= options.onOrBefore).reverse();
    for (const date of dates) {
      const versions = await this.listVersions(date);
      if (options.version === undefined && versions.length > 0) return this.read(date);
      if (options.version !== undefined && versions.includes(options.version)) return this.read(date, options.version);
    }
    return undefined;
  }

  private async readDirNames(dir: string): Promise<string[]> {
    try {
      return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
