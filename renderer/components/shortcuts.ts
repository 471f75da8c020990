/** The keyboard shortcuts, listed once: the help tooltip shows them and the key handler follows them. */
export const SHORTCUTS = [
  { keys: 'F9', action: 'Buy: focus the order ticket quantity' },
  { keys: 'F10', action: 'Sell: focus the order ticket quantity' },
  { keys: 'Enter', action: 'Send the order (in the ticket)' },
  { keys: '[ / ]', action: 'Chart: previous / next interval' },
  { keys: 'Ctrl+Shift+K', action: 'Emergency stop (asks to confirm)' },
  { keys: 'Esc', action: 'Close the open dialog' },
] as const;
