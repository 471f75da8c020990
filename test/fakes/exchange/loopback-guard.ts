import dns from 'node:dns';
import net from 'node:net';

/**
 * Refuses every outgoing TCP connection and DNS lookup that is not loopback, for the life of a
 * test file. ccxt knows the real venues' hosts; if a URL override were missed, a test would
 * otherwise reach the internet. Each refusal is recorded so the test can fail on it.
 */
export interface LoopbackGuard {
  violations: string[];
  restore(): void;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);

function hostOf(args: unknown[]): string | null {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (first && typeof first === 'object') {
    const o = first as { host?: string; path?: string; port?: unknown };
    if (o.path && o.port === undefined) return null; // unix socket / pipe
    return o.host ?? 'localhost';
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return typeof args[1] === 'string' ? args[1] : 'localhost';
  return null;
}

export function installLoopbackGuard(): LoopbackGuard {
  const violations: string[] = [];
  const origConnect = net.Socket.prototype.connect;
  const origLookup = dns.lookup;
  const origPromisesLookup = dns.promises.lookup;

  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== null && !LOOPBACK.has(host)) {
      violations.push(`TCP connection to ${host}`);
      process.nextTick(() => this.destroy(new Error(`loopback guard: connection to ${host} refused (tests use 127.0.0.1 only)`)));
      return this;
    }
    return (origConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  (dns as { lookup: unknown }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (!LOOPBACK.has(hostname)) {
      violations.push(`DNS lookup of ${hostname}`);
      const cb = rest[rest.length - 1] as (err: Error) => void;
      process.nextTick(() => cb(new Error(`loopback guard: DNS lookup of ${hostname} refused`)));
      return;
    }
    return (origLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
  };
  (dns.promises as { lookup: unknown }).lookup = async (hostname: string, ...rest: unknown[]) => {
    if (!LOOPBACK.has(hostname)) {
      violations.push(`DNS lookup of ${hostname}`);
      throw new Error(`loopback guard: DNS lookup of ${hostname} refused`);
    }
    return (origPromisesLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest);
  };

  return {
    violations,
    restore() {
      net.Socket.prototype.connect = origConnect;
      (dns as { lookup: unknown }).lookup = origLookup;
      (dns.promises as { lookup: unknown }).lookup = origPromisesLookup;
    },
  };
}
