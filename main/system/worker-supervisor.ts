import { Worker, MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import type { WorkerEvent } from '../../shared/model/index.js';
import { RpcEndpoint } from '../workers/rpc.js';
import type { WorkerInit } from '../workers/host.js';

export type WorkerRole = 'simulator' | 'marketdata' | 'execution';

/** Running from TypeScript sources (dev, tests) or from the esbuild bundles in dist/main/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

function spawn(role: WorkerRole, init: WorkerInit): Worker {
  if (FROM_SOURCE) {
    const entry = new URL(`../workers/${role}.worker.ts`, import.meta.url).href;
    return new Worker(fileURLToPath(new URL('../workers/bootstrap.mjs', import.meta.url)), { workerData: { ...init, __entry: entry } });
  }
  return new Worker(new URL(`./workers/${role}.worker.js`, import.meta.url), { workerData: init });
}

interface Slot {
  role: WorkerRole;
  worker: Worker | null;
  rpc: RpcEndpoint | null;
  restarts: number[];
  stopping: boolean;
  alive: boolean;
}

/**
 * Starts the workers, hands them direct ports to each other, and restarts a crashed worker
 * (at most maxRestarts within restartWindowMs), telling the user each time through 'worker' events.
 */
export class WorkerSupervisor extends EventEmitter {
  private readonly slots = new Map<WorkerRole, Slot>();
  private stopped = false;

  constructor(
    private readonly init: Omit<WorkerInit, 'role'>,
    private readonly roles: WorkerRole[],
    private readonly limits: { maxRestarts: number; restartWindowMs: number },
    /** Pairs of workers that talk over a direct MessagePort (hot paths skip the main thread). */
    private readonly links: [WorkerRole, WorkerRole][],
  ) {
    super();
  }

  async start(): Promise<void> {
    for (const role of this.roles) this.startWorker(role);
    await Promise.all(this.roles.map((r) => this.waitOnline(r)));
    this.wireLinks();
  }

  rpc(role: WorkerRole): RpcEndpoint | null {
    return this.slots.get(role)?.rpc ?? null;
  }

  status(): { worker: string; alive: boolean; restarts: number }[] {
    return [...this.slots.values()].map((s) => ({ worker: s.role, alive: s.alive, restarts: s.restarts.length }));
  }

  /** For fault tests and the fail-safe kill path: end a worker as a crash would. */
  async terminate(role: WorkerRole): Promise<void> {
    await this.slots.get(role)?.worker?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.slots.values()].map(async (s) => {
        s.stopping = true;
        await s.rpc?.call('stop', {}).catch(() => undefined);
        s.rpc?.close();
        await s.worker?.terminate();
      }),
    );
  }

  private startWorker(role: WorkerRole): void {
    const slot = this.slots.get(role) ?? { role, worker: null, rpc: null, restarts: [], stopping: false, alive: false };
    this.slots.set(role, slot);
    const worker = spawn(role, { ...this.init, role });
    slot.worker = worker;
    slot.rpc = new RpcEndpoint(worker);
    slot.rpc.onEvent((event, data) => this.emit('event', role, event, data));
    worker.once('online', () => {
      slot.alive = true;
    });
    worker.on('error', (err) => this.emit('log', `worker ${role} failed: ${err.stack ?? err.message}`));
    worker.once('exit', (code) => this.onExit(slot, worker, code));
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.alive = false;
    slot.rpc?.failPending(`the ${slot.role} worker stopped`);
    slot.rpc?.close();
    if (slot.stopping || this.stopped) return;
    const now = Date.now();
    slot.restarts = slot.restarts.filter((t) => now - t < this.limits.restartWindowMs);
    this.workerEvent(slot.role, 'crashed', `exit code ${code}`);
    if (slot.restarts.length >= this.limits.maxRestarts) {
      this.emit('log', `worker ${slot.role} crashed ${slot.restarts.length} times in ${this.limits.restartWindowMs} ms; leaving it down`);
      return;
    }
    slot.restarts.push(now);
    const delayMs = 200 * 2 ** Math.min(slot.restarts.length - 1, 5);
    setTimeout(() => {
      if (this.stopped) return;
      this.startWorker(slot.role);
      void this.waitOnline(slot.role).then(() => {
        this.wireLinks(slot.role);
        this.workerEvent(slot.role, 'restarted', `after ${slot.restarts.length} restart(s)`);
      });
    }, delayMs).unref();
  }

  /** Hands each linked pair the two ends of a new channel. `only` rewires the links of a restarted worker. */
  private wireLinks(only?: WorkerRole): void {
    for (const [a, b] of this.links) {
      if (only && only !== a && only !== b) continue;
      const wa = this.slots.get(a)?.worker;
      const wb = this.slots.get(b)?.worker;
      if (!wa || !wb) continue;
      const { port1, port2 } = new MessageChannel();
      wa.postMessage({ t: 'attach', peer: b, port: port1 }, [port1]);
      wb.postMessage({ t: 'attach', peer: a, port: port2 }, [port2]);
    }
  }

  private waitOnline(role: WorkerRole): Promise<void> {
    const slot = this.slots.get(role)!;
    if (slot.alive) return Promise.resolve();
    return new Promise((resolve, reject) => {
      slot.worker!.once('online', () => resolve());
      slot.worker!.once('exit', (code) => reject(new Error(`the ${role} worker exited during start (code ${code})`)));
    });
  }

  private workerEvent(worker: string, kind: WorkerEvent['kind'], detail: string): void {
    const e: WorkerEvent = { worker, kind, detail, tsEvent: Date.now() };
    this.emit('event', worker, 'worker', e);
  }
}
