import { binanceFuturesExchangeInfo } from '../../fakes/exchange/catalogs.js';
import type { ExchangeServer } from '../../fakes/exchange/exchange-server.js';

/** One contract of the recorded Binance USDⓈ-M exchangeInfo (cryptofeed, 2021-07-22: 122 contracts). */
export interface RecordedContract {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  marginAsset: string;
  contractType: string;
  status: string;
  onboardDate: number;
}

export function recordedContracts(): RecordedContract[] {
  return (JSON.parse(binanceFuturesExchangeInfo()) as { symbols: RecordedContract[] }).symbols;
}

/**
 * Built, not recorded (no 24h ticker list was recorded for that day): GET /fapi/v1/ticker/24hr in
 * Binance's documented shape, one row per recorded contract, with the quote volume `volumeOf` gives.
 * Only the quote volume matters to the universe; the other fields are plausible filler.
 */
export function installBinanceTickers(server: ExchangeServer, volumeOf: (c: RecordedContract, index: number) => number): () => void {
  const contracts = recordedContracts();
  return server.route('GET', '/fapi/v1/ticker/24hr', () => ({
    body: contracts.map((c, i) => ({
      symbol: c.symbol,
      priceChange: '1.0000',
      priceChangePercent: '1.000',
      weightedAvgPrice: '100.00',
      lastPrice: '100.00',
      lastQty: '1.000',
      openPrice: '99.00',
      highPrice: '101.00',
      lowPrice: '98.00',
      volume: (volumeOf(c, i) / 100).toFixed(3),
      quoteVolume: volumeOf(c, i).toFixed(2),
      openTime: 1626868800000,
      closeTime: 1626955199999,
      firstId: 1,
      lastId: 1000,
      count: 1000,
    })),
  }));
}

/** Quote volumes that are not in listing order: 1..1000 million, spread by a multiplicative hash. */
export const scrambledVolume = (salt: number) => (_c: RecordedContract, i: number) => (((i + 1) * 7919 + salt * 104_729) % 1000 + 1) * 1e6;

/** The universe a rule should pick, computed straight from the recorded listing and the volumes. */
export function expectedUniverse(
  volumeOf: (c: RecordedContract, index: number) => number,
  rule: { topN: number; minListingAgeDays: number; exclude: (c: RecordedContract) => boolean },
  nowMs: number,
): string[] {
  return recordedContracts()
    .map((c, i) => ({ c, v: volumeOf(c, i), id: `BINANCEUSDM:${c.baseAsset}/${c.quoteAsset}:${c.marginAsset}` }))
    .filter(({ c }) => c.contractType === 'PERPETUAL' && c.status === 'TRADING' && c.quoteAsset === 'USDT')
    .filter(({ c }) => !rule.exclude(c))
    .filter(({ c }) => nowMs - c.onboardDate >= rule.minListingAgeDays * 86_400_000)
    .sort((a, b) => b.v - a.v || (a.id < b.id ? -1 : 1))
    .slice(0, rule.topN)
    .map(({ id }) => id);
}
