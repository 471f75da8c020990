import type { Bar, TradeTick } from '../../shared/model/index.js';
import { ParquetStore } from '../storage/parquet/parquet-store.js';
import type { BarHistorySink } from '../marketdata/live-bars.js';

/**
 * The market-data worker's history: trades and closed bars buffered and written to Parquet in
 * batches on a timer (one part file per instrument, date and flush), bars read back for charts.
 * A write failure is reported, never thrown into the feed.
 */
export async function openParquetHistory(dataDir: string, flushIntervalMs: number, report: (message: string) => void): Promise<BarHistorySink & { store: ParquetStore; close(): Promise<void> }> {
  const store = await ParquetStore.open({ dataDir, onWarning: report });
  await store.sweepTempFiles().catch(() => []);
  const trades = store.createTradeWriter();
  const bars = store.createBarWriter();
  const fail = (what: string) => (err: unknown) => report(`could not write ${what} to Parquet: ${(err as Error).message}`);
  const timer = setInterval(() => {
    void trades.flush().catch(fail('trades'));
    void bars.flush().catch(fail('bars'));
  }, flushIntervalMs);
  timer.unref();
  return {
    store,
    appendTrades: (t: TradeTick[]) => void trades.append(t).catch(fail('trades')),
    appendBars: (b: Bar[]) => void bars.append(b).catch(fail('bars')),
    readBars: (q) => store.readBars(q),
    close: async () => {
      clearInterval(timer);
      await Promise.all([trades.close().catch(fail('trades')), bars.close().catch(fail('bars'))]);
    },
  };
}
