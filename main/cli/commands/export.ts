import { existsSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteJournal } from '../../storage/sqlite/sqlite-journal.js';
import { defaultDataDir } from '../../system/data-dir.js';
import { buildReport, REPORT_KINDS, type ReportKind } from '../../reports/trading-report.js';
import { parseTimeArg } from '../history/time-arg.js';
import { CliUsageError, type CliCommand } from '../command.js';

const USAGE = `kestrel export orders|fills|positions|summary [--data-dir DIR] [--from T] [--to T] [--account ID] [--out FILE.csv]

Writes a trading report as CSV (to stdout, or to --out): every order, every fill, positions derived
from the fills, or a per-instrument summary (fills, volume, notional, fees and their bps, realized
PnL). Reads the journal of a data folder; safe while Kestrel runs. Times: ISO-8601 or epoch ms.`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export orders, fills, positions or a trading summary to CSV',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, account: { type: 'string' }, out: { type: 'string' } },
    });
    const kind = positionals[0] as ReportKind | undefined;
    if (!kind || !REPORT_KINDS.includes(kind)) throw new CliUsageError(`say what to export: ${REPORT_KINDS.join(', ')}`);
    const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
    const file = path.join(dataDir, 'kestrel.db');
    if (!existsSync(file)) throw new CliUsageError(`no Kestrel journal in ${dataDir} (expected ${file})`);
    const from = values.from ? parseTimeArg(values.from, '--from', Date.now()) : 0;
    const to = values.to ? parseTimeArg(values.to, '--to', Date.now()) : Number.MAX_SAFE_INTEGER;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const journal = new SqliteJournal(db);
      const inRange = (ts: number) => ts >= from && ts < to;
      const mine = (accountId: string) => !values.account || accountId === values.account;
      const orders = journal.listOrders('all').filter((o) => inRange(o.tsCreated) && mine(o.accountId));
      const fills = journal.listFills().filter((f) => inRange(f.tsEvent) && mine(f.accountId));
      const csv = buildReport(kind, orders, fills);
      if (values.out) {
        // Written beside and renamed, so a reader never sees half a report.
        const tmp = `${values.out}.tmp`;
        writeFileSync(tmp, csv);
        renameSync(tmp, values.out);
        process.stderr.write(`wrote ${kind} to ${values.out}\n`);
      } else process.stdout.write(csv);
      return 0;
    } finally {
      db.close();
    }
  },
};
