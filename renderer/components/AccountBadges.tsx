import type { Account, AccountMode } from '../../shared/model/index.js';
import { Badge, type BadgeTone } from './Badge.js';

const MODES: Record<AccountMode, { label: string; tone: BadgeTone; title: string }> = {
  paper: { label: 'PAPER', tone: 'paper', title: "Orders fill on Kestrel's paper venue; no order reaches a real venue" },
  testnet: { label: 'TESTNET', tone: 'warn', title: "Orders go to the venue's test environment (no real money)" },
  live: { label: 'LIVE', tone: 'live', title: 'Orders go to the venue with real money' },
};

export const accountModeLabel = (mode: AccountMode): string => MODES[mode].label;

/** An account's mode (PAPER, TESTNET, LIVE in red) and, when set, DRY RUN. */
export function AccountBadges({ account, testId }: { account: Account; testId?: string }) {
  const mode = MODES[account.mode];
  return (
    <>
      <Badge tone={mode.tone} title={`${account.accountId} on ${account.venue}: ${mode.title}`} testId={testId}>
        {mode.label}
      </Badge>
      {account.dryRun ? (
        <Badge tone="muted" title="Dry run: orders are checked and journaled but not sent to the venue" testId={testId ? `${testId}-dry-run` : undefined}>
          DRY RUN
        </Badge>
      ) : null}
    </>
  );
}
