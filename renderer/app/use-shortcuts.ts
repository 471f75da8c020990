import { useEffect } from 'react';
import type { AppStores } from '../stores/create-stores.js';

/** Keys typed into a field belong to it ('[' in a select jumps to an option). */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
}

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
      if ((e.key === '[' || e.key === ']') && !e.ctrlKey && !e.metaKey && !e.altKey && !isTypingTarget(e.target) && stores.ui.getState().dialog === null) {
        e.preventDefault();
        void stores.chart.getState().stepInterval(e.key === ']' ? 1 : -1);
        return;
      }
      if (e.key === 'Escape' && stores.ui.getState().dialog !== null) {
        stores.system.getState().clearActionErrors();
        stores.accounts.getState().clearPaperResetError();
        stores.ui.getState().closeDialog();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [stores]);
}
