import { z } from 'zod';
import { KestrelError, describeZodError } from '../../../../shared/api/errors.js';
import { InstrumentId } from '../../../../shared/model/index.js';
import type { ReplayEvent, ReplaySource } from '../replay-source.js';
import { readLines } from './read-lines.js';

export interface BinanceAggTradesCsvSourceOptions {
  /** data.binance.vision aggTrades CSV (plain or .gz), with or without its header line. */
  path: string;
  /** The file names no symbol: say which instrument it holds, e.g. `BINANCEUSDM:BTC/USDT:USDT`. */
  instrumentId: string;
}

const COLUMNS = ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'] as const;

/** Binance switched spot files to microseconds in 2025; ms values stay below this. */
const MICROSECONDS_FROM = 1e14;

const Row = z.object({
  agg_trade_id: z.string().regex(/^\d+$/, 'must be a whole number'),
  price: z.coerce.number().finite().positive('must be a price above 0'),
  quantity: z.coerce.number().finite().positive('must be a quantity above 0'),
  transact_time: z.coerce.number().int('must be a whole number of ms or µs').positive(),
  is_buyer_maker: z
    .string()
    .regex(/^(true|false)$/i, 'must be true or false')
    .transform((s) => s.toLowerCase() === 'true'),
});

/**
 * Binance aggTrades CSV: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,
 * is_buyer_maker` (spot files add `is_best_match`). A header is recognised by name, in any column
 * order; without one the columns are positional. `transact_time` may be ms or µs (told apart by size,
 * per value) and is replayed in ms. One trade per aggregate, with the aggregate id as trade id.
 */
export class BinanceAggTradesCsvSource implements ReplaySource {
  readonly description: string;

  constructor(private readonly options: BinanceAggTradesCsvSourceOptions) {
    const id = InstrumentId.safeParse(options.instrumentId);
    if (!id.success) throw new KestrelError('bad_request', describeZodError(id.error, 'instrumentId'));
    this.description = `Binance aggTrades CSV ${options.path}`;
  }

  async *open(): AsyncGenerator<ReplayEvent> {
    const { path, instrumentId } = this.options;
    let index: Record<(typeof COLUMNS)[number], number> | null = null;
    for await (const { line, lineNo } of readLines(path)) {
      const text = line.trim();
      if (text.length === 0) continue;
      const cells = text.split(',').map((c) => c.trim());
      if (index === null) {
        if (!/^\d+$/.test(cells[0] ?? '')) {
          index = headerIndex(cells, path);
          continue;
        }
        index = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as Record<(typeof COLUMNS)[number], number>;
      }
      if (cells.length < COLUMNS.length) throw fileError(path, lineNo, `expected at least ${COLUMNS.length} columns, found ${cells.length}`);
      const row = Row.safeParse({
        agg_trade_id: cells[index.agg_trade_id],
        price: cells[index.price],
        quantity: cells[index.quantity],
        transact_time: cells[index.transact_time],
        is_buyer_maker: cells[index.is_buyer_maker],
      });
      if (!row.success) throw fileError(path, lineNo, describeZodError(row.error, 'aggTrades row'));
      const r = row.data;
      const tsEvent = r.transact_time >= MICROSECONDS_FROM ? Math.floor(r.transact_time / 1000) : r.transact_time;
      yield {
        kind: 'trade',
        tsEvent,
        trade: { instrumentId, tradeId: r.agg_trade_id, price: r.price, quantity: r.quantity, side: r.is_buyer_maker ? 'sell' : 'buy', tsEvent, tsInit: tsEvent },
      };
    }
  }
}

function headerIndex(cells: string[], path: string): Record<(typeof COLUMNS)[number], number> {
  const lower = cells.map((c) => c.toLowerCase());
  const entries = COLUMNS.map((c) => [c, lower.indexOf(c)] as const);
  const missing = entries.filter(([, i]) => i < 0).map(([c]) => c);
  if (missing.length > 0) throw new KestrelError('bad_request', `${path}: the header lacks ${missing.join(', ')}; expected ${COLUMNS.join(',')}`);
  return Object.fromEntries(entries) as Record<(typeof COLUMNS)[number], number>;
}

function fileError(path: string, lineNo: number, message: string): KestrelError {
  return new KestrelError('bad_request', `${path} line ${lineNo}: ${message}`);
}
