import { ReplayVenue } from '../adapters/replay/replay-venue.js';
import type { ReplaySource } from '../adapters/replay/replay-source.js';
import { HftbacktestSource } from '../adapters/replay/sources/hftbacktest-source.js';
import { BinanceAggTradesCsvSource } from '../adapters/replay/sources/binance-agg-trades-csv-source.js';
import { CryptofeedSource } from '../adapters/replay/sources/cryptofeed-source.js';
import { ParquetTradesSource } from '../adapters/replay/sources/parquet-trades-source.js';
import { replayInstrument } from '../adapters/replay/replay-instrument.js';
import { ParquetStore } from '../storage/parquet/parquet-store.js';
import type { ReplayConfig } from './config.js';

/** Builds the replay venue of a `venues: [{type: replay}]` entry; Parquet sources read this data folder. */
export async function createReplayVenue(config: ReplayConfig, dataDir: string): Promise<ReplayVenue> {
  let store: ParquetStore | null = null;
  const sources: ReplaySource[] = [];
  for (const s of config.sources) {
    switch (s.format) {
      case 'hftbacktest':
        sources.push(new HftbacktestSource({ path: s.path, market: s.market, ...(s.instrumentId ? { instrumentId: s.instrumentId } : {}) }));
        break;
      case 'aggtrades-csv':
        sources.push(new BinanceAggTradesCsvSource({ path: s.path, instrumentId: s.instrumentId }));
        break;
      case 'cryptofeed':
        sources.push(new CryptofeedSource({ path: s.path }));
        break;
      case 'parquet':
        store ??= await ParquetStore.open({ dataDir });
        sources.push(new ParquetTradesSource({ store, instrumentId: s.instrumentId, ...(s.from !== undefined ? { fromMs: s.from } : {}), ...(s.to !== undefined ? { toMs: s.to } : {}) }));
        break;
    }
  }
  const instruments = config.instruments.map((i) => replayInstrument(i.instrumentId, i));
  return new ReplayVenue({ sources, speed: config.speed, instruments });
}
