import {
  CellStyleModule,
  ClientSideRowModelModule,
  ColumnApiModule,
  CsvExportModule,
  ModuleRegistry,
  RowStyleModule,
  TooltipModule,
} from 'ag-grid-community';

// Only the features the grids use: AllCommunityModule also brings editors, filters, pagination and
// more, about 400 kB (a quarter) of the renderer bundle. A grid option whose module is missing is reported by ag-grid as
// "error #200" on the console, which the end-to-end test fails on.
ModuleRegistry.registerModules([
  ClientSideRowModelModule, // rowData, sorting, getRowId updates
  CsvExportModule, // the CSV button of every grid
  ColumnApiModule, // api.getColumns() for the CSV column list
  CellStyleModule, // cellClass / cellClassRules: up/down and buy/sell colours
  RowStyleModule, // rowClassRules: the selected market-watch row
  TooltipModule, // tooltipField / headerTooltip
]);
