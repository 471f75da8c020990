import type { Clock, TradingState } from '../../shared/model/index.js';
import type { OrderJournal } from '../execution/journal.js';

/**
 * ACTIVE or HALTED, owned by the execution worker and persisted in the journal so a halt survives
 * a restart. Only an explicit re-arm with a reason returns to ACTIVE.
 */
export class TradingStateMachine {
  private current: TradingState;

  constructor(
    private readonly journal: Pick<OrderJournal, 'getTradingState' | 'setTradingState' | 'audit'>,
    private readonly clock: Clock,
  ) {
    this.current = journal.getTradingState() ?? { state: 'ACTIVE', reason: 'initial state', changedBy: 'system', tsChanged: clock.nowMs() };
  }

  get(): TradingState {
    return this.current;
  }

  isHalted(): boolean {
    return this.current.state === 'HALTED';
  }

  halt(reason: string, actor: string): TradingState {
    return this.change('HALTED', reason, actor);
  }

  rearm(reason: string, actor: string): TradingState {
    return this.change('ACTIVE', reason, actor);
  }

  private change(state: TradingState['state'], reason: string, actor: string): TradingState {
    const next: TradingState = { state, reason, changedBy: actor, tsChanged: this.clock.nowMs() };
    this.journal.setTradingState(next);
    this.journal.audit(actor, state === 'HALTED' ? 'halt' : 'rearm', reason);
    this.current = next;
    return next;
  }
}
