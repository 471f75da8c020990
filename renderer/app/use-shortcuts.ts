import { useEffect } from 'react';
import type { AppStores } from '../stores/create-stores.js';

/** The global keys listed in components/shortcuts.ts. */
export function useShortcuts(stores: AppStores): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === 'F9' || e.key === 'F10') {
        // F10 would otherwise focus the browser's (or Electron's) menu bar.
        e.preventDefault();
        stores.ticket.getState().prepare(e.key === 'F9' ? 'buy' : 'sell');
        return;
      }
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.code === 'KeyK') {
        e.preventDefault();
        stores.ui.getState().openDialog('killSwitch');
        return;
      }
      if (e.key === 'Escape' && stores.ui.getState().dialog !== null) {
        stores.system.getState().clearActionErrors();
        stores.ui.getState().closeDialog();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [stores]);
}
