import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { ColDef } from 'ag-grid-community';
import type { Fill } from '../../../shared/model/index.js';
import { formatNumber, formatQuantity, formatTime, priceDecimalsFrom, type PriceDecimals } from '../../components/format.js';
import { EPOCH_MS_COLUMN, GridPanel } from '../../components/GridPanel.js';
import { useStores } from '../../stores/stores-context.js';

const columnsFor = (decimals: PriceDecimals): ColDef<Fill>[] => [
  { headerName: 'Time', field: 'tsEvent', valueFormatter: (p) => formatTime(p.value), type: EPOCH_MS_COLUMN, width: 96, sort: 'desc' },
  { headerName: 'Instrument', field: 'instrumentId', flex: 2, minWidth: 140, tooltipField: 'instrumentId' },
  { headerName: 'Side', field: 'side', width: 56, cellClassRules: { 'side-buy-text': (p) => p.value === 'buy', 'side-sell-text': (p) => p.value === 'sell' } },
  { headerName: 'Qty', field: 'quantity', valueFormatter: (p) => formatQuantity(p.value), type: 'rightAligned', width: 72 },
  { headerName: 'Price', field: 'price', valueFormatter: (p) => (p.data ? formatNumber(p.value, decimals(p.data.instrumentId)) : ''), type: 'rightAligned', width: 90 },
  { headerName: 'Fee', field: 'fee', valueFormatter: (p) => (typeof p.value === 'number' ? p.value.toFixed(4) : ''), type: 'rightAligned', width: 72 },
  { headerName: 'Ccy', field: 'feeCurrency', width: 52 },
  { headerName: 'Liq', field: 'liquidity', width: 56 },
  { headerName: 'Client id', field: 'clientOrderId', width: 140 },
  { headerName: 'Venue trade', field: 'venueTradeId', width: 110 },
  { headerName: 'Account', field: 'accountId', width: 80 },
];

export function FillsPanel() {
  const { fills, market } = useStores();
  const instruments = useStore(market, (s) => s.instruments);
  const columns = useMemo(() => columnsFor(priceDecimalsFrom(instruments)), [instruments]);
  const rows = useStore(fills, (s) => s.fills);
  const loadError = useStore(fills, (s) => s.loadError);
  const rowId = useCallback((f: Fill) => f.fillId, []);
  return (
    <GridPanel<Fill>
      title={`Fills · ${rows.length}`}
      testId="fills"
      rows={rows}
      columns={columns}
      rowId={rowId}
      exportName="fills"
      emptyText="No fills yet"
      footer={loadError ? <div className="panel-error">{loadError}</div> : null}
    />
  );
}
