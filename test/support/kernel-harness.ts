import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kernel } from '../../main/system/kernel.js';
import { parseConfig, type KestrelConfigInput } from '../../main/system/config.js';
import type { EventData, EventName } from '../../shared/api/contract.js';

export function tempDir(prefix = 'kestrel-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const FAST_CONFIG: KestrelConfigInput = {
  simulator: { tickIntervalMs: 50, seed: 7, warmupMinutes: 10 },
  marketdata: { flushIntervalMs: 500 },
};

export function startKernel(dataDir: string, config: KestrelConfigInput = FAST_CONFIG): Promise<Kernel> {
  return Kernel.start({ config: parseConfig(config), dataDir, log: () => undefined });
}

/** Resolves with the first event that satisfies `match`, or rejects after `timeoutMs`. */
export function nextEvent<E extends EventName>(kernel: Kernel, event: E, match: (d: EventData<E>) => boolean = () => true, timeoutMs = 10_000): Promise<EventData<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = kernel.on(event, (d) => {
      if (!match(d)) return;
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
