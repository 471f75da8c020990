import type { FakeVenue } from './exchange-server.js';

/**
 * How each venue's public websocket answers subscriptions and keepalives, and how a recorded
 * frame is routed to the subscriptions it belongs to. Shapes follow the venues' recorded
 * sessions in ../shared/fixtures (cryptofeed's OKX and Gate sessions show the acks verbatim).
 */

export interface ClientFrameOutcome {
  replies: string[];
  subscribe: string[];
  unsubscribe: string[];
}

export interface WsProtocol {
  onClientFrame(text: string, path: string): ClientFrameOutcome;
  /** The subscription topic a recorded venue frame belongs to (null: not routable). */
  topicOfFrame(frame: unknown): string | null;
}

const none = (): ClientFrameOutcome => ({ replies: [], subscribe: [], unsubscribe: [] });

function parse(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Binance streams differ only in update speed suffixes (`@depth@0ms` vs `@depth@100ms`). */
export function binanceTopic(stream: string): string {
  return stream.replace(/@\d+ms$/, '');
}

const binance: WsProtocol = {
  onClientFrame(text) {
    const m = parse(text);
    if (!m) return none();
    const params = Array.isArray(m['params']) ? (m['params'] as string[]).map(binanceTopic) : [];
    const reply = JSON.stringify({ result: null, id: m['id'] });
    if (m['method'] === 'SUBSCRIBE') return { replies: [reply], subscribe: params, unsubscribe: [] };
    if (m['method'] === 'UNSUBSCRIBE') return { replies: [reply], subscribe: [], unsubscribe: params };
    return none();
  },
  topicOfFrame(frame) {
    const stream = (frame as { stream?: unknown }).stream;
    return typeof stream === 'string' ? binanceTopic(stream) : null;
  },
};

const okx: WsProtocol = {
  onClientFrame(text) {
    if (text === 'ping') return { replies: ['pong'], subscribe: [], unsubscribe: [] };
    const m = parse(text);
    if (!m || !Array.isArray(m['args'])) return none();
    const args = m['args'] as Array<{ channel: string; instId?: string }>;
    const topics = args.map((a) => `${a.channel}:${a.instId ?? ''}`);
    const event = m['op'] === 'unsubscribe' ? 'unsubscribe' : 'subscribe';
    const replies = args.map((arg) => JSON.stringify({ event, arg }));
    return event === 'subscribe' ? { replies, subscribe: topics, unsubscribe: [] } : { replies, subscribe: [], unsubscribe: topics };
  },
  topicOfFrame(frame) {
    const arg = (frame as { arg?: { channel?: string; instId?: string }; event?: string }).arg;
    if (!arg || (frame as { event?: string }).event) return null;
    return `${arg.channel}:${arg.instId ?? ''}`;
  },
};

const gate: WsProtocol = {
  onClientFrame(text) {
    const m = parse(text);
    if (!m || typeof m['channel'] !== 'string') return none();
    const channel = m['channel'] as string;
    const payload = Array.isArray(m['payload']) ? (m['payload'] as unknown[]) : [];
    // order_book_update payloads are [contract, interval, ...]; book_ticker/trades list contracts.
    const contracts = channel.endsWith('order_book_update') || channel.endsWith('order_book') ? payload.slice(0, 1) : payload;
    const topics = contracts.filter((c): c is string => typeof c === 'string').map((c) => `${channel}:${c}`);
    const time = Math.floor(Date.now() / 1000);
    const event = m['event'] === 'unsubscribe' ? 'unsubscribe' : 'subscribe';
    const reply = JSON.stringify({ time, time_ms: Date.now(), id: m['id'], channel, event, result: { status: 'success' } });
    return event === 'subscribe' ? { replies: [reply], subscribe: topics, unsubscribe: [] } : { replies: [reply], subscribe: [], unsubscribe: topics };
  },
  topicOfFrame(frame) {
    const f = frame as { channel?: string; event?: string; result?: unknown };
    if (f.event !== 'update' || typeof f.channel !== 'string') return null;
    const r = f.result as { s?: string; contract?: string } | Array<{ contract?: string; n?: string }> | undefined;
    const contract = Array.isArray(r) ? r[0]?.contract : r?.s ?? r?.contract;
    return contract ? `${f.channel}:${contract}` : null;
  },
};

const hyperliquid: WsProtocol = {
  onClientFrame(text) {
    const m = parse(text);
    if (!m) return none();
    if (m['method'] === 'ping') return { replies: [JSON.stringify({ channel: 'pong' })], subscribe: [], unsubscribe: [] };
    const sub = m['subscription'] as { type?: string; coin?: string } | undefined;
    if (!sub?.type) return none();
    const topic = `${sub.type}:${sub.coin ?? ''}`;
    const method = m['method'] === 'unsubscribe' ? 'unsubscribe' : 'subscribe';
    const reply = JSON.stringify({ channel: 'subscriptionResponse', data: { method, subscription: sub } });
    return method === 'subscribe' ? { replies: [reply], subscribe: [topic], unsubscribe: [] } : { replies: [reply], subscribe: [], unsubscribe: [topic] };
  },
  topicOfFrame(frame) {
    const f = frame as { channel?: string; data?: unknown };
    if (f.channel === 'l2Book') return `l2Book:${(f.data as { coin?: string }).coin ?? ''}`;
    if (f.channel === 'trades' && Array.isArray(f.data)) return `trades:${(f.data[0] as { coin?: string } | undefined)?.coin ?? ''}`;
    return null;
  },
};

const bybit: WsProtocol = {
  onClientFrame(text) {
    const m = parse(text);
    if (!m) return none();
    if (m['op'] === 'ping') return { replies: [JSON.stringify({ op: 'pong', success: true, ret_msg: 'pong' })], subscribe: [], unsubscribe: [] };
    const args = Array.isArray(m['args']) ? (m['args'] as string[]) : [];
    const reply = JSON.stringify({ success: true, ret_msg: '', conn_id: 'fake', req_id: m['req_id'], op: m['op'] });
    if (m['op'] === 'subscribe') return { replies: [reply], subscribe: args, unsubscribe: [] };
    if (m['op'] === 'unsubscribe') return { replies: [reply], subscribe: [], unsubscribe: args };
    return none();
  },
  topicOfFrame(frame) {
    const topic = (frame as { topic?: unknown }).topic;
    return typeof topic === 'string' ? topic : null;
  },
};

export function protocolFor(venue: FakeVenue): WsProtocol {
  switch (venue) {
    case 'binance':
    case 'binanceusdm':
      return binance;
    case 'okx':
      return okx;
    case 'gate':
      return gate;
    case 'hyperliquid':
      return hyperliquid;
    case 'bybit':
      return bybit;
  }
}

/**
 * Publishes recorded frames to the sockets subscribed to each frame's topic, in recorded order,
 * yielding to the event loop every `batch` frames. Returns how many frames reached a socket.
 */
export async function replayFrames(
  server: { venue: FakeVenue; publish(topic: string, text: string): number },
  frames: ReadonlyArray<{ text: string; json: unknown }>,
  batch = 20,
): Promise<number> {
  const protocol = protocolFor(server.venue);
  let delivered = 0;
  let i = 0;
  for (const f of frames) {
    const topic = protocol.topicOfFrame(f.json);
    if (topic && server.publish(topic, f.text) > 0) delivered += 1;
    if (++i % batch === 0) await new Promise((r) => setImmediate(r));
  }
  return delivered;
}
