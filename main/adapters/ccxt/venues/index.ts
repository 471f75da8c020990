import type { CcxtVenueId } from '../config.js';
import { binanceQuirks } from './binance.js';
import { binanceusdmQuirks } from './binanceusdm.js';
import { bybitQuirks } from './bybit.js';
import { gateQuirks } from './gate.js';
import { hyperliquidQuirks } from './hyperliquid.js';
import { okxQuirks } from './okx.js';
import type { VenueQuirks } from './venue-quirks.js';

const QUIRKS: Record<CcxtVenueId, VenueQuirks> = {
  binance: binanceQuirks,
  binanceusdm: binanceusdmQuirks,
  okx: okxQuirks,
  bybit: bybitQuirks,
  gate: gateQuirks,
  hyperliquid: hyperliquidQuirks,
};

export function venueQuirks(venue: CcxtVenueId): VenueQuirks {
  return QUIRKS[venue];
}
