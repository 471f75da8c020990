import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One `@trade` frame of the hftbacktest recordings (Binance USDⓈ-M and spot). */
const TradeFrame = z.object({
  e: z.literal('trade'),
  T: z.number().int(),
  s: z.string(),
  t: z.number().int().nonnegative(),
  p: z.string(),
  q: z.string(),
  m: z.boolean(),
});

export interface RecordedTrade {
  /** Recorder's receive time in µs (its ns clock, truncated): the arrival order across files. */
  recvUs: number;
  instrumentId: string;
  tradeId: number;
  tsMs: number;
  price: number;
  qty: number;
  isBuyerMaker: boolean;
}

/**
 * Reads the trade frames of a hftbacktest recording: gzip text, one `<local_ns> <json>` per line,
 * USDⓈ-M frames wrapped as {stream, data}. Returned in recording (arrival) order.
 */
export function readRecordedTrades(file: string, instrumentId: string): RecordedTrade[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const out: RecordedTrade[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"e":"trade"')) continue;
    const sp = line.indexOf(' ');
    const json = JSON.parse(line.slice(sp + 1)) as { data?: unknown };
    const f = TradeFrame.parse(json.data ?? json);
    out.push({ recvUs: Number(line.slice(0, sp - 3)), instrumentId, tradeId: f.t, tsMs: f.T, price: Number(f.p), qty: Number(f.q), isBuyerMaker: f.m });
  }
  return out;
}
