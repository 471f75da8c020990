import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { ColDef } from 'ag-grid-community';
import type { TradeTick } from '../../../shared/model/index.js';
import { decimalsForTick, formatLotQuantity, formatNumber, formatQuantity, formatTime } from '../../components/format.js';
import { EPOCH_MS_COLUMN, GridPanel } from '../../components/GridPanel.js';
import { useStores } from '../../stores/stores-context.js';
import { tradeKey } from '../../stores/tape-store.js';

const sideRules = { 'side-buy-text': (p: { data?: TradeTick }) => p.data?.side === 'buy', 'side-sell-text': (p: { data?: TradeTick }) => p.data?.side === 'sell' };

/** Quantities on the lot grid line up in the column; without a lot size they keep their own decimals. */
const columnsFor = (priceDecimals: number, quantityDecimals: number | null): ColDef<TradeTick>[] => [
  { headerName: 'Time', field: 'tsEvent', valueFormatter: (p) => formatTime(p.value), type: EPOCH_MS_COLUMN, width: 96, sort: 'desc' },
  { headerName: 'Price', field: 'price', valueFormatter: (p) => formatNumber(p.value, priceDecimals), type: 'rightAligned', cellClassRules: sideRules, flex: 1, minWidth: 84 },
  { headerName: 'Qty', field: 'quantity', valueFormatter: (p) => (quantityDecimals === null ? formatQuantity(p.value) : formatLotQuantity(p.value, quantityDecimals)), type: 'rightAligned', cellClassRules: sideRules, flex: 1, minWidth: 64 },
  { headerName: 'Side', field: 'side', cellClassRules: sideRules, width: 56 },
  { headerName: 'Trade id', field: 'tradeId', flex: 1, minWidth: 90 },
];

/** Time and sales of the selected instrument: its latest trades, buyer-initiated green, seller-initiated red. */
export function TapePanel() {
  const { tape, market } = useStores();
  const instrumentId = useStore(tape, (s) => s.instrumentId);
  const trades = useStore(tape, (s) => s.trades);
  const tickSize = useStore(market, (s) => (instrumentId ? (s.instruments[instrumentId]?.tickSize ?? null) : null));
  const lotSize = useStore(market, (s) => (instrumentId ? (s.instruments[instrumentId]?.lotSize ?? null) : null));
  const columns = useMemo(() => columnsFor(decimalsForTick(tickSize), lotSize === null ? null : decimalsForTick(lotSize)), [tickSize, lotSize]);
  return (
    <GridPanel<TradeTick>
      title={
        <>
          Time &amp; sales <span className="instrument-symbol small">{instrumentId ?? ''}</span>
        </>
      }
      testId="tape"
      className="tape-panel"
      rows={trades}
      columns={columns}
      rowId={tradeKey}
      exportName={`tape-${(instrumentId ?? 'none').replace(/[^A-Za-z0-9]+/g, '-')}`}
      emptyText="Waiting for trades…"
    />
  );
}
