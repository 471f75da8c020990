import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { openDatabase, migrate } from '../../../../../main/storage/sqlite/database.js';
import { SqliteJournal } from '../../../../../main/storage/sqlite/sqlite-journal.js';
import type { Fill, Order } from '../../../../../shared/model/index.js';
import { tempDir } from '../../../../support/kernel-harness.js';

const order = (over: Partial<Order> = {}): Order => ({
  clientOrderId: 'K1',
  venueOrderId: null,
  accountId: 'paper',
  instrumentId: 'SIM:BTC/USDT:USDT',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  quantity: 2,
  price: 100,
  stopPrice: null,
  status: 'pending',
  filledQuantity: 0,
  avgFillPrice: null,
  reason: null,
  tsCreated: 1,
  tsUpdated: 1,
  ...over,
});

const fill = (over: Partial<Fill> = {}): Fill => ({
  fillId: 'F1',
  venueTradeId: 'T1',
  clientOrderId: 'K1',
  venueOrderId: 'V1',
  accountId: 'paper',
  instrumentId: 'SIM:BTC/USDT:USDT',
  side: 'buy',
  quantity: 1,
  price: 100,
  fee: 0.05,
  feeCurrency: 'USDT',
  liquidity: 'maker',
  tsEvent: 5,
  ...over,
});

describe('SqliteJournal', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const open = () => {
    const t = tempDir();
    dirs.push(t);
    return { dir: t.dir, db: openDatabase(t.dir) };
  };

  it('migrates once, in WAL mode, and refuses a database from a newer schema', () => {
    const { dir, db } = open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(migrate(db)).toBe(0);
    db.prepare('INSERT INTO schema_migrations VALUES (999, ?, ?)').run('future', 0);
    db.close();
    expect(() => openDatabase(dir)).toThrow(/newer Kestrel \(schema v999/);
  });

  it('journals orders with their events and survives reopening', () => {
    const { dir, db } = open();
    const j = new SqliteJournal(db);
    j.insertOrder(order(), { clientOrderId: 'K1', kind: 'submitted', detail: 'user', tsEvent: 1 });
    j.updateOrder(order({ status: 'open', venueOrderId: 'V1', tsUpdated: 2 }), { clientOrderId: 'K1', kind: 'accepted', detail: null, tsEvent: 2 });
    db.close();
    const j2 = new SqliteJournal(new Database(path.join(dir, 'kestrel.db')));
    expect(j2.getOrder('K1')).toMatchObject({ status: 'open', venueOrderId: 'V1' });
    expect(j2.listOrders('open').map((o) => o.clientOrderId)).toEqual(['K1']);
    expect(j2.listEvents('K1').map((e) => e.kind)).toEqual(['submitted', 'accepted']);
  });

  it('records a fill once: a replayed fill (same venue trade id) is ignored', () => {
    const { db } = open();
    const j = new SqliteJournal(db);
    j.insertOrder(order(), { clientOrderId: 'K1', kind: 'submitted', detail: null, tsEvent: 1 });
    expect(j.insertFill(fill(), order({ status: 'partially_filled', filledQuantity: 1, avgFillPrice: 100 }))).toBe(true);
    expect(j.insertFill(fill({ fillId: 'F1-replayed' }), order({ status: 'filled', filledQuantity: 2 }))).toBe(false);
    expect(j.listFills()).toHaveLength(1);
    expect(j.getOrder('K1')).toMatchObject({ status: 'partially_filled', filledQuantity: 1 });
  });

  it('refuses to update an order it never journaled, and a fill with a non-positive price', () => {
    const { db } = open();
    const j = new SqliteJournal(db);
    expect(() => j.updateOrder(order({ clientOrderId: 'ghost' }), null)).toThrow(/ghost is not in the journal/);
    j.insertOrder(order(), { clientOrderId: 'K1', kind: 'submitted', detail: null, tsEvent: 1 });
    expect(() => j.insertFill(fill({ price: 0 }), order())).toThrow(/CHECK constraint/);
    expect(j.listFills()).toHaveLength(0);
  });

  it('persists the trading state and its history', () => {
    const { db } = open();
    const j = new SqliteJournal(db);
    expect(j.getTradingState()).toBeNull();
    j.setTradingState({ state: 'HALTED', reason: 'stop', changedBy: 'user', tsChanged: 10 });
    j.setTradingState({ state: 'ACTIVE', reason: 'go', changedBy: 'user', tsChanged: 11 });
    expect(j.getTradingState()).toEqual({ state: 'ACTIVE', reason: 'go', changedBy: 'user', tsChanged: 11 });
    expect(db.prepare('SELECT count(*) n FROM trading_state_history').get()).toEqual({ n: 2 });
  });
});
