import { apiMethods, describeZodError, ErrorCode, KestrelError, type MethodName, type MethodOutput } from '../../shared/api/index.js';

/** Checks a method's result against the contract, so a store never holds a shape it did not expect. */
export function parseResult<M extends MethodName>(method: M, result: unknown): MethodOutput<M> {
  const parsed = apiMethods[method].output.safeParse(result);
  if (!parsed.success) {
    throw new KestrelError('internal', `the core sent a malformed answer to ${method}: ${describeZodError(parsed.error, 'result')}`);
  }
  return parsed.data as MethodOutput<M>;
}

/**
 * Turns whatever a transport rejected with into a KestrelError. Electron prefixes the message of an
 * error thrown in main ("Error invoking remote method 'kestrel:invoke': Error: {...}"), so the JSON
 * body is looked for inside the message rather than expected to be all of it.
 */
export function toKestrelError(err: unknown): KestrelError {
  if (err instanceof KestrelError) return err;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : null;
  if (message !== null) {
    const start = message.indexOf('{');
    const end = message.lastIndexOf('}');
    if (start >= 0 && end > start) {
      try {
        const body: unknown = JSON.parse(message.slice(start, end + 1));
        const inner = body && typeof body === 'object' && 'error' in body ? (body as { error: unknown }).error : body;
        if (inner && typeof inner === 'object' && 'code' in inner && 'message' in inner) {
          const code = ErrorCode.safeParse((inner as { code: unknown }).code);
          if (code.success) return new KestrelError(code.data, String((inner as { message: unknown }).message));
        }
      } catch {
        // Not JSON after all: fall through and keep the raw message.
      }
    }
    return new KestrelError('internal', message);
  }
  return KestrelError.from(err);
}
