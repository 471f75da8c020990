import type { Bar, FundingRate, TradeTick } from '../../../shared/model/market.js';
import { makeInstrumentId, splitInstrumentId } from '../../../shared/model/instrument.js';
import type { PremiumIndexBar } from '../../marketdata/funding.js';
import type { Columns } from './columnar.js';

/**
 * Trades in columns, the shape the aggregator consumes. Times are epoch ms; `isBuyerMaker` is 1 when
 * the buyer was the maker (the taker sold), as in Binance's `m` / `is_buyer_maker`. `tradeId` is a
 * Float64Array when every id is a plain decimal integer (Binance, OKX, Hyperliquid…) and string[]
 * otherwise (e.g. Bybit's UUIDs); on disk it is always a string column.
 */
export interface TradeColumns {
  length: number;
  tsMs: Float64Array;
  tsInitMs: Float64Array;
  tradeId: string[] | Float64Array;
  price: Float64Array;
  quantity: Float64Array;
  isBuyerMaker: Uint8Array;
}

/** Rows of one venue and symbol, ready for a dataset writer. */
export interface PartitionBatch {
  venue: string;
  symbol: string;
  columns: Columns;
}

export function emptyTradeColumns(): TradeColumns {
  return {
    length: 0,
    tsMs: new Float64Array(0),
    tsInitMs: new Float64Array(0),
    tradeId: [],
    price: new Float64Array(0),
    quantity: new Float64Array(0),
    isBuyerMaker: new Uint8Array(0),
  };
}

export function tradeColumnsToColumns(t: TradeColumns): Columns {
  return { ts: t.tsMs, ts_init: t.tsInitMs, trade_id: t.tradeId, price: t.price, quantity: t.quantity, is_buyer_maker: t.isBuyerMaker };
}

export function columnsToTradeColumns(c: Columns, tradeIdsAsStrings = false): TradeColumns {
  const tsMs = c.ts as Float64Array;
  const ids = c.trade_id as string[] | Float64Array;
  return {
    length: tsMs.length,
    tsMs,
    tsInitMs: c.ts_init as Float64Array,
    tradeId: tradeIdsAsStrings && ids instanceof Float64Array ? Array.from(ids, String) : ids,
    price: c.price as Float64Array,
    quantity: c.quantity as Float64Array,
    isBuyerMaker: c.is_buyer_maker as Uint8Array,
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export function tradeTicksToBatches(ticks: readonly TradeTick[]): PartitionBatch[] {
  return [...groupBy(ticks, (t) => t.instrumentId)].map(([instrumentId, group]) => {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    const n = group.length;
    const t: TradeColumns = {
      length: n,
      tsMs: new Float64Array(n),
      tsInitMs: new Float64Array(n),
      tradeId: new Array<string>(n),
      price: new Float64Array(n),
      quantity: new Float64Array(n),
      isBuyerMaker: new Uint8Array(n),
    };
    group.forEach((tick, i) => {
      t.tsMs[i] = tick.tsEvent;
      t.tsInitMs[i] = tick.tsInit;
      t.tradeId[i] = tick.tradeId;
      t.price[i] = tick.price;
      t.quantity[i] = tick.quantity;
      t.isBuyerMaker[i] = tick.side === 'sell' ? 1 : 0;
    });
    return { venue, symbol, columns: tradeColumnsToColumns(t) };
  });
}

export function barsToBatches(bars: readonly Bar[]): PartitionBatch[] {
  return [...groupBy(bars, (b) => b.instrumentId)].map(([instrumentId, group]) => {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    const n = group.length;
    const f = () => new Float64Array(n);
    const c = {
      symbol: new Array<string>(n).fill(symbol),
      interval: group.map((b) => b.interval),
      open_time: f(),
      close_time: f(),
      time_label: f(),
      open: f(),
      high: f(),
      low: f(),
      close: f(),
      volume: f(),
      quote_volume: f(),
      trade_count: f(),
      vwap: f(),
      buy_volume: f(),
      sell_volume: f(),
      buy_quote_volume: f(),
      sell_quote_volume: f(),
      final: new Uint8Array(n),
    };
    group.forEach((b, i) => {
      c.open_time[i] = b.openTime;
      c.close_time[i] = b.closeTime;
      c.time_label[i] = b.timeLabel;
      c.open[i] = b.open;
      c.high[i] = b.high;
      c.low[i] = b.low;
      c.close[i] = b.close;
      c.volume[i] = b.volume;
      c.quote_volume[i] = b.quoteVolume;
      c.trade_count[i] = b.tradeCount;
      c.vwap[i] = b.vwap ?? Number.NaN;
      c.buy_volume[i] = b.buyVolume;
      c.sell_volume[i] = b.sellVolume;
      c.buy_quote_volume[i] = b.buyQuoteVolume;
      c.sell_quote_volume[i] = b.sellQuoteVolume;
      c.final[i] = b.final === false ? 0 : 1;
    });
    return { venue, symbol, columns: c };
  });
}

/** Bars of one venue/symbol; an empty window's vwap (NaN on disk) becomes null, as the Bar schema has it. */
export function columnsToBars(venue: string, symbol: string, c: Columns): Bar[] {
  const instrumentId = makeInstrumentId(venue, symbol);
  const num = (name: string) => c[name] as Float64Array;
  const [interval, openTime, closeTime, timeLabel] = [c.interval as string[], num('open_time'), num('close_time'), num('time_label')];
  const [open, high, low, close, volume, quoteVolume, tradeCount, vwap] = ['open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trade_count', 'vwap'].map(num) as Float64Array[];
  const [buyVolume, sellVolume, buyQuoteVolume, sellQuoteVolume] = ['buy_volume', 'sell_volume', 'buy_quote_volume', 'sell_quote_volume'].map(num) as Float64Array[];
  const final = c.final as Uint8Array;
  const bars: Bar[] = new Array(openTime.length);
  for (let i = 0; i < openTime.length; i++) {
    const v = vwap![i]!;
    bars[i] = {
      instrumentId,
      interval: interval[i]!,
      openTime: openTime[i]!,
      closeTime: closeTime[i]!,
      timeLabel: timeLabel[i]!,
      open: open![i]!,
      high: high![i]!,
      low: low![i]!,
      close: close![i]!,
      volume: volume![i]!,
      quoteVolume: quoteVolume![i]!,
      tradeCount: tradeCount![i]!,
      vwap: Number.isNaN(v) ? null : v,
      buyVolume: buyVolume![i]!,
      sellVolume: sellVolume![i]!,
      buyQuoteVolume: buyQuoteVolume![i]!,
      sellQuoteVolume: sellQuoteVolume![i]!,
      final: final[i] === 1,
    };
  }
  return bars;
}

export function fundingToBatches(rates: readonly FundingRate[]): PartitionBatch[] {
  return [...groupBy(rates, (r) => r.instrumentId)].map(([instrumentId, group]) => {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    return {
      venue,
      symbol,
      columns: {
        funding_time: Float64Array.from(group, (r) => r.fundingTime),
        rate: Float64Array.from(group, (r) => r.rate),
        interval_hours: Float64Array.from(group, (r) => r.intervalHours),
        rate_24h: Float64Array.from(group, (r) => r.rate24h),
        mark_price: Float64Array.from(group, (r) => r.markPrice ?? Number.NaN),
        premium: Float64Array.from(group, (r) => r.premium ?? Number.NaN),
      },
    };
  });
}

export function columnsToFunding(venue: string, symbol: string, c: Columns): FundingRate[] {
  const instrumentId = makeInstrumentId(venue, symbol);
  const [time, rate, intervalHours, rate24h, markPrice, premium] = ['funding_time', 'rate', 'interval_hours', 'rate_24h', 'mark_price', 'premium'].map(
    (n) => c[n] as Float64Array,
  ) as Float64Array[];
  return Array.from(time!, (t, i) => {
    const r: FundingRate = { instrumentId, rate: rate![i]!, intervalHours: intervalHours![i]!, rate24h: rate24h![i]!, fundingTime: t };
    if (!Number.isNaN(markPrice![i])) r.markPrice = markPrice![i]!;
    if (!Number.isNaN(premium![i])) r.premium = premium![i]!;
    return r;
  });
}

export function premiumIndexToBatches(bars: readonly PremiumIndexBar[]): PartitionBatch[] {
  return [...groupBy(bars, (b) => b.instrumentId)].map(([instrumentId, group]) => {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    return {
      venue,
      symbol,
      columns: {
        interval: group.map((b) => b.interval),
        open_time: Float64Array.from(group, (b) => b.openTime),
        close_time: Float64Array.from(group, (b) => b.closeTime),
        open: Float64Array.from(group, (b) => b.open),
        high: Float64Array.from(group, (b) => b.high),
        low: Float64Array.from(group, (b) => b.low),
        close: Float64Array.from(group, (b) => b.close),
      },
    };
  });
}

export function columnsToPremiumIndex(venue: string, symbol: string, c: Columns): PremiumIndexBar[] {
  const instrumentId = makeInstrumentId(venue, symbol);
  const interval = c.interval as string[];
  const [openTime, closeTime, open, high, low, close] = ['open_time', 'close_time', 'open', 'high', 'low', 'close'].map((n) => c[n] as Float64Array) as Float64Array[];
  return Array.from(openTime!, (t, i) => ({
    instrumentId,
    interval: interval[i]!,
    openTime: t,
    closeTime: closeTime![i]!,
    open: open![i]!,
    high: high![i]!,
    low: low![i]!,
    close: close![i]!,
  }));
}
