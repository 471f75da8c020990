import http from 'node:http';
import { timingSafeEqual, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { KestrelError, HTTP_STATUS } from '../../shared/api/errors.js';
import { RequestFrame, type ResponseFrame } from '../../shared/api/wire.js';
import { describeZodError } from '../../shared/api/errors.js';
import { KESTREL_VERSION } from '../../shared/version.js';
import type { Kernel } from '../system/kernel.js';
import { matchRoute } from './rest-routes.js';
import { buildOpenApi } from './openapi.js';

export interface ServerOptions {
  kernel: Kernel;
  host: string;
  port: number;
  token: string;
  /** The built renderer (dist/renderer); null serves the API only. */
  staticDir: string | null;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

// Hex, not base64url: a token starting with '-' would read as an option on a command line.
export const generateToken = (): string => randomBytes(24).toString('hex');

function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Browser mode: the built renderer, the contract over WebSocket, and REST for scripts. Binds
 * 127.0.0.1 unless told otherwise; every route but /api/health needs the token; Host and Origin
 * are checked so a web page elsewhere cannot reach the API through DNS rebinding.
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const log = o.log ?? (() => undefined);
  const openapi = JSON.stringify(buildOpenApi());
  const sockets = new Set<WebSocket>();
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      const e = KestrelError.from(err);
      if (e.code === 'internal') log(`server error on ${req.method} ${req.url}: ${(err as Error).stack ?? e.message}`);
      if (!res.headersSent) sendJson(res, HTTP_STATUS[e.code], e.toBody());
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host)) return sendJson(res, 421, new KestrelError('bad_request', `host ${req.headers.host ?? '(none)'} is not served here`).toBody());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    if (pathname === '/api/health') return sendJson(res, 200, { status: 'ok', version: KESTREL_VERSION });
    if (pathname.startsWith('/api/')) {
      const auth = req.headers.authorization ?? '';
      const bearer = auth.startsWith('Bearer ') ? auth.slice(7).trim() : null;
      if (!sameToken(bearer, o.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendJson(res, 401, new KestrelError('unauthorized', 'missing or wrong token: send Authorization: Bearer <token> (printed when kestrel serve starts)').toBody());
      }
      if (pathname === '/api/openapi.json' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(openapi);
        return;
      }
      const match = matchRoute(req.method ?? 'GET', pathname);
      if (!match) throw new KestrelError('not_found', `no route ${req.method} ${pathname}`);
      let params: unknown = {};
      if (match.route.from === 'query') params = Object.fromEntries(url.searchParams);
      else if (match.route.from === 'path') params = match.params;
      else if (match.route.from === 'body') params = await readJsonBody(req);
      const result = await o.kernel.callUnknown(match.route.method, params);
      return sendJson(res, match.route.successStatus ?? 200, result);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new KestrelError('not_found', `no route ${req.method} ${pathname}`);
    return serveStatic(pathname, res);
  }

  async function serveStatic(pathname: string, res: http.ServerResponse): Promise<void> {
    if (!o.staticDir) throw new KestrelError('not_found', 'this server has no user interface built (run npm run build)');
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(o.staticDir, rel);
    if (!file.startsWith(path.resolve(o.staticDir) + path.sep)) throw new KestrelError('not_found', 'not found');
    const target = (await stat(file).catch(() => null))?.isFile() ? file : path.join(o.staticDir, 'index.html');
    const body = await readFile(target).catch(() => null);
    if (!body) throw new KestrelError('not_found', 'the user interface is not built (run npm run build)');
    res.writeHead(200, {
      'content-type': MIME[path.extname(target)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    res.end(body);
  }

  function hostAllowed(host: string | undefined): boolean {
    return !!host && allowedHosts.has(host.toLowerCase());
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const originOk = !origin || hostAllowed(safeHost(origin));
    if (url.pathname !== '/api/ws' || !hostAllowed(req.headers.host) || !originOk || !sameToken(url.searchParams.get('token'), o.token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  function onSocket(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (raw, isBinary) => {
      void answer(ws, isBinary ? null : raw.toString());
    });
  }

  async function answer(ws: WebSocket, text: string | null): Promise<void> {
    let frame: RequestFrame;
    try {
      if (text === null) throw new KestrelError('bad_request', 'binary frames are not accepted; send JSON text');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new KestrelError('bad_request', 'message is not valid JSON');
      }
      const r = RequestFrame.safeParse(json);
      if (!r.success) throw new KestrelError('bad_request', describeZodError(r.error, 'message'));
      frame = r.data;
    } catch (err) {
      return send(ws, { id: null, error: KestrelError.from(err).toBody().error });
    }
    try {
      const result = await o.kernel.callUnknown(frame.method, frame.params ?? {});
      send(ws, { id: frame.id, result });
    } catch (err) {
      send(ws, { id: frame.id, error: KestrelError.from(err).toBody().error });
    }
  }

  const unsubscribe = o.kernel.onAny((event, data) => {
    if (!sockets.size) return;
    const text = JSON.stringify({ event, data }, nanToNull);
    for (const ws of sockets) if (ws.readyState === ws.OPEN && ws.bufferedAmount < 4 * 1024 * 1024) ws.send(text);
  });

  function send(ws: WebSocket, frame: ResponseFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame, nanToNull));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  allowedHosts = new Set([`${hostForUrl}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].map((h) => h.toLowerCase()));
  return {
    url: `http://${hostForUrl}:${port}/?token=${encodeURIComponent(o.token)}`,
    port,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'server stopping');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** JSON has no NaN: an empty bar's vwap travels as null. */
function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body, nanToNull));
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KestrelError('bad_request', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new KestrelError('bad_request', 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new KestrelError('bad_request', 'request body is not valid JSON');
  }
}

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
