import type { Instrument, QuoteTick, TradeTick } from '../../../shared/model/index.js';
import { makeInstrumentId } from '../../../shared/model/index.js';
import { SeededRandom } from './random.js';

export interface SimulatedInstrumentSpec {
  symbol: string;
  kind: Instrument['kind'];
  base: string;
  quote: string;
  settle?: string | undefined;
  startPrice: number;
  tickSize: number;
  lotSize: number;
  annualVol: number;
  tradesPerSec: number;
  baseSpreadBps: number;
}

export const SIM_VENUE = 'SIM';
const SECONDS_PER_YEAR = 365 * 24 * 3600;
// GARCH(1,1) weights: yesterday's shock and yesterday's variance; persistence 0.98 gives the
// volatility clusters a trader recognises without exploding.
const GARCH_ALPHA = 0.08;
const GARCH_BETA = 0.9;

interface SimState {
  spec: SimulatedInstrumentSpec;
  instrument: Instrument;
  mid: number;
  /** Per-second variance, long-run level and current. */
  longRunVar: number;
  variance: number;
  lastShock: number;
  nextTradeId: number;
  last: number | null;
}

export interface SimulatorStep {
  trades: TradeTick[];
  quotes: QuoteTick[];
}

/**
 * The built-in market: a random walk with GARCH volatility clustering, Poisson trade arrivals and
 * spreads that widen with volatility. Pure: it advances only when `step(nowMs)` is called, so the
 * same seed and clock give the same session.
 */
export class MarketSimulator {
  private readonly rng: SeededRandom;
  private readonly states: SimState[];
  private lastMs: number | null = null;

  constructor(specs: SimulatedInstrumentSpec[], seed = 42) {
    this.rng = new SeededRandom(seed);
    this.states = specs.map((spec) => {
      const perSecVar = (spec.annualVol * spec.annualVol) / SECONDS_PER_YEAR;
      return {
        spec,
        instrument: toInstrument(spec),
        mid: spec.startPrice,
        longRunVar: perSecVar,
        variance: perSecVar,
        lastShock: 0,
        nextTradeId: 1,
        last: null,
      };
    });
  }

  instruments(): Instrument[] {
    return this.states.map((s) => s.instrument);
  }

  /** Advances the market to `nowMs` and returns what happened since the previous step. */
  step(nowMs: number): SimulatorStep {
    const prev = this.lastMs ?? nowMs - 100;
    this.lastMs = nowMs;
    const dtSec = Math.max(0, Math.min(5, (nowMs - prev) / 1000));
    const trades: TradeTick[] = [];
    const quotes: QuoteTick[] = [];
    for (const s of this.states) {
      if (dtSec > 0) this.evolve(s, dtSec);
      const { bid, ask } = this.touch(s);
      const n = this.rng.poisson(s.spec.tradesPerSec * dtSec);
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(prev + Math.floor(this.rng.next() * (nowMs - prev)) + 1);
      times.sort((a, b) => a - b);
      for (const ts of times) {
        const side = this.rng.next() < 0.5 ? 'buy' : 'sell';
        // Takers lift the ask or hit the bid; now and then a print walks a tick into the book.
        const slip = this.rng.next() < 0.15 ? s.spec.tickSize : 0;
        const price = roundTo(side === 'buy' ? ask + slip : bid - slip, s.spec.tickSize);
        const quantity = roundTo(Math.max(s.spec.lotSize, this.sizeFor(s)), s.spec.lotSize);
        trades.push({
          instrumentId: s.instrument.instrumentId,
          tradeId: String(s.nextTradeId++),
          price: price > 0 ? price : s.spec.tickSize,
          quantity,
          side,
          tsEvent: ts,
          tsInit: nowMs,
        });
        s.last = price;
      }
      const topSize = roundTo(this.sizeFor(s) * (2 + 4 * this.rng.next()), s.spec.lotSize) || s.spec.lotSize;
      quotes.push({
        instrumentId: s.instrument.instrumentId,
        bid,
        bidSize: topSize,
        ask,
        askSize: roundTo(this.sizeFor(s) * (2 + 4 * this.rng.next()), s.spec.lotSize) || s.spec.lotSize,
        last: s.last ?? roundTo(s.mid, s.spec.tickSize),
        tsEvent: nowMs,
        tsInit: nowMs,
      });
    }
    return { trades, quotes };
  }

  private evolve(s: SimState, dtSec: number): void {
    const omega = s.longRunVar * (1 - GARCH_ALPHA - GARCH_BETA);
    s.variance = omega + GARCH_ALPHA * s.lastShock * s.lastShock + GARCH_BETA * s.variance;
    const shock = Math.sqrt(s.variance) * this.rng.normal();
    s.lastShock = shock;
    s.mid = Math.max(s.spec.tickSize * 10, s.mid * Math.exp(shock * Math.sqrt(dtSec)));
  }

  private touch(s: SimState): { bid: number; ask: number } {
    const volRatio = Math.sqrt(s.variance / s.longRunVar);
    const spreadPx = Math.max(s.spec.tickSize, (s.mid * s.spec.baseSpreadBps * volRatio) / 10_000);
    const half = spreadPx / 2;
    const bid = floorTo(s.mid - half, s.spec.tickSize);
    let ask = ceilTo(s.mid + half, s.spec.tickSize);
    if (ask <= bid) ask = roundTo(bid + s.spec.tickSize, s.spec.tickSize);
    return { bid, ask };
  }

  private sizeFor(s: SimState): number {
    // Log-normal trade sizes around ~$5k notional.
    const notional = 5_000 * Math.exp(0.9 * this.rng.normal());
    return notional / s.mid;
  }
}

function toInstrument(spec: SimulatedInstrumentSpec): Instrument {
  return {
    instrumentId: makeInstrumentId(SIM_VENUE, spec.symbol),
    venue: SIM_VENUE,
    symbol: spec.symbol,
    kind: spec.kind,
    base: spec.base,
    quote: spec.quote,
    settle: spec.settle,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    minNotional: 0,
    multiplier: 1,
    secType: spec.kind === 'stock' ? 'STK' : undefined,
    simulated: true,
    active: true,
  };
}

const decimals = (step: number): number => Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
export const roundTo = (x: number, step: number): number => Number((Math.round(x / step) * step).toFixed(decimals(step)));
const floorTo = (x: number, step: number): number => Number((Math.floor(x / step + 1e-9) * step).toFixed(decimals(step)));
const ceilTo = (x: number, step: number): number => Number((Math.ceil(x / step - 1e-9) * step).toFixed(decimals(step)));
