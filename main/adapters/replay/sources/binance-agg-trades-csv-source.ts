import { KestrelError, describeZodError } from '../../../../shared/api/errors.js';
import { InstrumentId } from '../../../../shared/model/index.js';
import type { ReplayEvent, ReplaySource } from '../replay-source.js';
import { AGG_TRADES_HEADER, isAggTradesHeader } from '../../../storage/csv/agg-trades.js';
import { AggTradesCsvParser, TradeRowError, type TradeRowSink } from '../../../storage/parquet/agg-trades-csv.js';
import { readLines } from './read-lines.js';

export interface BinanceAggTradesCsvSourceOptions {
  /** data.binance.vision aggTrades CSV (plain or .gz), with or without its header line. */
  path: string;
  /** The file names no symbol: say which instrument it holds, e.g. `BINANCEUSDM:BTC/USDT:USDT`. */
  instrumentId: string;
}

/**
 * Binance aggTrades CSV: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,
 * is_buyer_maker` (spot files add `is_best_match`). A header is recognised by name, in any column
 * order; without one the columns are positional. `transact_time` may be ms or µs (told apart by size,
 * per value) and is replayed in ms. One trade per aggregate, with the aggregate id as trade id.
 * Rows go through the same parser as `kestrel import` and `kestrel aggregate`.
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
    const parser = new AggTradesCsvParser(true);
    let sawFirstRow = false;
    // Where each standard column sits, when a header put them in another order.
    let order: number[] | null = null;
    let event: ReplayEvent | null = null;
    const sink: TradeRowSink = (tsEvent, _tsInit, tradeId, price, quantity, isBuyerMaker) => {
      event = {
        kind: 'trade',
        tsEvent,
        trade: { instrumentId, tradeId: String(tradeId), price, quantity, side: isBuyerMaker ? 'sell' : 'buy', tsEvent, tsInit: tsEvent },
      };
    };
    for await (const { line, lineNo } of readLines(path)) {
      let text = line.trim();
      if (text.length === 0) continue;
      if (!sawFirstRow) {
        sawFirstRow = true;
        if (!/^\d/.test(text)) {
          order = headerOrder(text, path);
          continue;
        }
      }
      if (order !== null) {
        const cells = text.split(',');
        if (cells.length < AGG_TRADES_HEADER.length) throw fileError(path, lineNo, `expected at least ${AGG_TRADES_HEADER.length} columns, found ${cells.length}`);
        text = order.map((k) => cells[k]!.trim()).join(',');
      }
      const bytes = Buffer.from(text, 'latin1');
      try {
        parser.parseLine(bytes, 0, bytes.length, sink);
      } catch (err) {
        if (!(err instanceof TradeRowError)) throw err;
        const row = err.row;
        if (row && row.fields < AGG_TRADES_HEADER.length) throw fileError(path, lineNo, `expected at least ${AGG_TRADES_HEADER.length} columns, found ${row.fields}`);
        throw fileError(path, lineNo, row && row.fields <= 8 ? `invalid aggTrades row: ${row.field}: "${row.text}" ${row.problem}` : err.message);
      }
      if (event) yield event;
      event = null;
    }
  }
}

/** The header's position of each standard column, or null when they are in the standard order already. */
function headerOrder(text: string, path: string): number[] | null {
  const lower = text.split(',').map((c) => c.trim().toLowerCase());
  const order = AGG_TRADES_HEADER.map((c) => lower.indexOf(c));
  const missing = AGG_TRADES_HEADER.filter((_, k) => order[k]! < 0);
  if (missing.length > 0) throw new KestrelError('bad_request', `${path}: the header lacks ${missing.join(', ')}; expected ${AGG_TRADES_HEADER.join(',')}`);
  return isAggTradesHeader(text) ? null : order;
}

function fileError(path: string, lineNo: number, message: string): KestrelError {
  return new KestrelError('bad_request', `${path} line ${lineNo}: ${message}`);
}
