import { parentPort, workerData } from 'node:worker_threads';
import type { Bar } from '../../../shared/model/market.js';
import { BarAggregator } from '../../marketdata/bar-aggregator.js';
import type { BarEventKind } from '../../marketdata/bar-events.js';
import { shardBatches, type ShardRequest, type ShardResult, type ShardWorkerData } from './bench-sharded.js';

// One shard of `kestrel bench --sharded`: aggregates the trades of its symbols from SharedArrayBuffer
// columns, once per request, so the main thread can time both shards from start to both done.
const data = workerData as ShardWorkerData;
const port = parentPort;
if (!port) throw new Error('bench-shard-worker must run as a worker thread');
const batches = shardBatches(data.shard);

port.on('message', (req: ShardRequest) => {
  const bars: [Bar, BarEventKind][] = [];
  let barCount = 0;
  const agg = new BarAggregator({
    intervals: data.intervals,
    graceMs: data.graceMs,
    sink: req.collectBars ? { onBar: (bar, kind) => void bars.push([bar, kind]) } : { onBar: () => void barCount++ },
  });
  const t0 = performance.now();
  for (const b of batches) agg.addBatch(b);
  // The venue clock of the whole feed, so a shard whose last trade came earlier still closes the same windows.
  if (data.shard.count > 0) agg.advanceTo(data.lastTsMs);
  agg.flush();
  const seconds = (performance.now() - t0) / 1000;
  const result: ShardResult = { seconds, accepted: agg.stats().accepted, bars: req.collectBars ? bars : null, barCount: req.collectBars ? bars.length : barCount };
  port.postMessage(result);
});
port.postMessage({ ready: true });
