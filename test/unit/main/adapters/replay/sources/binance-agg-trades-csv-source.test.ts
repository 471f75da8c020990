import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BinanceAggTradesCsvSource } from '../../../../../../main/adapters/replay/sources/binance-agg-trades-csv-source.js';
import type { ReplayEvent } from '../../../../../../main/adapters/replay/replay-source.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kestrel-aggtrades-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BTC = 'BINANCEUSDM:BTC/USDT:USDT';
// Rows in Binance's aggTrades layout (two real aggTrades from the cryptofeed recording, CTKUSDT and AKROUSDT, re-cut as CSV).
const ROWS = ['16599292,1.01100,10,23961322,23961322,1626992741421,false', '14888302,0.01731,312,27931348,27931348,1626992742134,true'];

async function read(name: string, content: string | Buffer, instrumentId = BTC): Promise<ReplayEvent[]> {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const out: ReplayEvent[] = [];
  for await (const e of new BinanceAggTradesCsvSource({ path: file, instrumentId }).open()) out.push(e);
  return out;
}

const summary = (events: ReplayEvent[]) => events.map((e) => (e.kind === 'trade' ? [e.trade.tradeId, e.trade.price, e.trade.quantity, e.tsEvent, e.trade.side] : []));
const EXPECTED = [
  ['16599292', 1.011, 10, 1_626_992_741_421, 'buy'],
  ['14888302', 0.01731, 312, 1_626_992_742_134, 'sell'],
];

describe('BinanceAggTradesCsvSource', () => {
  it('reads a file without header', async () => {
    expect(summary(await read('plain.csv', ROWS.join('\n') + '\n'))).toEqual(EXPECTED);
  });

  it('reads a file with header, in any column order, gzipped', async () => {
    const header = 'transact_time,agg_trade_id,price,quantity,first_trade_id,last_trade_id,is_buyer_maker';
    const rows = ROWS.map((r) => {
      const c = r.split(',');
      return [c[5], c[0], c[1], c[2], c[3], c[4], c[6]].join(',');
    });
    expect(summary(await read('header.csv.gz', gzipSync([header, ...rows].join('\r\n'))))).toEqual(EXPECTED);
  });

  it('reads microsecond timestamps and the spot layout with is_best_match', async () => {
    const rows = ROWS.map((r) => {
      const c = r.split(',');
      c[5] = `${c[5]}123`;
      c[6] = c[6] === 'true' ? 'True' : 'False';
      return [...c, 'True'].join(',');
    });
    expect(summary(await read('micros.csv', rows.join('\n')))).toEqual(EXPECTED);
  });

  it('names the file, line and field of a bad row', async () => {
    await expect(read('bad.csv', `${ROWS[0]}\n16599293,abc,10,1,1,1626992741421,false\n`)).rejects.toThrow(/bad\.csv line 2: invalid aggTrades row: price:/);
    await expect(read('short.csv', '1,2,3\n')).rejects.toThrow(/short\.csv line 1: expected at least 7 columns, found 3/);
    await expect(read('hdr.csv', 'id,price\n1,2\n')).rejects.toThrow(/the header lacks agg_trade_id, quantity/);
    expect(() => new BinanceAggTradesCsvSource({ path: 'x.csv', instrumentId: 'btcusdt' })).toThrow(/instrumentId must look like VENUE:SYMBOL/);
  });
});
