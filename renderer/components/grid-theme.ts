import { colorSchemeDark, themeQuartz } from 'ag-grid-community';

/** One dense dark theme for every grid, matching the workstation's CSS variables. */
export const gridTheme = themeQuartz.withPart(colorSchemeDark).withParams({
  backgroundColor: '#0f1419',
  foregroundColor: '#d6dde6',
  headerBackgroundColor: '#151c24',
  headerTextColor: '#8a97a8',
  oddRowBackgroundColor: '#121921',
  borderColor: '#233040',
  accentColor: '#3d8bfd',
  rowHoverColor: '#1b2633',
  selectedRowBackgroundColor: '#1d3350',
  fontFamily: ['Inter', 'Segoe UI', 'system-ui', 'sans-serif'],
  fontSize: 12,
  headerFontSize: 11,
  headerFontWeight: 600,
  rowHeight: 22,
  headerHeight: 24,
  spacing: 4,
  cellHorizontalPadding: 6,
  wrapperBorderRadius: 0,
  wrapperBorder: false,
  browserColorScheme: 'dark',
});
