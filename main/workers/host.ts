import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { RpcEndpoint } from './rpc.js';
import type { KestrelConfig } from '../system/config.js';

export interface WorkerInit {
  role: string;
  config: KestrelConfig;
  dataDir: string;
}

/** Messages the supervisor sends outside RPC: a MessagePort to a sibling worker. */
export interface AttachPort {
  t: 'attach';
  peer: string;
  port: MessagePort;
}

/**
 * The thin shell every worker runs in: the supervisor endpoint, the init data, and the sibling
 * ports the supervisor hands over (hot paths go worker-to-worker, not through the main thread).
 */
export function workerHost(onAttach: (peer: string, port: MessagePort) => void): { rpc: RpcEndpoint; init: WorkerInit } {
  if (!parentPort) throw new Error('this module must run in a worker thread');
  const port = parentPort;
  port.on('message', (m: unknown) => {
    const msg = m as Partial<AttachPort>;
    if (msg && msg.t === 'attach' && msg.port && msg.peer) onAttach(msg.peer, msg.port);
  });
  const rpc = new RpcEndpoint(port);
  return { rpc, init: workerData as WorkerInit };
}

/** Batches of market data the simulator (or a gateway) sends to its subscribers. */
export interface MarketDataBatch {
  trades: import('../../shared/model/index.js').TradeTick[];
  quotes: import("../../shared/model/index.js").QuoteTick[];
  /** L2 books, when a venue streams them (paper fills walk them). */
  books?: import("../../shared/model/index.js").OrderBook[];
  /** Venue clock at the end of the batch: lets bars close even when no trade arrives. */
  venueTimeMs: number;
}
