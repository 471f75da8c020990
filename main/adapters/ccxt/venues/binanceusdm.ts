import type { VenueQuirks } from './venue-quirks.js';
import { binanceQuirks } from './binance.js';

/** Binance USDⓈ-M perpetuals: Binance's quirks plus contract settings, 8h funding and premium index klines. */
export const binanceusdmQuirks: VenueQuirks = {
  ...binanceQuirks,
  id: 'binanceusdm',
  ccxtClass: 'binanceusdm',
  ccxtOptions: { ...binanceQuirks.ccxtOptions, defaultType: 'swap', fetchMarkets: { types: ['linear'] } },
  defaultFundingIntervalHours: 8,
  contractSettings: { marginMode: true, positionMode: true, leverage: true },
  premiumIndexKlines: true,
};
