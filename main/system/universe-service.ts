import { KestrelError } from '../../shared/api/errors.js';
import { systemClock, type Clock } from '../../shared/model/time.js';
import { DEFAULT_REFRESH_SCHEDULE, nextRefreshMs, universeDateOf, type RefreshScheduleConfig } from '../marketdata/universe/refresh-schedule.js';
import { selectUniverse, type UniverseCandidate, type UniverseRuleConfig, type UniverseSelection } from '../marketdata/universe/universe-rule.js';
import type { UniverseStore, UniverseVersion } from '../storage/universe/universe-store.js';

/** Where candidates come from: a venue's listing and 24h tickers (ccxt venues: CcxtUniverseSource). */
export interface UniverseSource {
  /** Venue label, for messages. */
  readonly venue: string;
  fetchCandidates(): Promise<UniverseCandidate[]>;
}

export interface UniverseTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type UniverseLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface UniverseServiceOptions {
  source: UniverseSource;
  store: UniverseStore;
  /** The selection rule (its `refresh` member, if any, is ignored: `schedule` decides). */
  rule: Omit<UniverseRuleConfig, 'refresh'>;
  /** Default 23:55 Asia/Shanghai (seed 004). */
  schedule?: RefreshScheduleConfig;
  clock?: Clock;
  timers?: UniverseTimers;
  /** At start, refresh now when no universe was made since the last scheduled time. Default true. */
  refreshIfStale?: boolean;
  /** After a failed refresh, try again this much later (until the next scheduled one). Default 60 s. */
  retryDelayMs?: number;
  /**
   * The universe to subscribe to: at start (the stored one, or a fresh one) and after every refresh
   * whose instruments differ from the last ones announced. Instrument ids, ranked.
   */
  onUniverse(instrumentIds: string[], version: UniverseVersion): void;
  log?: UniverseLog;
}

export interface UniverseRefreshResult extends UniverseVersion {
  /** False when the pick equals the date's latest version, which is then reused, not rewritten. */
  created: boolean;
  /** The instruments differ from the last universe announced (onUniverse was called). */
  changed: boolean;
  excluded: UniverseSelection['excluded'];
  candidates: number;
}

const defaultTimers: UniverseTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Timers cannot wait longer than 2^31−1 ms; a longer wait is taken in steps (the schedule is never that far). */
const MAX_TIMER_MS = 2_147_000_000;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * The daily universe refresh (seed 004: 23:55 Beijing time): at the configured time and zone it
 * reads the venue's listing and 24h tickers, applies the rule, writes the next version file
 * (`universe/YYYY-MM-DD/vN/`, dated in the schedule's zone) and announces the instruments so
 * subscriptions follow. A refresh that fails keeps the current universe and is tried again after
 * `retryDelayMs`. Time and timers are injected, so tests drive the schedule deterministically.
 */
export class UniverseService {
  private readonly schedule: RefreshScheduleConfig;
  private readonly clock: Clock;
  private readonly timers: UniverseTimers;
  private readonly log: UniverseLog;
  private readonly retryDelayMs: number;
  private timer: unknown = null;
  private nextAtMs: number | null = null;
  private running: Promise<UniverseRefreshResult> | null = null;
  private announced: UniverseVersion | null = null;
  private started = false;

  constructor(private readonly options: UniverseServiceOptions) {
    this.schedule = options.schedule ?? DEFAULT_REFRESH_SCHEDULE;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? defaultTimers;
    this.log = options.log ?? (() => undefined);
    this.retryDelayMs = options.retryDelayMs ?? 60_000;
    // Fails here, at construction, for a bad time or zone rather than at the first refresh.
    nextRefreshMs(this.clock.nowMs(), this.schedule);
  }

  /**
   * Announces the stored universe (or makes one now when none was made since the last scheduled
   * time) and schedules the daily refresh. Resolves once the first universe is announced or the
   * attempt failed (then a retry is scheduled and the error logged).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const now = this.clock.nowMs();
    const latest = await this.options.store.readLatest().catch((err: unknown) => {
      this.log('warn', `universe: cannot read the stored universe: ${(err as Error).message}`);
      return undefined;
    });
    const stale = !latest || latest.generatedAtMs < this.previousSlotMs(now);
    if (latest && !(stale && (this.options.refreshIfStale ?? true))) {
      this.announce(latest);
      this.arm(nextRefreshMs(now, this.schedule));
      return;
    }
    if (latest) this.announce(latest);
    try {
      await this.refreshNow();
      this.arm(nextRefreshMs(this.clock.nowMs(), this.schedule));
    } catch (err) {
      this.onFailed(err);
    }
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.nextAtMs = null;
  }

  /** Builds, stores and (if it changed) announces the universe now; one refresh at a time. */
  refreshNow(): Promise<UniverseRefreshResult> {
    this.running ??= this.refresh().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The universe last announced. */
  current(): UniverseVersion | null {
    return this.announced;
  }

  /** When the next refresh (scheduled or retry) will run, epoch ms; null when stopped. */
  nextRefreshAtMs(): number | null {
    return this.nextAtMs;
  }

  private async refresh(): Promise<UniverseRefreshResult> {
    const { source, store, rule } = this.options;
    const candidates = await source.fetchCandidates();
    const atMs = this.clock.nowMs();
    const fullRule: UniverseRuleConfig = { ...rule, refresh: this.schedule };
    const selection = selectUniverse(candidates, fullRule, atMs);
    if (selection.members.length === 0) {
      const reasons = [...new Set(selection.excluded.map((e) => e.reason))].slice(0, 3).join('; ');
      throw new KestrelError('refused', `no ${source.venue} instrument passed the rule out of ${candidates.length} candidates${reasons ? ` (${reasons})` : ''}; keeping the current universe`);
    }
    const date = universeDateOf(atMs, this.schedule);
    const saved = await store.save(date, selection.members, { generatedAtMs: atMs, rule: fullRule });
    const version: UniverseVersion = saved.created ? { date, version: saved.version, generatedAtMs: atMs, rule: fullRule, members: selection.members } : await store.read(date, saved.version);
    const changed = this.announce(version);
    this.log('info', `universe ${date} ${saved.version}: ${selection.members.length} of ${candidates.length} ${source.venue} instruments${saved.created ? '' : ' (unchanged, not rewritten)'}`);
    return { ...version, created: saved.created, changed, excluded: selection.excluded, candidates: candidates.length };
  }

  private announce(version: UniverseVersion): boolean {
    const ids = version.members.map((m) => m.instrumentId);
    const changed = this.announced === null || !sameSet(this.announced.members.map((m) => m.instrumentId), ids);
    this.announced = version;
    if (changed) this.options.onUniverse(ids, version);
    return changed;
  }

  /** The latest scheduled refresh time at or before `nowMs`. */
  private previousSlotMs(nowMs: number): number {
    let slot = nextRefreshMs(nowMs - 3 * 86_400_000, this.schedule);
    for (;;) {
      const next = nextRefreshMs(slot, this.schedule);
      if (next > nowMs) return slot;
      slot = next;
    }
  }

  private arm(atMs: number): void {
    if (!this.started) return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.nextAtMs = atMs;
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, atMs - this.clock.nowMs()));
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      // Timers drift and clocks are set; fire only once the clock has really reached the time.
      if (this.clock.nowMs() < atMs) return this.arm(atMs);
      void this.refreshNow().then(
        () => this.arm(nextRefreshMs(this.clock.nowMs(), this.schedule)),
        (err: unknown) => this.onFailed(err),
      );
    }, waitMs);
  }

  private onFailed(err: unknown): void {
    const now = this.clock.nowMs();
    const next = nextRefreshMs(now, this.schedule);
    const retryAt = now + this.retryDelayMs;
    const message = err instanceof Error ? err.message : String(err);
    this.log('error', `universe refresh failed: ${message}; ${retryAt < next ? `trying again at ${new Date(retryAt).toISOString()}` : `next refresh at ${new Date(next).toISOString()}`}`);
    this.arm(Math.min(retryAt, next));
  }
}
