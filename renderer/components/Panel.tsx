import type { ReactNode } from 'react';

export interface PanelProps {
  title: ReactNode;
  testId: string;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}

export function Panel({ title, testId, actions, className, children }: PanelProps) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={testId} aria-label={typeof title === 'string' ? title : undefined}>
      <header className="panel-header">
        <h2 className="panel-title">{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
