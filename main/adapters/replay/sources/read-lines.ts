import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { KestrelError } from '../../../../shared/api/errors.js';

/** Lines of a text file, gunzipped on the fly when the name ends in .gz; numbered from 1. */
export async function* readLines(path: string): AsyncGenerator<{ line: string; lineNo: number }> {
  try {
    await access(path);
  } catch {
    throw new KestrelError('not_found', `replay file not found: ${path}`);
  }
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      yield { line, lineNo };
    }
  } catch (err) {
    throw new KestrelError('bad_request', `cannot read ${path} after line ${lineNo}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    lines.close();
    file.destroy();
  }
}
