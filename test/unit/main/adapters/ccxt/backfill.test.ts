import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeBackfill, type BackfillEvent, type TradeBackfillSource } from '../../../../../main/adapters/ccxt/backfill.js';
import type { TradeTick } from '../../../../../shared/model/index.js';

const ID = 'SIM:BTC/USDT';
const tick = (n: number, ts = 1_000 + n * 10): TradeTick => ({ instrumentId: ID, tradeId: String(n), price: 100 + (n % 7), quantity: 1, side: n % 2 ? 'buy' : 'sell', tsEvent: ts, tsInit: ts });

/** The venue's REST over a known tape: by id (contiguous) or by time, with a page cap below what is asked. */
function restOver(tape: TradeTick[], mode: 'fromId' | 'since', cap = 7, known = () => tape.length) {
  const calls: string[] = [];
  const source: TradeBackfillSource = {
    mode,
    fetchAfter: async (cursor, limit) => {
      calls.push(`${cursor.tradeId}@${cursor.tsEvent}`);
      const visible = tape.slice(0, known());
      const rows = mode === 'fromId' ? visible.filter((t) => Number(t.tradeId) > Number(cursor.tradeId)) : visible.filter((t) => t.tsEvent >= cursor.tsEvent);
      return rows.slice(0, Math.min(limit, cap));
    },
  };
  return { source, calls };
}

function harness(source: TradeBackfillSource, extra: Partial<ConstructorParameters<typeof TradeBackfill>[0]> = {}) {
  const out: TradeTick[] = [];
  const events: BackfillEvent[] = [];
  const timers: Array<() => void> = [];
  const b = new TradeBackfill({
    instrumentId: ID,
    source,
    emit: (t) => out.push(...t),
    report: (e) => events.push(e),
    rememberIds: 10_000,
    maxAttempts: 3,
    quietDelayMs: 1000,
    setTimer: (fn) => {
      timers.push(fn);
      return () => {
        const i = timers.indexOf(fn);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    sleep: async () => undefined,
    ...extra,
  });
  return { b, out, events, timers };
}

const ids = (ts: TradeTick[]) => ts.map((t) => Number(t.tradeId));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('TradeBackfill', () => {
  it('drops repeats by trade id', async () => {
    const { b, out, events } = harness(restOver([], 'since').source);
    b.onLive([tick(1), tick(2)]);
    b.onLive([tick(2), tick(3), tick(1)]);
    await b.idle();
    expect(ids(out)).toEqual([1, 2, 3]);
    expect(b.stats().duplicatesDropped).toBe(2);
    expect(events).toEqual([]);
  });

  it('after a reconnect, fills the gap by id before passing the first new trade on (pages capped below the limit)', async () => {
    const tape = range(1, 60).map((n) => tick(n));
    const { source, calls } = restOver(tape, 'fromId', 7);
    const { b, out, events } = harness(source);
    b.onLive(tape.slice(0, 10));
    b.onReconnected();
    b.onLive(tape.slice(40, 59));
    await b.idle();
    expect(ids(out)).toEqual(range(1, 60));
    expect(calls[0]).toBe('10@1100');
    expect(events).toContainEqual({ kind: 'filled', instrumentId: ID, count: 30 });
  });

  it('on contiguous ids a jump without any reconnect is a gap too (a lost frame)', async () => {
    const tape = range(1, 21).map((n) => tick(n));
    const { b, out } = harness(restOver(tape, 'fromId').source);
    b.onLive([...tape.slice(0, 5), ...tape.slice(6, 20)]);
    await b.idle();
    expect(ids(out)).toEqual(range(1, 21));
    expect(b.stats().gapsFilled).toBe(1);
  });

  it('by time: trades at the boundary millisecond are not repeated', async () => {
    const tape = [tick(1, 100), tick(2, 100), tick(3, 200), tick(4, 200), tick(5, 200), tick(6, 300), tick(7, 400)];
    const { b, out, events } = harness(restOver(tape, 'since', 4).source);
    b.onLive([tape[0]!, tape[1]!, tape[2]!]);
    b.onReconnected();
    b.onLive([tape[6]!]);
    await b.idle();
    expect(ids(out)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.filter((e) => e.kind === 'unfillable')).toEqual([]);
  });

  it('by time: more trades in one millisecond than a page holds is reported as a possible loss', async () => {
    const tape = [tick(1, 100), tick(2, 200), tick(3, 200), tick(4, 200), tick(5, 300)];
    const { b, out, events } = harness(restOver(tape, 'since', 2).source);
    b.onLive([tape[0]!]);
    b.onReconnected();
    b.onLive([tape[4]!]);
    await b.idle();
    expect(ids(out)).toEqual([1, 2, 3, 5]);
    const loss = events.find((e) => e.kind === 'unfillable');
    expect(loss && 'message' in loss ? loss.message : '').toMatch(/a whole page of 2 trades shares 1970-01-01T00:00:00.200Z; more at that millisecond may be missing/);
  });

  it('a quiet market is backfilled when the timer fires, up to now', async () => {
    const tape = range(1, 30).map((n) => tick(n));
    let known = 10;
    const { b, out, timers } = harness(restOver(tape, 'fromId', 1000, () => known).source);
    b.onLive(tape.slice(0, 10));
    await b.idle();
    b.onReconnected();
    await b.idle();
    known = 25;
    expect(timers).toHaveLength(1);
    timers[0]!();
    await b.idle();
    expect(ids(out)).toEqual(range(1, 26));
    b.onLive(tape.slice(20, 29));
    await b.idle();
    expect(ids(out)).toEqual(range(1, 30));
  });

  it('retries a failing REST call, then gives up and says which trades may be missing', async () => {
    let failures = 0;
    const source: TradeBackfillSource = {
      mode: 'fromId',
      fetchAfter: async () => {
        failures += 1;
        throw new Error('binanceusdm backfill: rate limit hit (HTTP 429)');
      },
    };
    const { b, out, events } = harness(source);
    b.onLive([tick(1)]);
    b.onReconnected();
    b.onLive([tick(9)]);
    await b.idle();
    expect(failures).toBe(3);
    expect(ids(out)).toEqual([1, 9]);
    expect(events.filter((e) => e.kind === 'retrying')).toHaveLength(2);
    const gaveUp = events.find((e) => e.kind === 'gave_up');
    expect(gaveUp && 'message' in gaveUp ? gaveUp.message : '').toMatch(/gave up|attempt 3 of 3.*may be missing/);
  });

  it('reports what REST cannot reach any more instead of pretending it is whole', async () => {
    const tape = range(1, 100).map((n) => tick(n));
    // Only the last 20 trades are still served (Binance /trades without an API key).
    const source: TradeBackfillSource = { mode: 'fromId', fetchAfter: async () => tape.slice(79, 99) };
    const { b, out, events } = harness(source);
    b.onLive(tape.slice(0, 10));
    b.onReconnected();
    b.onLive([tape[98]!]);
    await b.idle();
    expect(ids(out)).toEqual([...range(1, 11), ...range(80, 100)]);
    const unfillable = events.find((e) => e.kind === 'unfillable');
    expect(unfillable && 'message' in unfillable ? unfillable.message : '').toMatch(/69 trades after id 10 are beyond/);
  });

  it('on a venue without trade history, a reconnect is reported as a possible gap', async () => {
    const { b, events } = harness({ mode: 'none', fetchAfter: async () => [] });
    b.onLive([tick(1)]);
    await b.idle();
    b.onReconnected();
    await b.idle();
    expect(events[0]?.kind).toBe('unfillable');
  });

  it('property: however the stream is cut and re-joined, every trade comes out once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20, max: 200 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 199 }), fc.integer({ min: 0, max: 40 })), { maxLength: 5 }),
        // By time, a page must hold more trades than share one millisecond (here up to 3).
        fc.integer({ min: 4, max: 50 }),
        fc.constantFrom<'fromId' | 'since'>('fromId', 'since'),
        async (n, outages, cap, mode) => {
          const tape = range(1, n + 1).map((i) => tick(i, 1000 + Math.floor(i / 3)));
          const { b, out } = harness(restOver(tape, mode, cap).source);
          const lost = new Set<number>();
          for (const [start, len] of outages) for (let i = start; i < Math.min(n, start + len); i++) lost.add(i);
          lost.delete(0);
          lost.delete(n - 1);
          let down = false;
          for (let i = 0; i < n; i++) {
            if (lost.has(i)) {
              down = true;
              continue;
            }
            if (down) {
              b.onReconnected();
              down = false;
            }
            b.onLive([tape[i]!]);
          }
          await b.idle();
          expect(ids(out)).toEqual(range(1, n + 1));
        },
      ),
      { numRuns: 60 },
    );
  });
});
