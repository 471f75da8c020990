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
    <span className="instrument-cell" title={data.instrumentId}>
      <span className="instrument-symbol">{data.symbol}</span>
      <span className="instrument-venue">{data.venue}</span>
      {data.simulated ? <SimulatedBadge testId="row-simulated-badge" /> : null}
    </span>
  );
}

const price = (p: ValueFormatterParams<MarketRow, number | null>) => formatNumber(p.value, decimalsForTick(p.data?.tickSize));
const signedPrice = (p: ValueFormatterParams<MarketRow, number | null>) => formatSigned(p.value, decimalsForTick(p.data?.tickSize));
const upDown = { 'num-up': (p: { value: unknown }) => typeof p.value === 'number' && p.value > 0, 'num-down': (p: { value: unknown }) => typeof p.value === 'number' && p.value < 0 };

const columns: ColDef<MarketRow>[] = [
  { headerName: 'Instrument', field: 'symbol', cellRenderer: InstrumentCell, flex: 2, minWidth: 150 },
  { headerName: 'Bid', field: 'bid', valueFormatter: price, type: 'rightAligned', enableCellChangeFlash: true, flex: 1 },
  { headerName: 'Ask', field: 'ask', valueFormatter: price, type: 'rightAligned', enableCellChangeFlash: true, flex: 1 },
  { headerName: 'Last', field: 'last', valueFormatter: price, type: 'rightAligned', enableCellChangeFlash: true, flex: 1, cellClass: 'num-strong' },
  { headerName: 'Chg', field: 'change', valueFormatter: signedPrice, type: 'rightAligned', cellClassRules: upDown, flex: 1, headerTooltip: 'Change since this workstation opened' },
  {
    headerName: 'Chg %',
    field: 'changePct',
    valueFormatter: (p) => (p.value === null || p.value === undefined ? '' : `${formatSigned(p.value, 2)}%`),
    type: 'rightAligned',
    cellClassRules: upDown,
    width: 72,
  },
  { headerName: 'Sprd', field: 'spread', valueFormatter: price, type: 'rightAligned', width: 64, hide: false },
  { headerName: 'Time', field: 'tsQuote', valueFormatter: (p) => formatTime(p.value), type: ['rightAligned', EPOCH_MS_COLUMN], width: 96 },
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
