import { AllCommunityModule, ModuleRegistry } from 'ag-grid-community';

// ag-grid v33+ ships features as modules; the community bundle includes CSV export and cell flashing.
ModuleRegistry.registerModules([AllCommunityModule]);
