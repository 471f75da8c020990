import type { IBApi } from '@stoqey/ib';

/** Largest frame TWS may send (the Java client's MAX_MSG_LEN, also @stoqey/ib's). */
const MAX_FRAME_BYTES = 0xffffff;

export type WireFault =
  /** A length prefix no TWS sends: the stream is out of step and the session must be dropped. */
  | { kind: 'bad-frame'; detail: string }
  /** One message could not be decoded; it was skipped and reading went on. */
  | { kind: 'undecodable'; detail: string };

interface StoqeyInternals {
  controller?: {
    socket?: { onData?: (data: Buffer) => void };
    decoder?: { drainQueue?: () => void };
  };
}

/**
 * Puts a check in front of @stoqey/ib's socket reader, for two faults it does not survive:
 * a negative or oversized length prefix (its frame loop then spins forever or waits for 16 MB),
 * and a decoder exception (e.g. malformed advancedOrderReject JSON in an error message), which
 * escapes the socket 'data' handler and would end the process.
 *
 * This reaches into @stoqey/ib internals (controller.socket.onData, controller.decoder); if
 * their shape changes the guard is skipped and the function returns false.
 */
export function attachWireGuard(api: IBApi, onFault: (fault: WireFault) => void): boolean {
  const internals = api as unknown as StoqeyInternals;
  const socket = internals.controller?.socket;
  const decoder = internals.controller?.decoder;
  if (!socket || typeof socket.onData !== 'function') return false;
  const original = socket.onData.bind(socket);
  let shadow: Buffer = Buffer.alloc(0);
  let broken = false;

  socket.onData = (data: Buffer): void => {
    if (broken) return;
    shadow = shadow.length ? Buffer.concat([shadow, data]) : data;
    while (shadow.length >= 4) {
      const size = shadow.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) {
        broken = true;
        shadow = Buffer.alloc(0);
        onFault({ kind: 'bad-frame', detail: `length prefix ${size} (0x${(size >>> 0).toString(16)})` });
        return;
      }
      if (shadow.length < 4 + size) break;
      shadow = shadow.subarray(4 + size);
    }
    let input = data;
    // Each pass either finishes or skips one undecodable message; bounded in case every one fails.
    for (let pass = 0; pass < 1_000; pass++) {
      try {
        original(input);
        return;
      } catch (err) {
        onFault({ kind: 'undecodable', detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
        decoder?.drainQueue?.();
        input = Buffer.alloc(0);
      }
    }
  };
  return true;
}
