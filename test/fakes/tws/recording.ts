import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { fixture } from '../../support/paths.js';
import { splitBody } from './wire.js';

const Field = z.object({ name: z.string(), value: z.union([z.string(), z.number()]).transform(String) });
const RawMessage = z.object({ raw: z.string(), fields: z.array(Field).default([]) });
const Recording = z.object({
  header: z.object({ server_version: z.number().int(), recorded_at: z.string() }),
  interactions: z.array(z.object({ name: z.string(), request: RawMessage, responses: z.array(RawMessage) })),
});
export type RecordedMessage = z.infer<typeof RawMessage>;

/**
 * The real TWS session rust-ibapi recorded at server version 173 (../shared/fixtures/ib-tws).
 * `raw` bodies are replayed byte for byte; `fields` (the recorder's own decoding) are what tests
 * compare against, so an expectation never comes from the code under test.
 */
export class TwsRecording {
  readonly serverVersion: number;
  readonly recordedAt: string;
  private readonly byName: Map<string, { request: RecordedMessage; responses: RecordedMessage[] }>;

  constructor(file = fixture('ib-tws', 'rust-ibapi_tws_interactions.yaml')) {
    const parsed = Recording.safeParse(YAML.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`TWS recording ${file} is not in the expected shape: ${parsed.error.message}`);
    this.serverVersion = parsed.data.header.server_version;
    this.recordedAt = parsed.data.header.recorded_at;
    this.byName = new Map(parsed.data.interactions.map((i) => [i.name, { request: i.request, responses: i.responses }]));
  }

  interaction(name: string): { request: RecordedMessage; responses: RecordedMessage[] } {
    const found = this.byName.get(name);
    if (!found) throw new Error(`the TWS recording has no interaction named "${name}"`);
    return found;
  }

  /** Response bodies (NUL-separated fields, no length prefix) of one recorded interaction. */
  responses(name: string): string[] {
    return this.interaction(name).responses.map((r) => r.raw);
  }

  /** The recorder's named fields of each response, e.g. `{ tag: 'NetLiquidation', value: '246447.83' }`. */
  responseFields(name: string): Array<Record<string, string>> {
    return this.interaction(name).responses.map((r) => Object.fromEntries(r.fields.map((f) => [f.name, f.value])));
  }

  /** Replaces one field of a recorded body (e.g. the reqId of an account summary reply). */
  static withField(body: string, index: number, value: string | number): string {
    const fields = splitBody(body);
    if (index >= fields.length) throw new Error(`recorded body has ${fields.length} fields, cannot replace field ${index}`);
    fields[index] = String(value);
    return fields.map((f) => f + '\0').join('');
  }
}
