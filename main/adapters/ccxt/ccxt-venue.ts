import type { Exchange } from 'ccxt';
import { KestrelError } from '../../../shared/api/errors.js';
import { makeInstrumentId, splitInstrumentId } from '../../../shared/model/instrument.js';
import { systemClock, type Clock } from '../../../shared/model/time.js';
import type { CcxtCredentials, CcxtGatewayConfig } from './config.js';
import { RateBudget, sharedRateBudget } from './rate-budget.js';
import { listApiUrls, rewriteApiUrls } from './url-overrides.js';
import { describeVenueError, makeRedactor, VenueError } from './venue-error.js';
import { venueQuirks } from './venues/index.js';
import type { VenueQuirks } from './venues/venue-quirks.js';

/** What the gateway wants to hear about the raw traffic (for status and the gateway panel). */
export interface VenueTrafficHooks {
  /** One websocket frame arrived and ccxt understood it. */
  onFrame?(): void;
  /** A frame was not JSON (garbage, truncated) or a venue handler choked on it; it was dropped. */
  onBadFrame?(reason: string): void;
  /** A REST answer arrived (any HTTP status), after this round trip. */
  onRestAnswer?(roundTripMs: number): void;
  /** The venue asked to back off (429/418); every account of the venue pauses. */
  onBackoff?(status: number, retryAfterSecs: number): void;
  /** ccxt's own diagnostics (it would print them to the console). */
  onCcxtLog?(text: string): void;
}

export interface OpenCcxtVenueOptions {
  credentials?: CcxtCredentials | null;
  /** Defaults to the process-wide budget of the venue (shared across its accounts). */
  budget?: RateBudget;
  clock?: Clock;
}

/** Kestrel's defaults for ccxt, before the venue's and the user's own options. */
const KESTREL_CCXT_OPTIONS = {
  // A burst of trades between two reads must not overflow ccxt's cache (the oldest would be lost).
  tradesLimit: 10_000,
  ordersLimit: 10_000,
  myTradesLimit: 10_000,
} as const;

/** Texts some venues send as keepalive frames; they are not garbage. */
const KEEPALIVE_TEXTS = new Set(['pong', 'ping']);

type CcxtModule = { pro: Record<string, new (config: Record<string, unknown>) => Exchange> };

let ccxtModule: Promise<CcxtModule> | null = null;

/** ccxt costs ~0.5 s and ~87 MB to import, so only a process that opens a ccxt venue pays for it. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt').then((m) => ((m as unknown as { default?: CcxtModule }).default ?? (m as unknown as CcxtModule)));
  return ccxtModule;
}

/**
 * One ccxt exchange object (REST + ccxt.pro websockets) for one account of one venue, with Kestrel's
 * plumbing around it: URL overrides, the shared rate budget, traffic hooks, error translation and
 * credential redaction. The gateway and the history functions both work through this.
 */
export class CcxtVenue {
  readonly label: string;
  hooks: VenueTrafficHooks = {};
  readonly redact: (text: string) => string;
  private lastHttpStatus: number | null = null;
  private lastRetryAfterSecs: number | null = null;
  private closed = false;

  private constructor(
    readonly ex: Exchange,
    readonly quirks: VenueQuirks,
    readonly config: CcxtGatewayConfig,
    readonly budget: RateBudget,
    readonly hasCredentials: boolean,
    private readonly clock: Clock,
    secrets: readonly (string | undefined)[],
  ) {
    this.label = config.venue.toUpperCase();
    this.redact = makeRedactor(secrets);
  }

  static async open(config: CcxtGatewayConfig, options: OpenCcxtVenueOptions = {}): Promise<CcxtVenue> {
    const quirks = venueQuirks(config.venue);
    const ccxt = await loadCcxt();
    const Cls = ccxt.pro[quirks.ccxtClass];
    if (!Cls) throw new KestrelError('internal', `this ccxt build has no ccxt.pro.${quirks.ccxtClass}`);
    const credentials = options.credentials ?? null;
    const ex = new Cls({
      enableRateLimit: true,
      timeout: config.timeoutMs,
      ...(config.rateLimitMs ? { rateLimit: config.rateLimitMs } : {}),
      ...(credentials ? quirks.credentialFields(credentials) : {}),
    });
    ex.options = mergeOptions(ex.options, KESTREL_CCXT_OPTIONS, quirks.ccxtOptions, config.ccxtOptions);
    // Currency lists need keys on most venues and Kestrel does not use them; markets name the codes.
    if (ex.options['fetchCurrencies'] === false) (ex.has as Record<string, unknown>)['fetchCurrencies'] = false;
    if (config.mode === 'testnet') {
      if (!ex.urls['test']) throw new KestrelError('bad_request', `${config.venue} has no testnet in ccxt; use mode "live" with restUrl/wsUrl overrides`);
      ex.setSandboxMode(true);
    }
    if (config.restUrl || config.wsUrl) rewriteApiUrls(ex.urls['api'], config.restUrl, config.wsUrl, quirks.rewriteUrl?.bind(quirks));
    if (listApiUrls(ex.urls['api']).some((u) => u.startsWith('ws://'))) {
      // ccxt.pro refuses plain ws:// until its http agent is loaded.
      await (ex as unknown as { loadHttpProxyAgent(): Promise<void> }).loadHttpProxyAgent();
    }
    const clock = options.clock ?? systemClock;
    const costPerSec = config.rateBudget?.costPerSec ?? 1000 / Math.max(1, ex.rateLimit ?? 50);
    const budget =
      options.budget ??
      sharedRateBudget(config.venue, { costPerSec, burst: config.rateBudget?.burst ?? Math.max(1, costPerSec), clock });
    const venue = new CcxtVenue(ex, quirks, config, budget, credentials !== null, clock, [credentials?.apiKey, credentials?.secret, credentials?.password]);
    venue.installHooks();
    return venue;
  }

  instrumentId(symbol: string): string {
    return makeInstrumentId(this.label, symbol);
  }

  /** The ccxt symbol of a Kestrel instrument id, refusing ids of other venues and unknown markets. */
  symbolOf(instrumentId: string): string {
    const { venue, symbol } = splitInstrumentId(instrumentId);
    if (venue !== this.label) throw new KestrelError('bad_request', `instrument ${instrumentId} is not on ${this.label}`);
    if (this.ex.markets && !this.ex.markets[symbol]) throw new KestrelError('not_found', `unknown instrument ${instrumentId}: ${this.config.venue} lists no market ${symbol}`);
    return symbol;
  }

  /** Runs a ccxt call and turns its failure into a VenueError with a plain, credential-free message. */
  async call<T>(action: string, fn: (ex: Exchange) => Promise<T>): Promise<T> {
    if (this.closed) throw new VenueError('other', `${this.config.venue} ${action}: the venue connection is closed`, false);
    try {
      return await fn(this.ex);
    } catch (err) {
      throw this.describe(err, action);
    }
  }

  describe(err: unknown, action: string): VenueError {
    return describeVenueError(err, {
      venue: this.config.venue,
      action,
      timeoutMs: this.config.timeoutMs,
      redact: this.redact,
      retryAfterSecs: this.lastRetryAfterSecs,
      httpStatus: this.lastHttpStatus,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ex.close().catch(() => undefined);
  }

  private installHooks(): void {
    const ex = this.ex as unknown as Record<string, unknown>;
    // ccxt hands its log function to every socket it opens; route it through the gateway's log.
    ex['log'] = (...args: unknown[]) => {
      const text = args.map((a) => (a instanceof Date ? a.toISOString() : a instanceof Error ? a.message : String(a))).join(' ');
      this.hooks.onCcxtLog?.(this.redact(text));
    };
    const origThrottle = (ex['throttle'] as (cost?: number) => Promise<unknown>).bind(this.ex);
    ex['throttle'] = async (cost?: number) => {
      await this.budget.acquire(cost ?? 1);
      return origThrottle(cost);
    };

    const origFetch = (ex['fetch'] as (...a: unknown[]) => Promise<unknown>).bind(this.ex);
    ex['fetch'] = async (...args: unknown[]) => {
      const started = this.clock.nowMs();
      let answered = true;
      try {
        return await origFetch(...args);
      } catch (err) {
        answered = !isTimeoutOrNetwork(err);
        throw err;
      } finally {
        if (answered) this.hooks.onRestAnswer?.(this.clock.nowMs() - started);
      }
    };

    const origOnRest = (ex['onRestResponse'] as (...a: unknown[]) => string).bind(this.ex);
    ex['onRestResponse'] = (statusCode: number, statusText: string, url: string, method: string, headers: Record<string, string>, ...rest: unknown[]) => {
      this.lastHttpStatus = statusCode;
      if (statusCode === 429 || statusCode === 418) {
        const retryAfter = Number(headers?.['Retry-After'] ?? headers?.['retry-after']);
        // Without Retry-After, back off 1 s on 429 and a minute on 418 (Binance bans for 2 min .. 3 days).
        const secs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : statusCode === 418 ? 60 : 1;
        this.lastRetryAfterSecs = secs;
        this.budget.pauseUntil(this.clock.nowMs() + secs * 1000, `${this.config.venue} answered HTTP ${statusCode}`);
        this.hooks.onBackoff?.(statusCode, secs);
      } else {
        this.lastRetryAfterSecs = null;
      }
      return origOnRest(statusCode, statusText, url, method, headers, ...rest);
    };

    const origHandle = (ex['handleMessage'] as (client: unknown, message: unknown) => unknown).bind(this.ex);
    ex['handleMessage'] = (client: unknown, message: unknown) => {
      if (typeof message === 'string' && KEEPALIVE_TEXTS.has(message.trim().toLowerCase())) return origHandle(client, message);
      if (message === null || typeof message !== 'object' || ArrayBuffer.isView(message) || message instanceof ArrayBuffer) {
        const text = typeof message === 'string' ? message : ArrayBuffer.isView(message) ? `${(message as Uint8Array).byteLength} binary bytes` : String(message);
        this.hooks.onBadFrame?.(`unreadable websocket frame dropped (${this.redact(text).slice(0, 60)})`);
        return undefined;
      }
      try {
        const out = origHandle(client, message);
        this.hooks.onFrame?.();
        return out;
      } catch (err) {
        // ccxt's own errors (sequence gaps, checksums) are signals it acts on; anything else is a frame it could not read.
        if (err && typeof err === 'object' && isCcxtError(err)) throw err;
        this.hooks.onBadFrame?.(`websocket frame the venue handler could not read was dropped (${this.redact((err as Error).message ?? String(err)).slice(0, 80)})`);
        return undefined;
      }
    };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** ccxt options nest per method (`watchPositions: {...}`): merge those one level deep so a quirk can set one flag. */
function mergeOptions(base: Record<string, unknown>, ...layers: Array<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      const prev = out[k];
      out[k] = isPlainObject(prev) && isPlainObject(v) && k !== 'fetchMarkets' ? { ...prev, ...v } : v;
    }
  }
  return out;
}

function isTimeoutOrNetwork(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name ?? '';
  return name === 'RequestTimeout' || name === 'NetworkError' || (name === 'ExchangeNotAvailable' && !/ \d{3} /.test((err as Error).message ?? ''));
}

function isCcxtError(err: object): boolean {
  let proto: unknown = Object.getPrototypeOf(err);
  while (proto && proto !== Error.prototype) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'BaseError') return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}
