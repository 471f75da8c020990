import { KestrelError } from '../../shared/api/index.js';

/** The sentence a user sees for a failed call: the core's own message, which names what was wrong. */
export function errorText(err: unknown): string {
  if (err instanceof KestrelError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
