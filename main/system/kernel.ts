import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { EventData, EventName, KestrelApi, MethodInput, MethodName, MethodOutput, SystemState } from '../../shared/api/contract.js';
import { apiMethods, apiEvents } from '../../shared/api/contract.js';
import { KestrelError, parseOrThrow } from '../../shared/api/errors.js';
import type { Account, GatewayStatus, TradingState } from '../../shared/model/index.js';
import { venueAccountId } from './gateway-factory.js';
import { KESTREL_VERSION } from '../../shared/version.js';
import { openDatabase } from '../storage/sqlite/database.js';
import { SqliteJournal } from '../storage/sqlite/sqlite-journal.js';
import { hasReplay, simulatorRuns, type KestrelConfig } from './config.js';
import { WorkerSupervisor, type WorkerRole } from './worker-supervisor.js';

type RoutedMethod = Exclude<MethodName, 'state.get' | 'accounts.list'>;

const ROUTES: Record<RoutedMethod, WorkerRole> = {
  'instruments.list': 'marketdata',
  'quotes.list': 'marketdata',
  'bars.list': 'marketdata',
  'funding.list': 'marketdata',
  'gateways.list': 'marketdata',
  'orders.list': 'execution',
  'orders.submit': 'execution',
  'orders.cancel': 'execution',
  'orders.cancelAll': 'execution',
  'fills.list': 'execution',
  'positions.list': 'execution',
  'balances.list': 'execution',
  'paper.reset': 'execution',
  'killSwitch.halt': 'execution',
  'killSwitch.rearm': 'execution',
};

/** How long the normal kill path may take before the supervisor halts on its own. */
const HALT_FAILSAFE_MS = 5_000;

export interface KernelOptions {
  config: KestrelConfig;
  dataDir: string;
  log?: (line: string) => void;
}

/**
 * The trading core as one object: starts the workers from a config, validates every call against
 * the contract, routes it to the worker that owns it, and re-emits worker events to the shells.
 * The main thread does no heavy work here.
 */
export class Kernel implements KestrelApi {
  private readonly events = new EventEmitter();
  private readonly supervisor: WorkerSupervisor;
  private readonly gateways = new Map<string, GatewayStatus>();
  private readonly log: (line: string) => void;

  private constructor(private readonly opts: KernelOptions) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.events.setMaxListeners(100);
    // A replay brings its own market and clock: the simulator stays off then.
    const roles: WorkerRole[] = simulatorRuns(opts.config) ? ['simulator', 'marketdata', 'execution'] : ['marketdata', 'execution'];
    this.supervisor = new WorkerSupervisor(
      { config: opts.config, dataDir: opts.dataDir },
      roles,
      opts.config.workers,
      [
        ['simulator', 'marketdata'],
        ['simulator', 'execution'],
        ['marketdata', 'execution'],
      ],
    );
    this.supervisor.on('event', (_role: string, event: string, data: unknown) => this.onWorkerEvent(event, data));
    this.supervisor.on('log', (line: string) => this.log(line));
  }

  static async start(opts: KernelOptions): Promise<Kernel> {
    mkdirSync(opts.dataDir, { recursive: true });
    const kernel = new Kernel(opts);
    await kernel.supervisor.start();
    return kernel;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** True when what the user sees is not a live market: the built-in simulator or a replay. */
  get simulated(): boolean {
    return this.opts.config.simulator.enabled || hasReplay(this.opts.config);
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const spec = apiMethods[method];
    if (!spec) throw new KestrelError('not_found', `unknown method ${String(method)}`);
    const params = parseOrThrow(spec.input as never, input ?? {}, `${method} params`);
    if (method === 'state.get') return (await this.state()) as MethodOutput<M>;
    if (method === 'accounts.list') return this.accounts() as MethodOutput<M>;
    if (method === 'killSwitch.halt') return (await this.halt(params as MethodInput<'killSwitch.halt'>)) as MethodOutput<M>;
    return this.route(method as RoutedMethod, params) as Promise<MethodOutput<M>>;
  }

  /** Untyped entry for transports: the method name is checked here. */
  callUnknown(method: string, params: unknown): Promise<unknown> {
    if (!Object.hasOwn(apiMethods, method)) return Promise.reject(new KestrelError('not_found', `unknown method "${method}"`));
    return this.call(method as MethodName, params as never);
  }

  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    const h = handler as (d: unknown) => void;
    this.events.on(event, h);
    return () => this.events.off(event, h);
  }

  /** Every event, for transports that forward all of them. */
  onAny(handler: (event: EventName, data: unknown) => void): () => void {
    this.events.on('*', handler);
    return () => this.events.off('*', handler);
  }

  workers(): { worker: string; alive: boolean; restarts: number }[] {
    return this.supervisor.status();
  }

  /** Ends a worker as a crash would (fault tests). */
  crashWorker(role: WorkerRole): Promise<void> {
    return this.supervisor.terminate(role);
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.events.removeAllListeners();
  }

  private async route<M extends RoutedMethod>(method: M, params: unknown): Promise<MethodOutput<M>> {
    const role = ROUTES[method];
    const rpc = this.supervisor.rpc(role);
    if (!rpc) throw new KestrelError('unavailable', `the ${role} worker is restarting; try again in a moment`);
    return rpc.call<MethodOutput<M>>(method, params);
  }

  /** Accounts come from the config: paper accounts, and one per venue entry. */
  private accounts(): Account[] {
    const { paper, venues } = this.opts.config;
    return [
      ...paper.accounts.map((a) => ({ accountId: a.accountId, venue: paper.venue, mode: 'paper' as const, dryRun: false, baseCurrency: Object.keys(a.cash)[0] ?? 'USD' })),
      ...venues.flatMap((v): Account[] => {
        if (v.orders !== 'venue') return [];
        if (v.type === 'ib') {
          // IB paper trading listens on 7497 (TWS) or 4002 (Gateway).
          const mode = v.ib.port === 7497 || v.ib.port === 4002 ? 'testnet' : 'live';
          return [{ accountId: venueAccountId(v), venue: 'IB', mode, dryRun: v.dryRun, baseCurrency: 'USD' }];
        }
        if (v.type === 'ccxt') return [{ accountId: venueAccountId(v), venue: v.ccxt.venue.toUpperCase(), mode: v.ccxt.mode, dryRun: v.dryRun, baseCurrency: 'USDT' }];
        return [];
      }),
    ];
  }

  private async state(): Promise<SystemState> {
    const exec = this.supervisor.rpc('execution');
    const md = this.supervisor.rpc('marketdata');
    const [ts, gateways] = await Promise.all([
      exec ? exec.call<TradingState>('tradingState.get', {}) : this.readTradingStateFromDisk(),
      md ? md.call<GatewayStatus[]>('gateways.list', {}).catch(() => [...this.gateways.values()]) : [...this.gateways.values()],
    ]);
    return {
      tradingState: ts.state,
      tradingStateReason: ts.reason,
      tsChanged: ts.tsChanged,
      gateways,
      workers: this.supervisor.status(),
      simulated: this.simulated,
      version: KESTREL_VERSION,
      barIntervals: this.opts.config.marketdata.intervals,
    };
  }

  /**
   * The kill switch's two paths: through execution (normal), and — if execution does not answer in
   * time — the supervisor persists HALTED itself and restarts execution, which on start sees the
   * halt and cancels every open order.
   */
  private async halt(params: MethodInput<'killSwitch.halt'>): Promise<TradingState> {
    const exec = this.supervisor.rpc('execution');
    const viaExecution = exec
      ? exec.call<TradingState>('killSwitch.halt', params).then((s) => ({ ok: true as const, s }))
      : Promise.resolve({ ok: false as const, s: null });
    const timeout = new Promise<{ ok: false; s: null }>((r) => setTimeout(() => r({ ok: false, s: null }), HALT_FAILSAFE_MS).unref());
    const first = await Promise.race([viaExecution.catch(() => ({ ok: false as const, s: null })), timeout]);
    if (first.ok) return first.s;
    this.log('kill switch: execution worker did not answer; halting from the supervisor');
    // Second path: straight to the gateways, so venue orders are canceled even with execution stuck.
    const failures = await this.supervisor.rpc('marketdata')?.call<string[]>('gw.cancelEverything', {}).catch((err: unknown) => [(err as Error).message]);
    if (failures?.length) this.log(`kill switch: some venues did not confirm cancel-all: ${failures.join('; ')}`);
    const db = openDatabase(this.opts.dataDir);
    try {
      const journal = new SqliteJournal(db);
      const state: TradingState = { state: 'HALTED', reason: params.reason, changedBy: 'supervisor (fail-safe)', tsChanged: Date.now() };
      journal.setTradingState(state);
      journal.audit('supervisor', 'halt', params.reason);
      await this.supervisor.terminate('execution');
      this.emitEvent('tradingState', state);
      return state;
    } finally {
      db.close();
    }
  }

  private async readTradingStateFromDisk(): Promise<TradingState> {
    const db = openDatabase(this.opts.dataDir);
    try {
      return new SqliteJournal(db).getTradingState() ?? { state: 'ACTIVE', reason: 'initial state', changedBy: 'system', tsChanged: 0 };
    } finally {
      db.close();
    }
  }

  private onWorkerEvent(event: string, data: unknown): void {
    if (!Object.hasOwn(apiEvents, event)) return;
    if (event === 'gateway') {
      const g = data as GatewayStatus;
      this.gateways.set(g.gatewayId, g);
    }
    if (event === 'worker') this.log(`worker ${(data as { worker: string }).worker} ${(data as { kind: string }).kind}`);
    this.emitEvent(event as EventName, data);
  }

  private emitEvent(event: EventName, data: unknown): void {
    this.events.emit(event, data);
    this.events.emit('*', event, data);
  }
}
