/**
 * TWS API V100+ framing, as @stoqey/ib reads and writes it (socket.ts): after the client's
 * "API\0" greeting every message is a 4-byte big-endian length followed by NUL-terminated fields.
 */

export type WireField = string | number | boolean | null | undefined;

/** Encodes one message body: every field NUL-terminated, booleans as 0/1, empty for null/undefined. */
export function encodeBody(fields: readonly WireField[]): string {
  return fields.map((f) => (f === true ? '1' : f === false ? '0' : f === null || f === undefined ? '' : String(f)) + '\0').join('');
}

/** Frames a message body (a string whose fields are already NUL-terminated). */
export function frameBody(body: string): Buffer {
  const payload = Buffer.from(body, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

export const frame = (fields: readonly WireField[]): Buffer => frameBody(encodeBody(fields));

/** Splits a body into its fields (the trailing NUL yields no extra field). */
export function splitBody(body: string): string[] {
  const parts = body.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Reads what a client sends: first the greeting `API\0` + int32 length + "v100..193" (not framed
 * like the rest), then framed messages. Emits the version range once, then field arrays.
 */
export class ClientStreamReader {
  private buf = Buffer.alloc(0);
  private greeted = false;

  constructor(
    private readonly onGreeting: (versionRange: string) => void,
    private readonly onMessage: (fields: string[]) => void,
    private readonly onProtocolError: (reason: string) => void,
  ) {}

  push(data: Buffer): void {
    this.buf = Buffer.concat([this.buf, data]);
    if (!this.greeted) {
      if (this.buf.length < 8) return;
      if (this.buf.subarray(0, 4).toString('latin1') !== 'API\0') {
        this.onProtocolError('client did not start with API\\0');
        this.buf = Buffer.alloc(0);
        return;
      }
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) return;
      this.greeted = true;
      this.onGreeting(this.buf.subarray(8, 8 + len).toString('utf8'));
      this.buf = this.buf.subarray(8 + len);
    }
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) return;
      const body = this.buf.subarray(4, 4 + len).toString('utf8');
      this.buf = this.buf.subarray(4 + len);
      this.onMessage(splitBody(body));
    }
  }
}
