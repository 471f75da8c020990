/** Binance markets as Kestrel venues: spot is `BINANCE`, USDⓈ-M futures `BINANCEUSDM` (ccxt's ids). */
export type BinanceMarket = 'spot' | 'usdm';

// Longest first, so FDUSD wins over USD and USDT over USD.
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY', 'USD'];

/** `BTCUSDT` → `BINANCEUSDM:BTC/USDT:USDT` (perp) or `BINANCE:BTC/USDT` (spot), ccxt unified symbols. */
export function binanceInstrumentId(rawSymbol: string, market: BinanceMarket): string {
  const raw = rawSymbol.toUpperCase();
  const quote = QUOTES.find((q) => raw.endsWith(q) && raw.length > q.length);
  if (!quote) throw new Error(`cannot tell the quote currency of Binance symbol "${rawSymbol}"; pass instrumentId explicitly`);
  const base = raw.slice(0, raw.length - quote.length);
  return market === 'usdm' ? `BINANCEUSDM:${base}/${quote}:${quote}` : `BINANCE:${base}/${quote}`;
}
