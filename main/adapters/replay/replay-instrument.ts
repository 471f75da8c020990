import type { Instrument } from '../../../shared/model/index.js';
import { splitInstrumentId } from '../../../shared/model/index.js';

export interface ReplayInstrumentOverrides {
  tickSize?: number | undefined;
  lotSize?: number | undefined;
}

/**
 * An Instrument for an id first seen in a recording, read from its ccxt-style symbol
 * (`BTC/USDT:USDT` is a perp settled in USDT, `BTC/USDT` spot). Recordings carry no tick or lot
 * sizes, so unless the config gives them the grid is fine enough to accept any recorded price.
 * Replayed data is not live: it is flagged `simulated` so every screen says so.
 */
export function replayInstrument(instrumentId: string, overrides: ReplayInstrumentOverrides = {}): Instrument {
  const { venue, symbol } = splitInstrumentId(instrumentId);
  const [pair = symbol, settle] = symbol.split(':');
  const [base = pair, quote = ''] = pair.split('/');
  return {
    instrumentId,
    venue,
    symbol,
    kind: settle ? 'perp' : quote ? 'spot' : 'stock',
    base,
    quote: quote || 'USD',
    settle,
    tickSize: overrides.tickSize ?? 1e-8,
    lotSize: overrides.lotSize ?? 1e-8,
    minNotional: 0,
    multiplier: 1,
    simulated: true,
    active: true,
  };
}
