import { z } from 'zod';
import { KestrelError, describeZodError } from '../../../../shared/api/errors.js';
import type { ReplayEvent, ReplaySource } from '../replay-source.js';
import { BinanceAggTradeFrame, BinanceBookTickerFrame, BinanceStreamEnvelope } from './binance-frames.js';
import { binanceInstrumentId } from './binance-symbols.js';
import { readLines } from './read-lines.js';

export interface CryptofeedSourceOptions {
  /** A cryptofeed raw-data recording of Binance USDⓈ-M futures, e.g. `BINANCE_FUTURES.ws.1.0`. */
  path: string;
  /** Map a raw symbol (`SUSHIUSDT`) to an instrumentId; default `BINANCEUSDM:SUSHI/USDT:USDT`. */
  instrumentIdOf?: (rawSymbol: string) => string;
}

const RECEIVED = /^(\d+(?:\.\d+)?): (.*)$/;

/**
 * cryptofeed's raw websocket recordings (lines `<unix_s>: <frame>` received; `<url> <- …` sent and
 * `<url> <-> …` connect lines are skipped). Binance USDⓈ-M `aggTrade` frames become trades (trade id
 * = aggregate id `a`) and `bookTicker` frames quotes, both at Binance's transaction time `T`; depth
 * and kline frames are left out (no snapshot to anchor depth diffs in these files).
 */
export class CryptofeedSource implements ReplaySource {
  readonly description: string;

  constructor(private readonly options: CryptofeedSourceOptions) {
    this.description = `cryptofeed recording ${options.path}`;
  }

  async *open(): AsyncGenerator<ReplayEvent> {
    const { path } = this.options;
    const idOf = this.options.instrumentIdOf ?? ((raw: string) => binanceInstrumentId(raw, 'usdm'));
    for await (const { line, lineNo } of readLines(path)) {
      if (line.length === 0) continue;
      if (/^wss?:\/\//.test(line)) {
        if (!line.includes('binance')) throw fileError(path, lineNo, `only Binance futures recordings are supported, this one is from ${line.split(' ')[0]}`);
        continue;
      }
      const m = RECEIVED.exec(line);
      if (!m) throw fileError(path, lineNo, 'expected "<unix_seconds>: <json>"');
      let json: unknown;
      try {
        json = JSON.parse(m[2]!);
      } catch {
        throw fileError(path, lineNo, 'the frame is not valid JSON');
      }
      const envelope = BinanceStreamEnvelope.safeParse(json);
      if (!envelope.success) continue; // subscription acks and the like
      const { stream, data } = envelope.data;
      if (stream.endsWith('@aggTrade')) {
        const t = parse(BinanceAggTradeFrame, data, path, lineNo, 'aggTrade');
        if (!(t.p > 0) || !(t.q > 0)) continue;
        yield {
          kind: 'trade',
          tsEvent: t.T,
          trade: { instrumentId: idOf(t.s), tradeId: String(t.a), price: t.p, quantity: t.q, side: t.m ? 'sell' : 'buy', tsEvent: t.T, tsInit: t.T },
        };
      } else if (stream.endsWith('@bookTicker')) {
        const q = parse(BinanceBookTickerFrame, data, path, lineNo, 'bookTicker');
        const tsEvent = q.T ?? q.E ?? Math.round(Number(m[1]) * 1000);
        yield { kind: 'quote', tsEvent, quote: { instrumentId: idOf(q.s), bid: q.b, bidSize: q.B, ask: q.a, askSize: q.A, tsEvent, tsInit: tsEvent } };
      }
    }
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, path: string, lineNo: number, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw fileError(path, lineNo, describeZodError(r.error, `Binance ${what} frame`));
  return r.data;
}

function fileError(path: string, lineNo: number, message: string): KestrelError {
  return new KestrelError('bad_request', `${path} line ${lineNo}: ${message}`);
}
