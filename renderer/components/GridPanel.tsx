import { useCallback, useMemo, useRef, type ReactNode } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef, GetRowIdParams, GridApi, ProcessCellForExportParams, RowClassRules, RowClickedEvent } from 'ag-grid-community';
import { gridTheme } from './grid-theme.js';
import { Panel } from './Panel.js';

export interface GridPanelProps<T> {
  title: ReactNode;
  testId: string;
  rows: T[];
  columns: ColDef<T>[];
  rowId(row: T): string;
  /** File name stem for the CSV export; a timestamp is appended. */
  exportName: string;
  actions?: ReactNode;
  footer?: ReactNode;
  emptyText?: string;
  rowClassRules?: RowClassRules<T>;
  onRowClicked?(row: T): void;
  /** Passed to cell renderers as `params.context`. */
  context?: unknown;
  className?: string;
}

/** Columns whose values are epoch ms carry this type; CSV gets them as ISO-8601 UTC. */
export const EPOCH_MS_COLUMN = 'epochMs';
const columnTypes = { [EPOCH_MS_COLUMN]: {} };

const stamp = () => new Date().toISOString().replace(/[:]/g, '').replace(/\..*$/, '');

function exportCell(params: ProcessCellForExportParams): string {
  const colType = params.column.getColDef().type;
  const isTime = colType === EPOCH_MS_COLUMN || (Array.isArray(colType) && colType.includes(EPOCH_MS_COLUMN));
  if (isTime && typeof params.value === 'number') return new Date(params.value).toISOString();
  if (params.value === null || params.value === undefined) return '';
  return String(params.value);
}

/** A titled panel with an ag-grid and an "Export CSV" button (ag-grid community's CSV export). */
export function GridPanel<T>(props: GridPanelProps<T>) {
  const apiRef = useRef<GridApi<T> | null>(null);
  const { rowId } = props;
  const getRowId = useCallback((p: GetRowIdParams<T>) => rowId(p.data), [rowId]);
  const defaultColDef = useMemo<ColDef<T>>(() => ({ resizable: true, sortable: true, suppressHeaderMenuButton: true, minWidth: 48 }), []);
  const exportCsv = () => {
    const api = apiRef.current;
    if (!api) return;
    const columnKeys = (api.getColumns() ?? []).filter((c) => c.getColDef().field !== undefined || c.getColDef().valueGetter !== undefined).map((c) => c.getColId());
    api.exportDataAsCsv({ fileName: `kestrel-${props.exportName}-${stamp()}.csv`, columnKeys, processCellCallback: exportCell });
  };
  const onRowClicked = props.onRowClicked;
  return (
    <Panel
      title={props.title}
      testId={props.testId}
      className={props.className}
      actions={
        <>
          {props.actions}
          <button type="button" className="btn btn-ghost" data-testid={`${props.testId}-export-csv`} title="Export the rows shown to a CSV file" onClick={exportCsv}>
            CSV
          </button>
        </>
      }
    >
      <div className="grid-host">
        <AgGridReact<T>
          theme={gridTheme}
          rowData={props.rows}
          columnDefs={props.columns}
          columnTypes={columnTypes}
          defaultColDef={defaultColDef}
          getRowId={getRowId}
          rowClassRules={props.rowClassRules}
          context={props.context}
          suppressCellFocus
          // Few columns: render them all, so a cell scrolled out of view is still in the DOM (and found by tests).
          suppressColumnVirtualisation
          animateRows={false}
          overlayNoRowsTemplate={props.emptyText ?? 'Nothing yet'}
          onGridReady={(e) => {
            apiRef.current = e.api;
          }}
          onRowClicked={onRowClicked ? (e: RowClickedEvent<T>) => e.data && onRowClicked(e.data) : undefined}
        />
      </div>
      {props.footer}
    </Panel>
  );
}
