import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HftbacktestSource } from '../../../../../../main/adapters/replay/sources/hftbacktest-source.js';
import type { ReplayEvent } from '../../../../../../main/adapters/replay/replay-source.js';
import { fixture } from '../../../../../support/paths.js';

const USDM = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');

async function collect(source: HftbacktestSource): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = [];
  for await (const e of source.open()) out.push(e);
  return out;
}

describe('HftbacktestSource', () => {
  it('reads USDⓈ-M trades, quotes and books rebuilt from depth, with ccxt instrument ids', async () => {
    const events = await collect(new HftbacktestSource({ path: USDM, market: 'usdm', bookDepth: 5 }));
    const trades = events.filter((e) => e.kind === 'trade');
    const quotes = events.filter((e) => e.kind === 'quote');
    const books = events.filter((e) => e.kind === 'book');
    expect([trades.length, quotes.length]).toEqual([21_313, 66_089]);
    // First recorded trade: t 5266583935, p 61800.30, q 0.006, T 1723161256322, m false.
    expect(trades[0]).toEqual({
      kind: 'trade',
      tsEvent: 1_723_161_256_322,
      trade: { instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', tradeId: '5266583935', price: 61800.3, quantity: 0.006, side: 'buy', tsEvent: 1_723_161_256_322, tsInit: 1_723_161_256_322 },
    });
    // One book when the snapshot (line 55) syncs with the buffered diff that straddles it, then one per later diff.
    const lines = gunzipSync(readFileSync(USDM)).toString('utf8').split('\n');
    const snapshotLine = lines.findIndex((l) => l.includes('"lastUpdateId"'));
    const diffsAfter = lines.slice(snapshotLine + 1).filter((l) => l.includes('"e":"depthUpdate"')).length;
    expect(books.length).toBe(1 + diffsAfter);
    for (const e of books) {
      if (e.kind !== 'book') continue;
      const { bids, asks } = e.book;
      expect(bids.length).toBe(5);
      expect(bids[0]![0]).toBeLessThan(asks[0]![0]);
      for (let i = 1; i < 5; i += 1) {
        expect(bids[i]![0]).toBeLessThan(bids[i - 1]![0]);
        expect(asks[i]![0]).toBeGreaterThan(asks[i - 1]![0]);
      }
    }
  });

  it('gives spot bookTicker frames (which carry no time) venue times within the span of the recorded trades', async () => {
    const events = await collect(new HftbacktestSource({ path: fixture('hftbacktest-binance-ws', 'spot_btcusdt_20240808.gz'), market: 'spot', bookDepth: 0 }));
    const trades = events.filter((e) => e.kind === 'trade');
    const quotes = events.filter((e) => e.kind === 'quote');
    expect([trades.length, quotes.length]).toEqual([9_757, 28_040]);
    expect(trades[0]!.kind === 'trade' && trades[0]!.trade.instrumentId).toBe('BINANCE:BTC/USDT');
    let last = 0;
    for (const q of quotes) {
      expect(q.tsEvent).toBeGreaterThanOrEqual(last);
      last = q.tsEvent;
    }
    // Estimated times stay within the venue-time span of the recorded trades (the recorder's own clock
    // runs ~1.2 s behind, so raw receive times would fall before it).
    expect(quotes[0]!.tsEvent).toBeGreaterThanOrEqual(trades[0]!.tsEvent - 1_000);
    expect(quotes.at(-1)!.tsEvent).toBeLessThanOrEqual(trades.at(-1)!.tsEvent + 1_000);
    const firstLocalMs = 1_723_161_253_937; // the first line's receive time, in ms
    expect(quotes[0]!.tsEvent - firstLocalMs).toBeGreaterThan(1_000);
  });

  it('says which file is missing', async () => {
    const source = new HftbacktestSource({ path: fixture('hftbacktest-binance-ws', 'does-not-exist.gz'), market: 'usdm' });
    await expect(collect(source)).rejects.toThrow(/replay file not found: .*does-not-exist\.gz/);
  });
});
