import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { ColDef, ICellRendererParams, ValueFormatterParams } from 'ag-grid-community';
import { SimulatedBadge } from '../../components/Badge.js';
import { decimalsForTick, formatNumber, formatSigned, formatTime } from '../../components/format.js';
import { EPOCH_MS_COLUMN, GridPanel } from '../../components/GridPanel.js';
import type { MarketRow } from '../../stores/market-store.js';
import { useStores } from '../../stores/stores-context.js';

function InstrumentCell({ data }: ICellRendererParams<MarketRow>) {
  if (!data) return null;
  return (
    <span className="instrument-cell" title={`${data.instrumentId}${data.kind ? ` · ${data.kind}` : ''}`}>
      <span className="instrument-symbol">{data.symbol}</span>
      {data.simulated ? <SimulatedBadge testId="row-simulated-badge" /> : <span className="instrument-venue">{data.venue}</span>}
    </span>
  );
}

const price = (p: ValueFormatterParams<MarketRow, number | null>) => formatNumber(p.value, decimalsForTick(p.data?.tickSize));
const signedPrice = (p: ValueFormatterParams<MarketRow, number | null>) => formatSigned(p.value, decimalsForTick(p.data?.tickSize));
const upDown = { 'num-up': (p: { value: unknown }) => typeof p.value === 'number' && p.value > 0, 'num-down': (p: { value: unknown }) => typeof p.value === 'number' && p.value < 0 };
/** Colours a price by the direction of its last move (green uptick, red downtick). */
const tickRules = (key: 'bidTick' | 'askTick' | 'lastTick') => ({
  'num-up': (p: { data?: MarketRow }) => p.data?.[key] === 1,
  'num-down': (p: { data?: MarketRow }) => p.data?.[key] === -1,
});

const columns: ColDef<MarketRow>[] = [
  { headerName: 'Instrument', field: 'symbol', cellRenderer: InstrumentCell, flex: 1, minWidth: 192 },
  { headerName: 'Bid', field: 'bid', valueFormatter: price, type: 'rightAligned', cellClassRules: tickRules('bidTick'), width: 80 },
  { headerName: 'Ask', field: 'ask', valueFormatter: price, type: 'rightAligned', cellClassRules: tickRules('askTick'), width: 80 },
  { headerName: 'Last', field: 'last', valueFormatter: price, type: 'rightAligned', cellClass: 'num-strong', cellClassRules: tickRules('lastTick'), width: 80 },
  {
    headerName: 'Chg %',
    field: 'changePct',
    valueFormatter: (p) => (p.value === null || p.value === undefined ? '' : `${formatSigned(p.value, 2)}%`),
    type: 'rightAligned',
    cellClassRules: upDown,
    width: 66,
    headerTooltip: 'Change since this workstation opened',
  },
  { headerName: 'Chg', field: 'change', valueFormatter: signedPrice, type: 'rightAligned', cellClassRules: upDown, width: 72, headerTooltip: 'Change since this workstation opened' },
  { headerName: 'Sprd', field: 'spread', valueFormatter: price, type: 'rightAligned', width: 60 },
  { headerName: 'Time', field: 'tsQuote', valueFormatter: (p) => formatTime(p.value), type: ['rightAligned', EPOCH_MS_COLUMN], width: 92 },
];

const rowClassRules = { 'row-selected': (p: { data?: MarketRow }) => p.data?.selected === true };

export function MarketWatch() {
  const { market } = useStores();
  const rows = useStore(market, (s) => s.rows);
  const loadError = useStore(market, (s) => s.loadError);
  const select = useStore(market, (s) => s.select);
  const rowId = useCallback((r: MarketRow) => r.instrumentId, []);
  const onRowClicked = useCallback((r: MarketRow) => select(r.instrumentId), [select]);
  const footer = useMemo(() => (loadError ? <div className="panel-error">{loadError}</div> : null), [loadError]);
  return (
    <GridPanel<MarketRow>
      title="Market watch"
      testId="market-watch"
      rows={rows}
      columns={columns}
      rowId={rowId}
      exportName="market-watch"
      rowClassRules={rowClassRules}
      onRowClicked={onRowClicked}
      emptyText="Waiting for instruments…"
      footer={footer}
    />
  );
}
