import { createStore, type StoreApi } from 'zustand/vanilla';
import type { GatewayStatus, TradingState, WorkerEvent } from '../../shared/model/index.js';
import type { ConnectionStatus, KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export interface WorkerInfo {
  worker: string;
  alive: boolean;
  restarts: number;
  lastEvent: WorkerEvent | null;
}

export interface ActionState {
  pending: boolean;
  error: string | null;
}

export interface SystemState {
  transport: KestrelClient['transport'];
  connection: ConnectionStatus;
  trading: TradingState | null;
  gateways: GatewayStatus[];
  workers: WorkerInfo[];
  simulated: boolean;
  version: string | null;
  /** The bar intervals the core aggregates; null until the first state arrives. */
  barIntervals: readonly string[] | null;
  loadError: string | null;
  halt: ActionState;
  rearm: ActionState;
  setConnection(status: ConnectionStatus): void;
  /** Skips the reconnect backoff (the "retry now" button). */
  reconnectNow(): void;
  load(): Promise<void>;
  applyTradingState(state: TradingState): void;
  applyGateway(status: GatewayStatus): void;
  applyWorker(event: WorkerEvent): void;
  /** Emergency stop. Resolves true when the core confirmed the halt. */
  haltTrading(reason: string, flatten: boolean): Promise<boolean>;
  rearmTrading(reason: string): Promise<boolean>;
  clearActionErrors(): void;
}

export type SystemStore = StoreApi<SystemState>;

const IDLE: ActionState = { pending: false, error: null };

export function upsertGateway(list: readonly GatewayStatus[], status: GatewayStatus): GatewayStatus[] {
  const next = list.filter((g) => g.gatewayId !== status.gatewayId);
  next.push(status);
  return next.sort((a, b) => a.gatewayId.localeCompare(b.gatewayId));
}

export function createSystemStore(client: KestrelClient): SystemStore {
  return createStore<SystemState>()((set, get) => ({
    transport: client.transport,
    connection: client.status(),
    trading: null,
    gateways: [],
    workers: [],
    simulated: false,
    version: null,
    barIntervals: null,
    loadError: null,
    halt: IDLE,
    rearm: IDLE,

    setConnection(connection) {
      set({ connection });
    },

    reconnectNow() {
      client.reconnectNow();
    },

    async load() {
      try {
        const s = await client.call('state.get', {});
        const prev = get().trading;
        // A tradingState event newer than this snapshot may already be here.
        const trading: TradingState =
          prev && prev.tsChanged > s.tsChanged
            ? prev
            : { state: s.tradingState, reason: s.tradingStateReason, changedBy: prev?.tsChanged === s.tsChanged ? prev.changedBy : '', tsChanged: s.tsChanged };
        set({
          trading,
          gateways: [...s.gateways].sort((a, b) => a.gatewayId.localeCompare(b.gatewayId)),
          workers: s.workers.map((w) => ({ ...w, lastEvent: get().workers.find((x) => x.worker === w.worker)?.lastEvent ?? null })),
          simulated: s.simulated,
          version: s.version,
          barIntervals: s.barIntervals,
          loadError: null,
        });
      } catch (err) {
        set({ loadError: `could not load the trading state: ${errorText(err)}` });
      }
    },

    applyTradingState(state) {
      const prev = get().trading;
      if (prev && prev.tsChanged > state.tsChanged) return;
      set({ trading: state });
    },

    applyGateway(status) {
      set({ gateways: upsertGateway(get().gateways, status) });
    },

    applyWorker(event) {
      const workers = [...get().workers];
      const at = workers.findIndex((w) => w.worker === event.worker);
      const prev: WorkerInfo = at >= 0 ? workers[at]! : { worker: event.worker, alive: true, restarts: 0, lastEvent: null };
      const next: WorkerInfo = {
        worker: event.worker,
        alive: event.kind === 'started' || event.kind === 'restarted',
        restarts: prev.restarts + (event.kind === 'restarted' ? 1 : 0),
        lastEvent: event,
      };
      if (at >= 0) workers[at] = next;
      else workers.push(next);
      set({ workers });
    },

    async haltTrading(reason, flatten) {
      set({ halt: { pending: true, error: null } });
      try {
        const state = await client.call('killSwitch.halt', { reason, flatten });
        get().applyTradingState(state);
        set({ halt: IDLE });
        return true;
      } catch (err) {
        set({ halt: { pending: false, error: errorText(err) } });
        return false;
      }
    },

    async rearmTrading(reason) {
      set({ rearm: { pending: true, error: null } });
      try {
        const state = await client.call('killSwitch.rearm', { reason });
        get().applyTradingState(state);
        set({ rearm: IDLE });
        return true;
      } catch (err) {
        set({ rearm: { pending: false, error: errorText(err) } });
        return false;
      }
    },

    clearActionErrors() {
      set({ halt: IDLE, rearm: IDLE });
    },
  }));
}
