import { z } from 'zod';
import { KestrelError, describeZodError } from '../../../../shared/api/errors.js';
import type { ReplayEvent, ReplaySource } from '../replay-source.js';
import { BinanceBookTickerFrame, BinanceDepthSnapshot, BinanceDepthUpdateFrame, BinanceStreamEnvelope, BinanceTradeFrame } from './binance-frames.js';
import { BinanceDepthBook } from './binance-depth-book.js';
import { binanceInstrumentId, type BinanceMarket } from './binance-symbols.js';
import { readLines } from './read-lines.js';

export interface HftbacktestSourceOptions {
  /** A recording as hftbacktest's Binance collector writes it: gzip lines `<local_ns> <raw frame>`. */
  path: string;
  market: BinanceMarket;
  /** Default: from the frames' symbol, e.g. `BINANCEUSDM:BTC/USDT:USDT`. */
  instrumentId?: string;
  /** Levels per side in the books rebuilt from depth diffs; 0 leaves books out. Default 20. */
  bookDepth?: number;
  trades?: boolean;
  quotes?: boolean;
}

const NS_PER_MS = 1_000_000;

/**
 * Raw Binance websocket frames recorded by hftbacktest (trade, bookTicker, depth diffs and the REST
 * depth snapshot). Trades and quotes carry Binance's transaction time `T`; books are rebuilt from the
 * snapshot and diffs (see BinanceDepthBook) and emitted after each diff once in sync.
 *
 * Spot bookTicker frames have no timestamp at all: their venue time is estimated as the recorder's
 * receive time plus the latest offset between venue time and receive time seen on a timed frame
 * (the recorder's clock runs ~1.2 s behind Binance's), never earlier than the last venue time.
 */
export class HftbacktestSource implements ReplaySource {
  readonly description: string;

  constructor(private readonly options: HftbacktestSourceOptions) {
    this.description = `hftbacktest recording ${options.path}`;
  }

  async *open(): AsyncGenerator<ReplayEvent> {
    const { path, market } = this.options;
    const depth = this.options.bookDepth ?? 20;
    const wantTrades = this.options.trades ?? true;
    const wantQuotes = this.options.quotes ?? true;
    const book = new BinanceDepthBook(market);
    const ids = new Map<string, string>();
    const idOf = (raw: string): string => {
      let id = ids.get(raw);
      if (!id) {
        id = this.options.instrumentId ?? binanceInstrumentId(raw, market);
        ids.set(raw, id);
      }
      return id;
    };
    let lastVenueMs = 0;
    let offsetMs: number | null = null;
    const seeVenueTime = (venueMs: number, localMs: number): void => {
      lastVenueMs = Math.max(lastVenueMs, venueMs);
      offsetMs = venueMs - localMs;
    };
    let lastSymbol: string | null = null;

    for await (const { line, lineNo } of readLines(path)) {
      if (line.length === 0) continue;
      const space = line.indexOf(' ');
      const localNs = Number(line.slice(0, space));
      if (space <= 0 || !Number.isFinite(localNs)) throw fileError(path, lineNo, 'expected "<local_ns> <json>"');
      const localMs = localNs / NS_PER_MS;
      let json: unknown;
      try {
        json = JSON.parse(line.slice(space + 1));
      } catch {
        throw fileError(path, lineNo, 'the frame is not valid JSON');
      }
      const envelope = BinanceStreamEnvelope.safeParse(json);
      if (!envelope.success) {
        const snapshot = parse(BinanceDepthSnapshot, json, path, lineNo, 'depth snapshot');
        if (snapshot.E !== undefined) seeVenueTime(snapshot.T ?? snapshot.E, localMs);
        if (book.applySnapshot(snapshot) && depth > 0 && lastSymbol) yield bookEvent(idOf(lastSymbol), book, depth, lastVenueMs);
        continue;
      }
      const stream = envelope.data.stream;
      const data = envelope.data.data;
      if (stream.endsWith('@trade')) {
        const t = parse(BinanceTradeFrame, data, path, lineNo, 'trade');
        seeVenueTime(t.T, localMs);
        lastSymbol = t.s;
        if (!wantTrades || !(t.p > 0) || !(t.q > 0)) continue;
        const instrumentId = idOf(t.s);
        yield {
          kind: 'trade',
          tsEvent: t.T,
          trade: { instrumentId, tradeId: String(t.t), price: t.p, quantity: t.q, side: t.m ? 'sell' : 'buy', tsEvent: t.T, tsInit: t.T },
        };
      } else if (stream.endsWith('@bookTicker')) {
        const q = parse(BinanceBookTickerFrame, data, path, lineNo, 'bookTicker');
        lastSymbol = q.s;
        let tsEvent: number;
        if (q.T !== undefined || q.E !== undefined) {
          tsEvent = q.T ?? q.E!;
          seeVenueTime(tsEvent, localMs);
        } else {
          tsEvent = Math.max(lastVenueMs, Math.round(localMs + (offsetMs ?? 0)));
          lastVenueMs = tsEvent;
        }
        if (!wantQuotes) continue;
        yield {
          kind: 'quote',
          tsEvent,
          quote: { instrumentId: idOf(q.s), bid: q.b, bidSize: q.B, ask: q.a, askSize: q.A, tsEvent, tsInit: tsEvent },
        };
      } else if (stream.includes('@depth')) {
        const d = parse(BinanceDepthUpdateFrame, data, path, lineNo, 'depthUpdate');
        const tsEvent = d.T ?? d.E;
        seeVenueTime(tsEvent, localMs);
        lastSymbol = d.s;
        if (book.applyDiff(d) && depth > 0) yield bookEvent(idOf(d.s), book, depth, tsEvent);
      }
    }
  }
}

function bookEvent(instrumentId: string, book: BinanceDepthBook, depth: number, tsEvent: number): ReplayEvent {
  const { bids, asks } = book.top(depth);
  return { kind: 'book', tsEvent, book: { instrumentId, bids, asks, tsEvent } };
}

function parse<S extends z.ZodType>(schema: S, value: unknown, path: string, lineNo: number, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw fileError(path, lineNo, describeZodError(r.error, `Binance ${what} frame`));
  return r.data;
}

function fileError(path: string, lineNo: number, message: string): KestrelError {
  return new KestrelError('bad_request', `${path} line ${lineNo}: ${message}`);
}
