import { z } from 'zod';

export const ErrorCode = z.enum([
  'bad_request', // the message or its fields are malformed
  'not_found', // unknown instrument, order, route
  'refused', // a valid request the core declines (risk, venue rule)
  'halted', // trading is halted by the emergency stop
  'unauthorized',
  'unavailable', // a worker is restarting or a venue is down
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorBody = z.object({ error: z.object({ code: ErrorCode, message: z.string() }) });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** An error a user can read: `code` for programs, `message` in plain words naming what was wrong. */
export class KestrelError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KestrelError';
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }

  static from(err: unknown): KestrelError {
    if (err instanceof KestrelError) return err;
    if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
      const parsed = ErrorCode.safeParse((err as { code: unknown }).code);
      if (parsed.success) return new KestrelError(parsed.data, String((err as { message: unknown }).message));
    }
    return new KestrelError('internal', err instanceof Error ? err.message : String(err));
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  refused: 422,
  halted: 409,
  unavailable: 503,
  internal: 500,
};

/** Turns a zod error into one line naming each bad field and what was expected. */
export function describeZodError(error: z.ZodError, what = 'request'): string {
  const parts = error.issues.map((i) => {
    const at = i.path.length ? i.path.join('.') : '';
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.map((k) => (at ? `${at}.${k}` : k));
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${at || what}: ${i.message}`;
  });
  return `invalid ${what}: ${parts.join('; ')}`;
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new KestrelError('bad_request', describeZodError(r.error, what));
  return r.data;
}
