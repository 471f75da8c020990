import type { Bar } from '../../../shared/model/market.js';

/** The aggregate command's output columns, exactly (seed 004 names, snake_case). */
export const BAR_CSV_HEADER =
  'symbol,interval,open_time,close_time,time_label,open,high,low,close,volume,quote_volume,trade_count,vwap,buy_volume,sell_volume,buy_quote_volume,sell_quote_volume';

function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One CSV row. Numbers use JavaScript's shortest round-trip form, so reading them back gives the
 * same doubles; the vwap of an empty window is written NaN (pandas, Polars and DuckDB read it).
 */
export function barCsvRow(symbol: string, b: Bar): string {
  return [
    csvText(symbol),
    csvText(b.interval),
    b.openTime,
    b.closeTime,
    b.timeLabel,
    b.open,
    b.high,
    b.low,
    b.close,
    b.volume,
    b.quoteVolume,
    b.tradeCount,
    b.vwap === null ? 'NaN' : b.vwap,
    b.buyVolume,
    b.sellVolume,
    b.buyQuoteVolume,
    b.sellQuoteVolume,
  ].join(',');
}
