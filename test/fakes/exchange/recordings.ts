import fs from 'node:fs';
import zlib from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../../support/paths.js';

/** Readers for the recorded venue data in ../shared/fixtures (never copied into the repo). */

export interface RecordedFrame {
  /** The frame exactly as the venue sent it. */
  text: string;
  json: Record<string, unknown>;
}

/** hftbacktest: gzip, one frame a line: `<local_ns> <raw websocket JSON>`. */
export function readHftbacktest(...parts: string[]): RecordedFrame[] {
  const text = zlib.gunzipSync(fs.readFileSync(fixture(...parts))).toString('utf8');
  const out: RecordedFrame[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf(' ');
    if (at < 0) continue;
    const raw = line.slice(at + 1);
    out.push({ text: raw, json: JSON.parse(raw) as Record<string, unknown> });
  }
  return out;
}

/** cryptofeed `*.ws.N.0`: frames received are `<unix_s>: <json>`; lines starting with the URL were sent. */
export function readCryptofeedWs(name: string): RecordedFrame[] {
  const out: RecordedFrame[] = [];
  for (const line of fs.readFileSync(fixture('cryptofeed-recordings', name), 'utf8').split('\n')) {
    if (!/^\d/.test(line)) continue;
    const raw = line.slice(line.indexOf(': ') + 2);
    out.push({ text: raw, json: JSON.parse(raw) as Record<string, unknown> });
  }
  return out;
}

/** cryptofeed `*.0` / `*.http.N.0`: `<url> -> <unix_s>: <body>`. */
export function readCryptofeedHttp(name: string): Array<{ url: string; body: string }> {
  const out: Array<{ url: string; body: string }> = [];
  for (const line of fs.readFileSync(fixture('cryptofeed-recordings', name), 'utf8').split('\n')) {
    const m = /^(https?:\/\/\S+) -> [\d.]+: (.*)$/.exec(line);
    if (m) out.push({ url: m[1]!, body: m[2]! });
  }
  return out;
}

/** Hyperliquid SDK cassettes (VCR): the POST /info request bodies and the raw answers. */
export function readHyperliquidCassette(name: string): Array<{ request: Record<string, unknown>; response: string }> {
  const doc = parseYaml(fs.readFileSync(fixture('hyperliquid', 'sdk-cassettes', name), 'utf8')) as {
    interactions: Array<{ request: { body: string }; response: { body: { string: string } } }>;
  };
  return doc.interactions.map((i) => ({ request: JSON.parse(i.request.body) as Record<string, unknown>, response: i.response.body.string }));
}

export interface CcxtStaticCase {
  description: string;
  method: string;
  input: unknown[];
  httpResponse: unknown;
  parsedResponse: unknown;
  disabled?: boolean;
  disabledGO?: boolean;
}

export interface CcxtStaticFile {
  exchange: string;
  skipKeys?: string[];
  options?: Record<string, unknown>;
  methods: Record<string, CcxtStaticCase[]>;
}

/** ccxt's own static response fixtures (`ts/src/test/static/response/<exchange>.json`). */
export function readCcxtStatic(exchange: string): CcxtStaticFile {
  return JSON.parse(fs.readFileSync(fixture('ccxt-static', 'response', `${exchange}.json`), 'utf8')) as CcxtStaticFile;
}
