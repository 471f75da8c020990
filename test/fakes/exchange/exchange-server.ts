import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { protocolFor, type WsProtocol } from './ws-protocols.js';

/**
 * A crypto venue on 127.0.0.1 that ccxt itself talks to over HTTP and WebSocket. It answers with
 * bodies recorded from the real venues (ccxt's static fixtures, cryptofeed and hftbacktest
 * recordings), replays recorded websocket frames, and can misbehave on demand: HTTP 418/429/5xx,
 * answering nothing (a venue that stops answering), garbage or truncated frames, dropped sockets.
 */

export type FakeVenue = 'binance' | 'binanceusdm' | 'okx' | 'bybit' | 'gate' | 'hyperliquid';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** JSON body parsed (POST /info and friends), or null. */
  json: unknown;
}

export interface RestReply {
  status?: number;
  /** Objects are sent as JSON; strings as they are (for garbage bodies). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (the socket stays open until the client gives up). */
  stall?: boolean;
}

export type RestHandler = (req: RecordedRequest) => RestReply | undefined | Promise<RestReply | undefined>;

interface Route {
  method: string;
  path: RegExp;
  handler: RestHandler;
}

interface Fault {
  method: string;
  path: RegExp;
  reply: RestReply;
  remaining: number;
}

export interface WsConnection {
  socket: WebSocket;
  path: string;
  topics: Set<string>;
}

export class ExchangeServer {
  readonly requests: RecordedRequest[] = [];
  readonly connections = new Set<WsConnection>();
  /** Every websocket text frame a client sent. */
  readonly wsReceived: Array<{ path: string; text: string }> = [];
  private readonly routes: Route[] = [];
  private readonly faults: Fault[] = [];
  private catchAll: RestReply | null = null;
  private stallEverything = false;
  private readonly stalled = new Set<http.ServerResponse>();
  private wsMessageHooks: Array<(conn: WsConnection, text: string) => boolean> = [];
  private wsConnectHooks: Array<(conn: WsConnection) => void> = [];
  private readonly protocol: WsProtocol;
  private topicWaiters: Array<{ topic: string; resolve: () => void }> = [];
  private connectWaiters: Array<{ count: number; resolve: () => void }> = [];
  connectionCount = 0;

  private constructor(
    readonly venue: FakeVenue,
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
  ) {
    this.protocol = protocolFor(venue);
  }

  static async start(venue: FakeVenue): Promise<ExchangeServer> {
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    const fake = new ExchangeServer(venue, server, wss);
    server.on('request', (req, res) => void fake.onRequest(req, res));
    wss.on('connection', (socket, req) => fake.onConnection(socket, req));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Adds a REST route; later routes win over earlier ones. Returns a function that removes it. */
  route(method: string, path: RegExp | string, handler: RestHandler): () => void {
    const r: Route = { method: method.toUpperCase(), path: typeof path === 'string' ? new RegExp(`^${escapeRegExp(path)}$`) : path, handler };
    this.routes.unshift(r);
    return () => {
      const i = this.routes.indexOf(r);
      if (i >= 0) this.routes.splice(i, 1);
    };
  }

  /** Answers every request no route claims with this reply (ccxt's static fixtures: one body per case). */
  answerAll(reply: RestReply | null): void {
    this.catchAll = reply;
  }

  /** The next `times` requests matching method and path get `reply` instead (418/429/5xx, garbage). */
  failNext(method: string, path: RegExp, reply: RestReply, times = 1): void {
    this.faults.push({ method: method.toUpperCase(), path, reply, remaining: times });
  }

  /** While on, no REST request is answered: the venue has stopped answering. */
  stallAll(on: boolean): void {
    this.stallEverything = on;
    if (!on) {
      for (const res of this.stalled) res.destroy();
      this.stalled.clear();
    }
  }

  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    const re = typeof path === 'string' ? new RegExp(`^${escapeRegExp(path)}$`) : path;
    return this.requests.filter((r) => re.test(r.path) && (!method || r.method === method.toUpperCase()));
  }

  // ------------------------------------------------------------------ websocket

  /** Sends a frame to every socket subscribed to `topic`; returns how many got it. */
  publish(topic: string, text: string): number {
    let n = 0;
    for (const c of this.connections) {
      if (c.topics.has(topic) && c.socket.readyState === c.socket.OPEN) {
        c.socket.send(text);
        n += 1;
      }
    }
    return n;
  }

  /** Sends raw bytes (garbage, truncated JSON) to every open socket, or only those on `pathPrefix`. */
  sendRaw(data: string | Buffer, pathPrefix?: string): number {
    let n = 0;
    for (const c of this.connections) {
      if (pathPrefix && !c.path.startsWith(pathPrefix)) continue;
      if (c.socket.readyState !== c.socket.OPEN) continue;
      c.socket.send(data, { binary: Buffer.isBuffer(data) });
      n += 1;
    }
    return n;
  }

  /** Resolves once some socket is subscribed to `topic`. */
  waitForTopic(topic: string, timeoutMs = 10_000): Promise<void> {
    if ([...this.connections].some((c) => c.topics.has(topic))) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.topicWaiters.push({ topic, resolve })),
      timeoutMs,
      `no client subscribed to ${topic} within ${timeoutMs} ms`,
    );
  }

  /** Resolves once `count` websocket connections have been accepted in all. */
  waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.connectionCount >= count) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.connectWaiters.push({ count, resolve })),
      timeoutMs,
      `fewer than ${count} websocket connections within ${timeoutMs} ms`,
    );
  }

  /** Cuts every websocket connection (as a venue does at maintenance or on a network blip). */
  dropAll(): void {
    for (const c of this.connections) c.socket.terminate();
    this.connections.clear();
  }

  /** Lets a simulation label new sockets (private user-data streams carry no subscribe frame). */
  onWsConnect(hook: (conn: WsConnection) => void): void {
    this.wsConnectHooks.push(hook);
  }

  /** Lets a simulation see client frames first (private streams); return true when handled. */
  onWsMessage(hook: (conn: WsConnection, text: string) => boolean): void {
    this.wsMessageHooks.push(hook);
  }

  async close(): Promise<void> {
    this.stallAll(false);
    for (const c of this.connections) c.socket.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ internals

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let json: unknown = null;
    try {
      json = body ? JSON.parse(body) : null;
    } catch {
      json = null;
    }
    const rec: RecordedRequest = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
    this.requests.push(rec);

    if (this.stallEverything) {
      this.stalled.add(res);
      res.on('close', () => this.stalled.delete(res));
      return;
    }
    const fault = this.faults.find((f) => f.remaining > 0 && (f.method === '*' || f.method === rec.method) && f.path.test(rec.path));
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return this.reply(res, fault.reply);
    }
    for (const route of this.routes) {
      if ((route.method !== '*' && route.method !== rec.method) || !route.path.test(rec.path)) continue;
      const reply = await route.handler(rec);
      if (reply) return this.reply(res, reply);
    }
    if (this.catchAll) return this.reply(res, this.catchAll);
    this.reply(res, { status: 404, body: { error: `the fake ${this.venue} has no answer for ${rec.method} ${rec.path}` } });
  }

  private reply(res: http.ServerResponse, reply: RestReply): void {
    if (reply.stall) {
      this.stalled.add(res);
      res.on('close', () => this.stalled.delete(res));
      return;
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
    res.end(body);
  }

  private onConnection(socket: WebSocket, req: http.IncomingMessage): void {
    const conn: WsConnection = { socket, path: req.url ?? '/', topics: new Set() };
    this.connections.add(conn);
    this.connectionCount += 1;
    for (const hook of this.wsConnectHooks) hook(conn);
    this.connectWaiters = this.connectWaiters.filter((w) => {
      if (this.connectionCount >= w.count) {
        w.resolve();
        return false;
      }
      return true;
    });
    socket.on('close', () => this.connections.delete(conn));
    socket.on('error', () => this.connections.delete(conn));
    socket.on('message', (data) => {
      const text = data.toString();
      this.wsReceived.push({ path: conn.path, text });
      for (const hook of this.wsMessageHooks) if (hook(conn, text)) return;
      const outcome = this.protocol.onClientFrame(text, conn.path);
      for (const t of outcome.subscribe) conn.topics.add(t);
      for (const t of outcome.unsubscribe) conn.topics.delete(t);
      for (const reply of outcome.replies) socket.send(reply);
      if (outcome.subscribe.length > 0) {
        this.topicWaiters = this.topicWaiters.filter((w) => {
          if (conn.topics.has(w.topic)) {
            w.resolve();
            return false;
          }
          return true;
        });
      }
    });
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
