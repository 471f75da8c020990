export type BadgeTone = 'sim' | 'ok' | 'warn' | 'danger' | 'muted' | 'buy' | 'sell' | 'paper' | 'live';

export function Badge({ tone, children, title, testId }: { tone: BadgeTone; children: string; title?: string; testId?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

export function SimulatedBadge({ testId }: { testId?: string }) {
  return (
    <Badge tone="sim" title="Prices come from Kestrel's built-in market simulator, not a real venue" testId={testId ?? 'simulated-badge'}>
      SIMULATED
    </Badge>
  );
}
