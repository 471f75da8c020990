import { Decoder } from '@stoqey/ib/dist/core/io/decoder.js';
import { splitBody } from './wire.js';

export interface Decoded {
  events: Array<{ name: string; args: unknown[] }>;
  errors: Array<{ message: string; code: number }>;
}

/**
 * Runs message bodies through @stoqey/ib's own decoder (no socket), the way the client reads
 * them, so parser tests start from exactly what the adapter receives.
 */
export function decodeWithStoqey(bodies: string[], serverVersion = 173): Decoded {
  const out: Decoded = { events: [], errors: [] };
  const decoder = new Decoder({
    serverVersion,
    emitEvent: (name, ...args) => out.events.push({ name, args }),
    emitError: (message, code) => out.errors.push({ message, code }),
    emitInfo: (message, code) => out.events.push({ name: 'info', args: [message, code] }),
  });
  for (const b of bodies) {
    decoder.enqueueMessage(splitBody(b));
    decoder.process();
  }
  return out;
}
