import type { Contract } from '@stoqey/ib';
import type { Instrument } from '../../../shared/model/index.js';
import type { IbContractSpec } from './instrument-id.js';
import { toInstrument, type IbContractDetailsPayload } from './parse.js';

interface Entry {
  instrument: Instrument;
  contract: Contract;
}

/**
 * Contracts TWS has described (contract search, portfolio), by instrumentId and by conId.
 * Orders and market data use the cached conId so TWS never has to guess (an ambiguous symbol
 * is error 200).
 */
export class IbContractCache {
  private readonly byId = new Map<string, Entry>();
  private readonly byConId = new Map<number, Entry>();

  /** Caches one ContractDetails and returns its Instrument. Throws for unsupported security types. */
  put(details: IbContractDetailsPayload): Instrument {
    const instrument = toInstrument(details);
    const c = details.contract;
    const contract: Contract = {
      conId: c.conId,
      symbol: c.symbol,
      secType: c.secType as Contract['secType'],
      exchange: c.exchange,
      currency: c.currency,
      ...(c.primaryExch ? { primaryExch: c.primaryExch } : {}),
      ...(c.lastTradeDateOrContractMonth ? { lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth } : {}),
      ...(c.multiplier && c.multiplier > 0 ? { multiplier: c.multiplier } : {}),
      ...(c.localSymbol ? { localSymbol: c.localSymbol } : {}),
      ...(c.tradingClass ? { tradingClass: c.tradingClass } : {}),
    };
    const entry: Entry = { instrument, contract };
    // The first listing of an instrumentId wins: a later search must not swap the conId under a live order.
    if (!this.byId.has(instrument.instrumentId)) this.byId.set(instrument.instrumentId, entry);
    if (c.conId) this.byConId.set(c.conId, this.byId.get(instrument.instrumentId) ?? entry);
    return instrument;
  }

  get(instrumentId: string): Entry | undefined {
    return this.byId.get(instrumentId);
  }

  getByConId(conId: number): Entry | undefined {
    return this.byConId.get(conId);
  }

  instruments(): Instrument[] {
    return [...this.byId.values()].map((e) => e.instrument);
  }

  /** The contract to send for an instrumentId: cached (with conId) or built from the id's fields. */
  contractFor(instrumentId: string, spec: IbContractSpec): Contract {
    const cached = this.byId.get(instrumentId);
    if (cached) return { ...cached.contract };
    return specToContract(spec);
  }
}

export function specToContract(spec: Partial<IbContractSpec> & { secType: IbContractSpec['secType']; symbol: string }): Contract {
  return {
    symbol: spec.symbol,
    secType: spec.secType as Contract['secType'],
    ...(spec.exchange ? { exchange: spec.exchange } : {}),
    ...(spec.currency ? { currency: spec.currency } : {}),
    ...(spec.expiry ? { lastTradeDateOrContractMonth: spec.expiry } : {}),
    ...(spec.multiplier ? { multiplier: Number(spec.multiplier) } : {}),
  };
}
