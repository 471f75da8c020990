import { createStore, type StoreApi } from 'zustand/vanilla';
import type { QuoteRow } from '../../shared/api/index.js';
import type { Instrument, InstrumentKind } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export interface MarketRow {
  instrumentId: string;
  symbol: string;
  venue: string;
  kind: InstrumentKind | null;
  simulated: boolean;
  tickSize: number | null;
  bid: number | null;
  ask: number | null;
  last: number | null;
  spread: number | null;
  /** Change of the last price since this workstation first saw the instrument trade. */
  change: number | null;
  changePct: number | null;
  tsQuote: number | null;
  selected: boolean;
}

export interface MarketState {
  instruments: Record<string, Instrument>;
  instrumentOrder: string[];
  quotes: Record<string, QuoteRow>;
  /** First price seen per instrument: the reference for "change" (the simulator has no prior close). */
  refPrices: Record<string, number>;
  rows: MarketRow[];
  selectedInstrumentId: string | null;
  loaded: boolean;
  loadError: string | null;
  load(): Promise<void>;
  applyQuotes(rows: QuoteRow[]): void;
  select(instrumentId: string): void;
}

export type MarketStore = StoreApi<MarketState>;

const referenceOf = (q: QuoteRow): number | null => q.last ?? (q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null);

function buildRows(s: Pick<MarketState, 'instruments' | 'instrumentOrder' | 'quotes' | 'refPrices' | 'selectedInstrumentId'>): MarketRow[] {
  const ids = [...s.instrumentOrder];
  for (const id of Object.keys(s.quotes)) if (!s.instruments[id]) ids.push(id);
  return ids.map((id) => {
    const inst = s.instruments[id];
    const q = s.quotes[id];
    const at = id.indexOf(':');
    const ref = s.refPrices[id];
    const last = q?.last ?? null;
    const change = last !== null && ref !== undefined ? last - ref : null;
    return {
      instrumentId: id,
      symbol: inst?.symbol ?? id.slice(at + 1),
      venue: inst?.venue ?? id.slice(0, at),
      kind: inst?.kind ?? null,
      simulated: (inst?.simulated ?? false) || (q?.simulated ?? false),
      tickSize: inst?.tickSize ?? null,
      bid: q?.bid ?? null,
      ask: q?.ask ?? null,
      last,
      spread: q && q.bid !== null && q.ask !== null ? q.ask - q.bid : null,
      change,
      changePct: change !== null && ref ? (change / ref) * 100 : null,
      tsQuote: q?.ts ?? null,
      selected: id === s.selectedInstrumentId,
    };
  });
}

export function createMarketStore(client: KestrelClient): MarketStore {
  return createStore<MarketState>()((set, get) => {
    const mergeQuotes = (rows: QuoteRow[]) => {
      const s = get();
      const quotes = { ...s.quotes };
      let refPrices = s.refPrices;
      for (const row of rows) {
        const prev = quotes[row.instrumentId];
        // Batches can overlap after a reconnect; an older quote must not overwrite a newer one.
        if (prev && prev.ts > row.ts) continue;
        quotes[row.instrumentId] = row;
        const ref = referenceOf(row);
        if (refPrices[row.instrumentId] === undefined && ref !== null) refPrices = { ...refPrices, [row.instrumentId]: ref };
      }
      return { quotes, refPrices };
    };

    return {
      instruments: {},
      instrumentOrder: [],
      quotes: {},
      refPrices: {},
      rows: [],
      selectedInstrumentId: null,
      loaded: false,
      loadError: null,

      async load() {
        try {
          const [instruments, quoteRows] = await Promise.all([client.call('instruments.list', {}), client.call('quotes.list', {})]);
          const byId: Record<string, Instrument> = {};
          for (const inst of instruments) byId[inst.instrumentId] = inst;
          set({ instruments: byId, instrumentOrder: instruments.map((i) => i.instrumentId) });
          const merged = mergeQuotes(quoteRows);
          const s = get();
          const selected = s.selectedInstrumentId && byId[s.selectedInstrumentId] ? s.selectedInstrumentId : (instruments[0]?.instrumentId ?? null);
          const next = { ...s, ...merged, selectedInstrumentId: selected };
          set({ ...merged, selectedInstrumentId: selected, rows: buildRows(next), loaded: true, loadError: null });
        } catch (err) {
          set({ loadError: `could not load instruments and quotes: ${errorText(err)}` });
        }
      },

      applyQuotes(rows) {
        const merged = mergeQuotes(rows);
        set({ ...merged, rows: buildRows({ ...get(), ...merged }) });
      },

      select(instrumentId) {
        if (get().selectedInstrumentId === instrumentId) return;
        set({ selectedInstrumentId: instrumentId, rows: buildRows({ ...get(), selectedInstrumentId: instrumentId }) });
      },
    };
  });
}
