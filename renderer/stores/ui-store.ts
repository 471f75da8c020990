import { createStore, type StoreApi } from 'zustand/vanilla';

export type DialogName = 'killSwitch' | 'rearm' | 'paperReset' | null;

/** Cross-panel UI state: which dialog is open. Lives here so a shortcut can open what a panel shows. */
export interface UiState {
  dialog: DialogName;
  openDialog(dialog: Exclude<DialogName, null>): void;
  closeDialog(): void;
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  return createStore<UiState>()((set) => ({
    dialog: null,
    openDialog: (dialog) => set({ dialog }),
    closeDialog: () => set({ dialog: null }),
  }));
}
