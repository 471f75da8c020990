import { useEffect, useRef, type ReactNode } from 'react';

export interface DialogProps {
  title: string;
  testId: string;
  tone?: 'danger' | 'normal';
  onClose(): void;
  children: ReactNode;
}

/** A modal dialog. Esc closes it (also handled globally); focus moves into it when it opens. */
export function Dialog({ title, testId, tone = 'normal', onClose, children }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus], input, textarea, button');
    first?.focus();
  }, []);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog dialog-${tone}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 className="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
