import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exportCommand } from '../../../../../main/cli/commands/export.js';
import { openDatabase } from '../../../../../main/storage/sqlite/database.js';
import { SqliteJournal } from '../../../../../main/storage/sqlite/sqlite-journal.js';
import { tempDir } from '../../../../support/kernel-harness.js';
import type { Order } from '../../../../../shared/model/index.js';

describe('kestrel export', () => {
  it('writes the journal’s fills and orders as CSV, filtered by time, and names a missing journal', async () => {
    const tmp = tempDir();
    try {
      const db = openDatabase(tmp.dir);
      const j = new SqliteJournal(db);
      const t0 = Date.UTC(2026, 5, 1);
      for (const [i, ts] of [t0, t0 + 86_400_000].entries()) {
        const o: Order = { clientOrderId: `K${i}`, venueOrderId: `V${i}`, accountId: 'paper', instrumentId: 'SIM:SPY', side: 'buy', type: 'market', timeInForce: 'IOC', quantity: 3, price: null, stopPrice: null, status: 'pending', filledQuantity: 0, avgFillPrice: null, reason: null, tsCreated: ts, tsUpdated: ts };
        j.insertOrder(o, { clientOrderId: o.clientOrderId, kind: 'submitted', detail: null, tsEvent: ts });
        j.insertFill(
          { fillId: `F${i}`, venueTradeId: `T${i}`, clientOrderId: o.clientOrderId, venueOrderId: `V${i}`, accountId: 'paper', instrumentId: 'SIM:SPY', side: 'buy', quantity: 3, price: 600 + i, fee: 0.9, feeCurrency: 'USD', liquidity: 'taker', tsEvent: ts },
          { ...o, status: 'filled', filledQuantity: 3, avgFillPrice: 600 + i },
        );
      }
      db.close();
      const out = path.join(tmp.dir, 'fills.csv');
      expect(await exportCommand.run(['fills', '--data-dir', tmp.dir, '--from', '2026-06-01', '--to', '2026-06-02', '--out', out])).toBe(0);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe('2026-06-01T00:00:00.000Z,F0,T0,K0,paper,SIM:SPY,buy,3,600,1800,0.9,USD,taker');
      const orders = path.join(tmp.dir, 'orders.csv');
      await exportCommand.run(['orders', '--data-dir', tmp.dir, '--out', orders]);
      expect(readFileSync(orders, 'utf8').trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[10])).toEqual(['filled', 'filled']);
      await expect(exportCommand.run(['fills', '--data-dir', path.join(tmp.dir, 'nowhere')])).rejects.toThrow(/no Kestrel journal/);
      await expect(exportCommand.run(['trades', '--data-dir', tmp.dir])).rejects.toThrow(/orders, fills, positions, summary/);
    } finally {
      tmp.cleanup();
    }
  });
});
