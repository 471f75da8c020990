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
  /** Direction of the last move of each price: 1 up, -1 down, 0 unchanged or unknown. */
  bidTick: Tick;
  askTick: Tick;
  lastTick: Tick;
  selected: boolean;
}

export type Tick = 1 | -1 | 0;

export interface MarketState {
  instruments: Record<string, Instrument>;
  instrumentOrder: string[];
  quotes: Record<string, QuoteRow>;
  ticks: Record<string, { bid: Tick; ask: Tick; last: Tick }>;
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

const NO_TICKS = { bid: 0, ask: 0, last: 0 } as const;

function tickOf(prev: number | null | undefined, next: number | null): Tick | null {
  if (prev === null || prev === undefined || next === null || next === prev) return null;
  return next > prev ? 1 : -1;
}

function buildRows(s: Pick<MarketState, 'instruments' | 'instrumentOrder' | 'quotes' | 'ticks' | 'refPrices' | 'selectedInstrumentId'>): MarketRow[] {
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
      bidTick: (s.ticks[id] ?? NO_TICKS).bid,
      askTick: (s.ticks[id] ?? NO_TICKS).ask,
      lastTick: (s.ticks[id] ?? NO_TICKS).last,
      selected: id === s.selectedInstrumentId,
    };
  });
}

export function createMarketStore(client: KestrelClient): MarketStore {
  return createStore<MarketState>()((set, get) => {
    const mergeQuotes = (rows: QuoteRow[]) => {
      const s = get();
      const quotes = { ...s.quotes };
      const ticks = { ...s.ticks };
      let refPrices = s.refPrices;
      for (const row of rows) {
        const prev = quotes[row.instrumentId];
        // Batches can overlap after a reconnect; an older quote must not overwrite a newer one.
        if (prev && prev.ts > row.ts) continue;
        quotes[row.instrumentId] = row;
        // A price that did not move keeps the colour of its last move, as on a trading screen.
        const was = ticks[row.instrumentId] ?? NO_TICKS;
        ticks[row.instrumentId] = {
          bid: tickOf(prev?.bid, row.bid) ?? was.bid,
          ask: tickOf(prev?.ask, row.ask) ?? was.ask,
          last: tickOf(prev?.last, row.last) ?? was.last,
        };
        const ref = referenceOf(row);
        if (refPrices[row.instrumentId] === undefined && ref !== null) refPrices = { ...refPrices, [row.instrumentId]: ref };
      }
      return { quotes, ticks, refPrices };
    };

    return {
      instruments: {},
      instrumentOrder: [],
      quotes: {},
      ticks: {},
      refPrices: {},
      rows: [],
      selectedInstrumentId: null,
      loaded: false,
      loadError: null,

      async load() {
        // Quotes are worth showing even when the instrument list fails (and the other way round).
        const [instruments, quoteRows] = await Promise.allSettled([client.call('instruments.list', {}), client.call('quotes.list', {})]);
        const s = get();
        let byId = s.instruments;
        let instrumentOrder = s.instrumentOrder;
        if (instruments.status === 'fulfilled') {
          byId = {};
          for (const inst of instruments.value) byId[inst.instrumentId] = inst;
          instrumentOrder = instruments.value.map((i) => i.instrumentId);
        }
        const merged: Partial<ReturnType<typeof mergeQuotes>> = quoteRows.status === 'fulfilled' ? mergeQuotes(quoteRows.value) : {};
        const failed = [instruments.status === 'rejected' ? `instruments: ${errorText(instruments.reason)}` : null, quoteRows.status === 'rejected' ? `quotes: ${errorText(quoteRows.reason)}` : null].filter(Boolean);
        const keep = s.selectedInstrumentId && (byId[s.selectedInstrumentId] || instrumentOrder.length === 0);
        const firstQuoted = Object.keys(merged.quotes ?? s.quotes)[0] ?? null;
        const selectedInstrumentId = keep ? s.selectedInstrumentId : (instrumentOrder[0] ?? s.selectedInstrumentId ?? firstQuoted);
        const next = { ...s, ...merged, instruments: byId, instrumentOrder, selectedInstrumentId };
        set({
          ...merged,
          instruments: byId,
          instrumentOrder,
          selectedInstrumentId,
          rows: buildRows(next),
          loaded: instruments.status === 'fulfilled',
          loadError: failed.length ? `could not load ${failed.join('; ')}` : null,
        });
      },

      applyQuotes(rows) {
        const merged = mergeQuotes(rows);
        const s = get();
        // Quotes can come before the instrument list (or without it, if that call failed): show a chart anyway.
        const selectedInstrumentId = s.selectedInstrumentId ?? s.instrumentOrder[0] ?? rows[0]?.instrumentId ?? null;
        set({ ...merged, selectedInstrumentId, rows: buildRows({ ...s, ...merged, selectedInstrumentId }) });
      },

      select(instrumentId) {
        if (get().selectedInstrumentId === instrumentId) return;
        set({ selectedInstrumentId: instrumentId, rows: buildRows({ ...get(), selectedInstrumentId: instrumentId }) });
      },
    };
  });
}
