import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { Position } from '../../../shared/model/index.js';
import { formatNumber, formatQuantity, formatSigned, formatTime, priceDecimalsFrom, type PriceDecimals } from '../../components/format.js';
import { EPOCH_MS_COLUMN, GridPanel } from '../../components/GridPanel.js';
import { useStores } from '../../stores/stores-context.js';

const money = (p: ValueFormatterParams<Position, number | null>) => formatSigned(p.value, 2);
const upDown = { 'num-up': (p: { value: unknown }) => typeof p.value === 'number' && p.value > 0, 'num-down': (p: { value: unknown }) => typeof p.value === 'number' && p.value < 0 };

const columnsFor = (decimals: PriceDecimals): ColDef<Position>[] => [
  { headerName: 'Instrument', field: 'instrumentId', flex: 2, minWidth: 140, tooltipField: 'instrumentId' },
  { headerName: 'Qty', field: 'quantity', valueFormatter: (p) => formatQuantity(p.value), type: 'rightAligned', cellClassRules: upDown, width: 76 },
  // One more decimal than the tick: an average of several fills falls between ticks.
  { headerName: 'Avg price', field: 'avgPrice', valueFormatter: (p) => (p.value && p.data ? formatNumber(p.value, decimals(p.data.instrumentId) + 1) : ''), type: 'rightAligned', width: 92 },
  { headerName: 'Mark', field: 'markPrice', valueFormatter: (p) => (p.data ? formatNumber(p.value, decimals(p.data.instrumentId)) : ''), type: 'rightAligned', width: 88 },
  { headerName: 'Unrealized', field: 'unrealizedPnl', valueFormatter: money, type: 'rightAligned', cellClassRules: upDown, width: 92 },
  { headerName: 'Realized', field: 'realizedPnl', valueFormatter: money, type: 'rightAligned', cellClassRules: upDown, width: 88 },
  { headerName: 'Fees', field: 'fees', valueFormatter: (p) => formatNumber(p.value, 4), type: 'rightAligned', width: 72 },
  { headerName: 'Account', field: 'accountId', width: 80 },
  { headerName: 'Updated', field: 'tsUpdated', valueFormatter: (p) => formatTime(p.value), type: EPOCH_MS_COLUMN, width: 96 },
];

export function PositionsPanel() {
  const { positions, market, accounts, ui } = useStores();
  const hasPaper = useStore(accounts, (s) => s.accounts.some((a) => a.mode === 'paper'));
  const manyAccounts = useStore(accounts, (s) => s.accounts.length > 1);
  const instruments = useStore(market, (s) => s.instruments);
  const columns = useMemo(() => columnsFor(priceDecimalsFrom(instruments)), [instruments]);
  const rows = useStore(positions, (s) => s.positions);
  const balances = useStore(positions, (s) => s.balances);
  const loadError = useStore(positions, (s) => s.loadError);
  const rowId = useCallback((p: Position) => `${p.accountId}|${p.instrumentId}`, []);
  const unrealized = rows.reduce((sum, p) => sum + p.unrealizedPnl, 0);
  const realized = rows.reduce((sum, p) => sum + p.realizedPnl, 0);
  return (
    <GridPanel<Position>
      title="Positions"
      testId="positions"
      rows={rows}
      columns={columns}
      rowId={rowId}
      exportName="positions"
      emptyText="No positions"
      actions={
        hasPaper ? (
          <button
            type="button"
            className="btn btn-ghost btn-danger-ghost"
            data-testid="paper-reset"
            title="Start a paper account over: cancel its open orders, restore its starting cash, clear its positions"
            onClick={() => ui.getState().openDialog('paperReset')}
          >
            Reset paper…
          </button>
        ) : null
      }
      footer={
        <div className="panel-footer" data-testid="positions-summary">
          <span>
            Unrealized <b className={`num ${unrealized > 0 ? 'num-up' : unrealized < 0 ? 'num-down' : ''}`}>{formatSigned(unrealized, 2)}</b>
          </span>
          <span>
            Realized <b className={`num ${realized > 0 ? 'num-up' : realized < 0 ? 'num-down' : ''}`}>{formatSigned(realized, 2)}</b>
          </span>
          {balances.map((b) => (
            <span key={`${b.accountId}|${b.currency}`} data-testid={`balance-${b.accountId}-${b.currency}`} title={`${b.accountId}: free ${formatNumber(b.free, 2)}, used ${formatNumber(b.used, 2)}`}>
              {manyAccounts ? <span className="muted">{b.accountId} </span> : null}
              {b.currency} <b className="num">{formatNumber(b.total, 2)}</b>
            </span>
          ))}
          {loadError ? <span className="panel-error-inline">{loadError}</span> : null}
        </div>
      }
    />
  );
}
