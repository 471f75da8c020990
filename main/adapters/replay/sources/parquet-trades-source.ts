import { MS_PER_DAY, splitInstrumentId } from '../../../../shared/model/index.js';
import type { ParquetStore } from '../../../storage/parquet/parquet-store.js';
import type { ReplayEvent, ReplaySource } from '../replay-source.js';

export interface ParquetTradesSourceOptions {
  /** An open ParquetStore (Kestrel's data folder). */
  store: Pick<ParquetStore, 'readTrades' | 'listDates'>;
  instrumentId: string;
  /** Half-open [fromMs, toMs) in venue time; either end may be left open. */
  fromMs?: number;
  toMs?: number;
}

/**
 * Trades from Kestrel's own Parquet store, one UTC day partition at a time so a long range never
 * sits in memory whole. Rows come back ordered by time, deduplicated by trade id.
 */
export class ParquetTradesSource implements ReplaySource {
  readonly description: string;

  constructor(private readonly options: ParquetTradesSourceOptions) {
    this.description = `Parquet trades ${options.instrumentId}`;
  }

  async *open(): AsyncGenerator<ReplayEvent> {
    const { store, instrumentId, fromMs, toMs } = this.options;
    const { venue, symbol } = splitInstrumentId(instrumentId);
    const dates = await store.listDates('trades', venue, symbol);
    for (const date of dates) {
      const dayStart = Date.parse(`${date}T00:00:00Z`);
      const dayEnd = dayStart + MS_PER_DAY;
      if ((toMs !== undefined && dayStart >= toMs) || (fromMs !== undefined && dayEnd <= fromMs)) continue;
      const from = Math.max(dayStart, fromMs ?? dayStart);
      const to = Math.min(dayEnd, toMs ?? dayEnd);
      const t = await store.readTrades({ venue, symbol, from, to, tradeIds: 'string' });
      const ids = t.tradeId as string[];
      for (let i = 0; i < t.length; i += 1) {
        const tsEvent = t.tsMs[i]!;
        yield {
          kind: 'trade',
          tsEvent,
          trade: {
            instrumentId,
            tradeId: ids[i]!,
            price: t.price[i]!,
            quantity: t.quantity[i]!,
            side: t.isBuyerMaker[i] ? 'sell' : 'buy',
            tsEvent,
            tsInit: tsEvent,
          },
        };
      }
    }
  }
}
