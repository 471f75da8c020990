import { KestrelError, type ErrorCode } from '../../../shared/api/errors.js';

/** What went wrong with a venue call, in the terms the gateway acts on. */
export type VenueErrorKind =
  | 'timeout' // no answer in time: a state-changing request may or may not have been executed
  | 'network' // connection refused/reset: same uncertainty
  | 'unavailable' // HTTP 5xx or maintenance: same uncertainty
  | 'rate_limited' // HTTP 429: rejected unprocessed, back off
  | 'banned' // HTTP 418: IP banned for a while, rejected unprocessed
  | 'auth' // key, signature or permission refused
  | 'rejected' // the venue refused the request (bad order, insufficient funds, bad symbol …)
  | 'not_found' // the order (or other object) does not exist
  | 'bad_response' // the venue answered something that is not what it documents
  | 'other';

const ERROR_CODE_BY_KIND: Record<VenueErrorKind, ErrorCode> = {
  timeout: 'unavailable',
  network: 'unavailable',
  unavailable: 'unavailable',
  rate_limited: 'unavailable',
  banned: 'unavailable',
  auth: 'unauthorized',
  rejected: 'refused',
  not_found: 'not_found',
  bad_response: 'unavailable',
  other: 'internal',
};

/** A venue failure with a plain message (credentials already removed) and what it means for an order. */
export class VenueError extends KestrelError {
  constructor(
    readonly kind: VenueErrorKind,
    message: string,
    /** True when a state-changing request may have reached the venue: look before retrying. */
    readonly uncertain: boolean,
    readonly httpStatus: number | null = null,
  ) {
    super(ERROR_CODE_BY_KIND[kind], message);
    this.name = 'VenueError';
  }
}

/** The ccxt error class names along the prototype chain, most specific first (ccxt is not imported here). */
export function ccxtErrorNames(err: unknown): string[] {
  const names: string[] = [];
  let proto: unknown = err && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Error.prototype && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name) names.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

const HTTP_STATUS_IN_MESSAGE = / (\d{3}) [A-Za-z][A-Za-z ]*?(?: |$)/;

function httpStatusOf(message: string): number | null {
  const m = HTTP_STATUS_IN_MESSAGE.exec(message);
  if (!m) return null;
  const code = Number(m[1]);
  return code >= 400 && code <= 599 ? code : null;
}

export interface DescribeContext {
  /** Venue label for messages, e.g. "binanceusdm". */
  venue: string;
  /** What Kestrel was doing, e.g. "fetchBalance" or "createOrder BTC/USDT:USDT". */
  action: string;
  timeoutMs: number;
  /** Removes credentials from any text that leaves the adapter. */
  redact: (text: string) => string;
  /** Seconds the venue asked us to wait (Retry-After), when known. */
  retryAfterSecs?: number | null;
  /** HTTP status of the venue's last answer, used when the error text does not carry one. */
  httpStatus?: number | null;
}

const MAX_DETAIL_CHARS = 240;

function detailOf(err: unknown, redact: (t: string) => string): string {
  const raw = err instanceof Error ? err.message : String(err);
  const clean = redact(raw).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_DETAIL_CHARS ? `${clean.slice(0, MAX_DETAIL_CHARS)}…` : clean;
}

/** Turns whatever ccxt threw into a VenueError a trader can read in the gateway panel. */
export function describeVenueError(err: unknown, ctx: DescribeContext): VenueError {
  if (err instanceof VenueError) return err;
  const names = ccxtErrorNames(err);
  const is = (n: string) => names.includes(n);
  const detail = detailOf(err, ctx.redact);
  const status = httpStatusOf(err instanceof Error ? err.message : '') ?? (names.length > 0 && ctx.httpStatus && ctx.httpStatus >= 400 ? ctx.httpStatus : null);
  const wait = ctx.retryAfterSecs ? `; waiting ${ctx.retryAfterSecs} s as the venue asked` : '';
  const where = `${ctx.venue} ${ctx.action}`;

  if (is('RequestTimeout')) return new VenueError('timeout', `${where}: the venue did not answer within ${ctx.timeoutMs} ms`, true, status);
  if (status === 418 || (is('DDoSProtection') && / 418 /.test(detail)))
    return new VenueError('banned', `${where}: the venue has banned this IP for too many requests (HTTP 418)${wait}`, false, 418);
  if (status === 429 || is('RateLimitExceeded'))
    return new VenueError('rate_limited', `${where}: rate limit hit (HTTP 429)${wait}`, false, status ?? 429);
  if (is('DDoSProtection')) return new VenueError('rate_limited', `${where}: the venue is throttling requests (${detail})${wait}`, false, status);
  if (is('OnMaintenance')) return new VenueError('unavailable', `${where}: the venue is under maintenance (${detail})`, true, status);
  if (status !== null && status >= 500) return new VenueError('unavailable', `${where}: the venue answered HTTP ${status} (server error); the outcome is unknown`, true, status);
  if (is('ExchangeNotAvailable')) return new VenueError('unavailable', `${where}: the venue is unavailable (${detail})`, true, status);
  if (is('BadResponse')) return new VenueError('bad_response', `${where}: the venue answered something unreadable (${detail})`, true, status);
  if (is('NetworkError')) return new VenueError('network', `${where}: network error (${detail})`, true, status);
  if (is('AuthenticationError')) return new VenueError('auth', `${where}: the venue refused the credentials (${detail})`, false, status);
  if (is('OrderNotFound')) return new VenueError('not_found', `${where}: no such order at the venue (${detail})`, false, status);
  if (is('InsufficientFunds')) return new VenueError('rejected', `${where}: insufficient funds (${detail})`, false, status);
  if (is('InvalidOrder') || is('BadRequest') || is('BadSymbol') || is('OperationRejected') || is('ArgumentsRequired') || is('NotSupported'))
    return new VenueError('rejected', `${where}: refused by the venue (${detail})`, false, status);
  if (err instanceof SyntaxError) return new VenueError('bad_response', `${where}: the venue answered something unreadable (${detail})`, true, status);
  if (is('ExchangeError')) return new VenueError('rejected', `${where}: the venue returned an error (${detail})`, false, status);
  return new VenueError('other', `${where}: ${detail}`, false, status);
}

/** A redactor for a set of secrets: every occurrence (and its URL-encoded form) becomes ***. */
export function makeRedactor(secrets: readonly (string | undefined | null)[]): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    needles.add(s);
    needles.add(encodeURIComponent(s));
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const n of list) out = out.split(n).join('***');
    return out;
  };
}
