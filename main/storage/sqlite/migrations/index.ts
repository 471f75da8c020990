/**
 * Versioned schema. A migration, once released, is never edited: add a new one. Each runs in its
 * own transaction and records its version in schema_migrations.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'order journal, fills, trading state, audit',
    sql: `
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        venue_order_id  TEXT,
        account_id      TEXT NOT NULL,
        instrument_id   TEXT NOT NULL,
        side            TEXT NOT NULL CHECK (side IN ('buy','sell')),
        type            TEXT NOT NULL,
        time_in_force   TEXT NOT NULL,
        quantity        REAL NOT NULL CHECK (quantity > 0),
        price           REAL,
        stop_price      REAL,
        status          TEXT NOT NULL,
        filled_quantity REAL NOT NULL DEFAULT 0,
        avg_fill_price  REAL,
        reason          TEXT,
        ts_created      INTEGER NOT NULL,
        ts_updated      INTEGER NOT NULL
      );
      CREATE INDEX orders_status ON orders(status);
      CREATE TABLE order_events (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
        kind            TEXT NOT NULL,
        detail          TEXT,
        ts_event        INTEGER NOT NULL
      );
      CREATE INDEX order_events_order ON order_events(client_order_id);
      CREATE TABLE fills (
        fill_id         TEXT PRIMARY KEY,
        venue_trade_id  TEXT NOT NULL,
        client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
        venue_order_id  TEXT,
        account_id      TEXT NOT NULL,
        instrument_id   TEXT NOT NULL,
        side            TEXT NOT NULL,
        quantity        REAL NOT NULL CHECK (quantity > 0),
        price           REAL NOT NULL CHECK (price > 0),
        fee             REAL NOT NULL,
        fee_currency    TEXT NOT NULL,
        liquidity       TEXT NOT NULL,
        ts_event        INTEGER NOT NULL,
        UNIQUE (account_id, venue_trade_id)
      );
      CREATE INDEX fills_ts ON fills(ts_event);
      CREATE TABLE trading_state (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        state      TEXT NOT NULL CHECK (state IN ('ACTIVE','HALTED')),
        reason     TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        ts_changed INTEGER NOT NULL
      );
      CREATE TABLE trading_state_history (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        state      TEXT NOT NULL,
        reason     TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        ts_changed INTEGER NOT NULL
      );
      CREATE TABLE audit_log (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        ts     INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];
