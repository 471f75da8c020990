import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import { isOpenStatus, type Order } from '../../../shared/model/index.js';
import { formatNumber, formatQuantity, formatTime, priceDecimalsFrom, type PriceDecimals } from '../../components/format.js';
import { EPOCH_MS_COLUMN, GridPanel } from '../../components/GridPanel.js';
import { useStores } from '../../stores/stores-context.js';

interface OrdersGridContext {
  cancel(clientOrderId: string): void;
}

function CancelCell({ data, context }: ICellRendererParams<Order, unknown, OrdersGridContext>) {
  if (!data || !isOpenStatus(data.status)) return null;
  return (
    <button type="button" className="btn btn-xs btn-danger-ghost" data-testid={`cancel-${data.clientOrderId}`} title="Cancel this order" onClick={() => context.cancel(data.clientOrderId)}>
      Cancel
    </button>
  );
}

const columnsFor = (decimals: PriceDecimals): ColDef<Order>[] => [
  { headerName: '', colId: 'actions', cellRenderer: CancelCell, width: 66, sortable: false, resizable: false, pinned: 'left' },
  { headerName: 'Time', field: 'tsCreated', valueFormatter: (p) => formatTime(p.value), type: EPOCH_MS_COLUMN, width: 96, sort: 'desc' },
  { headerName: 'Instrument', field: 'instrumentId', flex: 2, minWidth: 140, tooltipField: 'instrumentId' },
  { headerName: 'Side', field: 'side', width: 56, cellClassRules: { 'side-buy-text': (p) => p.value === 'buy', 'side-sell-text': (p) => p.value === 'sell' } },
  { headerName: 'Type', field: 'type', width: 64 },
  { headerName: 'Qty', field: 'quantity', valueFormatter: (p) => formatQuantity(p.value), type: 'rightAligned', width: 72 },
  { headerName: 'Price', field: 'price', valueFormatter: (p) => (p.data ? formatNumber(p.value, decimals(p.data.instrumentId)) : ''), type: 'rightAligned', width: 84 },
  { headerName: 'Filled', field: 'filledQuantity', valueFormatter: (p) => formatQuantity(p.value), type: 'rightAligned', width: 64 },
  { headerName: 'Avg', field: 'avgFillPrice', valueFormatter: (p) => (p.data ? formatNumber(p.value, decimals(p.data.instrumentId) + 1) : ''), type: 'rightAligned', width: 88 },
  { headerName: 'Status', field: 'status', width: 96, cellClass: (p) => `status status-${p.value}` },
  { headerName: 'TIF', field: 'timeInForce', width: 52 },
  { headerName: 'Reason', field: 'reason', flex: 1, minWidth: 80, tooltipField: 'reason' },
  { headerName: 'Client id', field: 'clientOrderId', width: 140 },
  { headerName: 'Venue id', field: 'venueOrderId', width: 110 },
];

export function OrdersPanel() {
  const { orders, market } = useStores();
  const instruments = useStore(market, (s) => s.instruments);
  const columns = useMemo(() => columnsFor(priceDecimalsFrom(instruments)), [instruments]);
  const rows = useStore(orders, (s) => s.rows);
  const scope = useStore(orders, (s) => s.scope);
  const actionError = useStore(orders, (s) => s.actionError);
  const loadError = useStore(orders, (s) => s.loadError);
  const { cancel, cancelAll, setScope } = orders.getState();
  const context = useMemo<OrdersGridContext>(() => ({ cancel: (id) => void cancel(id) }), [cancel]);
  const rowId = useCallback((o: Order) => o.clientOrderId, []);
  const openCount = rows.filter((o) => isOpenStatus(o.status)).length;
  const error = actionError ?? loadError;
  return (
    <GridPanel<Order>
      title={`Orders${scope === 'open' ? ` · ${openCount} open` : ''}`}
      testId="orders"
      rows={rows}
      columns={columns}
      rowId={rowId}
      context={context}
      exportName="orders"
      emptyText={scope === 'open' ? 'No open orders' : 'No orders'}
      actions={
        <>
          <label className="toggle small" title="Show finished orders too">
            <input type="checkbox" data-testid="orders-show-all" checked={scope === 'all'} onChange={(e) => void setScope(e.target.checked ? 'all' : 'open')} />
            all
          </label>
          <button type="button" className="btn btn-ghost btn-danger-ghost" data-testid="orders-cancel-all" disabled={openCount === 0} onClick={() => void cancelAll()} title="Cancel every open order">
            Cancel all
          </button>
        </>
      }
      footer={error ? <div className="panel-error" role="alert">{error}</div> : null}
    />
  );
}
