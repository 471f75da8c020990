import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BinanceDepthBook } from '../../../../../../main/adapters/replay/sources/binance-depth-book.js';
import { BinanceDepthSnapshot, BinanceDepthUpdateFrame, type BinanceDepthUpdateFrame as Diff } from '../../../../../../main/adapters/replay/sources/binance-frames.js';
import { fixture } from '../../../../../support/paths.js';

const diff = (U: number, u: number, pu: number | undefined, b: Array<[string, string]>, a: Array<[string, string]>): Diff =>
  BinanceDepthUpdateFrame.parse({ e: 'depthUpdate', E: 1, s: 'BTCUSDT', U, u, ...(pu === undefined ? {} : { pu }), b, a });

describe('BinanceDepthBook', () => {
  it('matches every real bookTicker that carries the same update id as a depth diff (USDⓈ-M)', () => {
    const text = gunzipSync(readFileSync(fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz'))).toString('utf8');
    const tickers = new Map<number, { b: number; B: number; a: number; A: number }>();
    const frames: Array<{ kind: 'diff'; d: Diff } | { kind: 'snapshot'; s: BinanceDepthSnapshot }> = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const json = JSON.parse(line.slice(line.indexOf(' ') + 1)) as { stream?: string; data?: Record<string, unknown> };
      if (!json.stream) frames.push({ kind: 'snapshot', s: BinanceDepthSnapshot.parse(json) });
      else if (json.stream.includes('@depth')) frames.push({ kind: 'diff', d: BinanceDepthUpdateFrame.parse(json.data) });
      else if (json.stream.includes('bookTicker')) {
        const d = json.data as Record<string, string | number>;
        tickers.set(d.u as number, { b: Number(d.b), B: Number(d.B), a: Number(d.a), A: Number(d.A) });
      }
    }
    const book = new BinanceDepthBook('usdm');
    let compared = 0;
    for (const f of frames) {
      if (f.kind === 'snapshot') {
        book.applySnapshot(f.s);
        continue;
      }
      if (!book.applyDiff(f.d)) continue;
      const ticker = tickers.get(f.d.u);
      if (!ticker) continue;
      const { bids, asks } = book.top(1);
      expect([bids[0], asks[0]]).toEqual([
        [ticker.b, ticker.B],
        [ticker.a, ticker.A],
      ]);
      compared += 1;
    }
    expect(book.gaps).toBe(0);
    expect(compared).toBeGreaterThan(500);
  });

  it('buffers diffs that arrive before the snapshot and drops the ones it already contains', () => {
    const book = new BinanceDepthBook('usdm');
    expect(book.applyDiff(diff(90, 95, 89, [['100', '9']], []))).toBe(false); // older than the snapshot
    expect(book.applyDiff(diff(96, 105, 95, [['101', '2']], [['102', '0']]))).toBe(false); // straddles it
    expect(book.applySnapshot(BinanceDepthSnapshot.parse({ lastUpdateId: 100, bids: [['100', '1']], asks: [['102', '3'], ['103', '4']] }))).toBe(true);
    expect(book.top(5)).toEqual({ bids: [[101, 2], [100, 1]], asks: [[103, 4]] });
  });

  it('stops at a gap and never guesses across it until a new snapshot', () => {
    const book = new BinanceDepthBook('usdm');
    book.applySnapshot(BinanceDepthSnapshot.parse({ lastUpdateId: 100, bids: [['100', '1']], asks: [['102', '3']] }));
    expect(book.applyDiff(diff(99, 110, 98, [['100', '2']], []))).toBe(true);
    expect(book.applyDiff(diff(115, 120, 112, [['100', '5']], []))).toBe(false); // pu 112 ≠ previous u 110
    expect(book.isSynced()).toBe(false);
    expect(book.gaps).toBe(1);
    expect(book.applyDiff(diff(121, 130, 120, [['100', '6']], []))).toBe(false);
    book.applySnapshot(BinanceDepthSnapshot.parse({ lastUpdateId: 125, bids: [['99', '1']], asks: [['102', '3']] }));
    expect(book.isSynced()).toBe(true);
    expect(book.top(1).bids).toEqual([[100, 6]]);
  });

  it('follows spot rules: the first diff straddles lastUpdateId+1 and each U is the previous u+1', () => {
    const book = new BinanceDepthBook('spot');
    book.applySnapshot(BinanceDepthSnapshot.parse({ lastUpdateId: 100, bids: [['10', '1']], asks: [['11', '1']] }));
    expect(book.applyDiff(diff(95, 100, undefined, [['10', '7']], []))).toBe(false); // u ≤ lastUpdateId: dropped
    expect(book.applyDiff(diff(101, 104, undefined, [['10', '2']], []))).toBe(true);
    expect(book.applyDiff(diff(105, 106, undefined, [], [['11', '0'], ['12', '5']]))).toBe(true);
    expect(book.top(2)).toEqual({ bids: [[10, 2]], asks: [[12, 5]] });
    expect(book.applyDiff(diff(108, 109, undefined, [], []))).toBe(false);
    expect(book.gaps).toBe(1);
  });
});
