import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CryptofeedSource } from '../../../../../../main/adapters/replay/sources/cryptofeed-source.js';
import type { ReplayEvent } from '../../../../../../main/adapters/replay/replay-source.js';
import { fixture } from '../../../../../support/paths.js';

const FILE = fixture('cryptofeed-recordings', 'BINANCE_FUTURES.ws.1.0');

async function collect(source: CryptofeedSource): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = [];
  for await (const e of source.open()) out.push(e);
  return out;
}

describe('CryptofeedSource', () => {
  it('turns the recorded Binance futures aggTrade and bookTicker frames into trades and quotes, in file order', async () => {
    const raw = readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => JSON.parse(l.slice(l.indexOf(': ') + 2)) as { stream: string; data: Record<string, string | number | boolean> });
    const expected = raw.flatMap((f) => {
      const d = f.data;
      const symbol = String(d.s).replace(/USDT$/, '');
      if (f.stream.endsWith('@aggTrade')) return [['trade', `BINANCEUSDM:${symbol}/USDT:USDT`, String(d.a), Number(d.p), Number(d.q), d.T, d.m ? 'sell' : 'buy']];
      if (f.stream.endsWith('@bookTicker')) return [['quote', `BINANCEUSDM:${symbol}/USDT:USDT`, Number(d.b), Number(d.B), Number(d.a), Number(d.A), d.T]];
      return [];
    });
    const events = await collect(new CryptofeedSource({ path: FILE }));
    const got = events.map((e) =>
      e.kind === 'trade'
        ? ['trade', e.trade.instrumentId, e.trade.tradeId, e.trade.price, e.trade.quantity, e.tsEvent, e.trade.side]
        : e.kind === 'quote'
          ? ['quote', e.quote.instrumentId, e.quote.bid, e.quote.bidSize, e.quote.ask, e.quote.askSize, e.tsEvent]
          : ['book'],
    );
    expect(got).toEqual(expected);
    expect(got.filter((g) => g[0] === 'trade').length).toBe(91);
    expect(got.filter((g) => g[0] === 'quote').length).toBe(613);
    expect(new Set(got.map((g) => g[1]))).toEqual(new Set(['BINANCEUSDM:SUSHI/USDT:USDT', 'BINANCEUSDM:AKRO/USDT:USDT', 'BINANCEUSDM:KEEP/USDT:USDT', 'BINANCEUSDM:CTK/USDT:USDT']));
  });

  it('refuses recordings of other venues, naming the venue', async () => {
    await expect(collect(new CryptofeedSource({ path: fixture('cryptofeed-recordings', 'OKX.ws.1.0') }))).rejects.toThrow(
      /OKX\.ws\.1\.0 line 1: only Binance futures recordings are supported, this one is from wss:\/\/ws\.okx\.com/,
    );
  });
});
