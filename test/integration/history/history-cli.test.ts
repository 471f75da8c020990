import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliUsageError } from '../../../main/cli/command.js';
import { createBackfillCommand } from '../../../main/cli/commands/backfill.js';
import { createUniverseCommand } from '../../../main/cli/commands/universe.js';
import { ParquetStore } from '../../../main/storage/parquet/parquet-store.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installCatalog } from '../../fakes/exchange/catalogs.js';
import { ExchangeServer } from '../../fakes/exchange/exchange-server.js';
import { installHyperliquidHistory } from '../../fakes/exchange/hyperliquid-sim.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { REPO_ROOT } from '../../support/paths.js';
import { expectedUniverse, installBinanceTickers, scrambledVolume } from './binance-tickers.js';
import { rawRows } from './raw-parquet.js';

/** `kestrel backfill` and `kestrel universe` against the loopback exchange server (--rest-url). */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const recorded = USDM.filter((f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade').map(
  (f) => f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean },
);
const NOW = recorded.at(-1)!.T + 1_000;
const FIRST = recorded[0]!.T;
const LAST = recorded.at(-1)!.T;

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-history-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function io(opts: { tty?: boolean; nowMs?: number } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const value = {
    out: (t: string) => void out.push(t),
    err: { write: (t: string) => err.push(t), isTTY: opts.tty ?? false, columns: 120 },
    env: {},
    nowMs: () => opts.nowMs ?? NOW,
    sleep: async (ms: number) => void sleeps.push(ms),
    // ccxt paces Binance's aggTrades at its real weight (1 s a page); the loopback fake needs no pacing.
    venueConfig: { rateLimitMs: 1 },
  };
  return { value, stdout: () => out.join(''), stderr: () => err.join(''), sleeps };
}

describe('kestrel backfill against the fake Binance USDⓈ-M', () => {
  let server: ExchangeServer;
  beforeAll(async () => {
    server = await ExchangeServer.start('binanceusdm');
    installCatalog(server);
    new BinanceSim(server, USDM, 'usdm').revealAll();
  });
  afterAll(async () => server?.close());
  const args = (...extra: string[]) => ['--venue', 'binanceusdm', '--symbol', 'BTC/USDT:USDT', '--data-dir', dataDir, '--rest-url', server.restUrl, ...extra];

  it('trades --json: every recorded trade in the range once; run again, nothing new is written', async () => {
    const c = io();
    expect(await createBackfillCommand(c.value).run(args('--from', String(FIRST), '--to', new Date(LAST).toISOString(), '--json'))).toBe(0);
    const result = JSON.parse(c.stdout()) as Record<string, unknown>;
    expect(result).toMatchObject({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', kind: 'trades', written: recorded.length, alreadyStored: 0, firstMs: FIRST, lastMs: LAST, complete: true });
    const store = await ParquetStore.open({ dataDir });
    const stored = await store.readTrades({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', tradeIds: 'string' });
    expect([...(stored.tradeId as string[])].sort()).toEqual(recorded.map((t) => String(t.t)).sort());
    // Non-TTY progress: plain lines, a handful, ending at 100 %.
    const lines = c.stderr().trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.every((l) => /^backfill: \d+% after [\d.]+ s — /.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^backfill: 100% /);

    const again = io();
    expect(await createBackfillCommand(again.value).run(args('--from', String(FIRST), '--to', String(LAST), '--json'))).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ written: 0, alreadyStored: recorded.length });
    expect(await rawRows(store.root, 'trades', 'trade_id')).toEqual({ rows: recorded.length, duplicates: 0 });
  });

  it('prints a summary, and draws a bar on a terminal', async () => {
    const c = io({ tty: true });
    const from = recorded[5000]!.T;
    const to = recorded[9000]!.T;
    expect(await createBackfillCommand(c.value).run(args('--from', new Date(from).toISOString(), '--to', new Date(to).toISOString()))).toBe(0);
    const n = recorded.filter((t) => t.T >= from && t.T <= to).length;
    expect(c.stdout()).toMatch(new RegExp(`^wrote ${n.toLocaleString('en-US')} trades of BINANCEUSDM:BTC/USDT:USDT in [\\d.]+ s\\n`));
    expect(c.stdout()).toContain(`  rows   ${new Date(from).toISOString()} .. ${new Date(to).toISOString()}\n`);
    expect(c.stdout()).toContain(`  into   ${path.join(dataDir, 'parquet')}\n`);
    expect(c.stderr()).toMatch(/\rbackfill █+░* +\d+% /);
    expect(c.stderr().endsWith('\r\x1b[K')).toBe(true);
  });

  it('bars: the venue 1m klines into the bars table', async () => {
    const c = io();
    const from = Math.floor(FIRST / 60_000) * 60_000;
    expect(await createBackfillCommand(c.value).run(args('--kind', 'bars', '--from', String(from), '--json'))).toBe(0);
    const minutes = new Set(recorded.map((t) => Math.floor(t.T / 60_000) * 60_000));
    expect(JSON.parse(c.stdout())).toMatchObject({ fetchedAs: 'bars', interval: '1m', written: minutes.size });
    const bars = await (await ParquetStore.open({ dataDir })).readBars({ instrumentId: 'BINANCEUSDM:BTC/USDT:USDT', interval: '1m' });
    expect(bars.map((b) => b.openTime)).toEqual([...minutes].sort((a, b) => a - b));
    expect(bars.reduce((n, b) => n + b.tradeCount, 0)).toBe(recorded.length);
  });

  it('rides out a 429 with a line on stderr, and names the venue\'s 503 when it does not pass', async () => {
    server.failNext('GET', /^\/fapi\/v1\/aggTrades$/, { status: 429, body: { code: -1003, msg: 'Too many requests.' } }, 1);
    const c = io();
    expect(await createBackfillCommand(c.value).run(args('--from', String(recorded[100]!.T), '--to', String(recorded[200]!.T), '--json'))).toBe(0);
    expect(JSON.parse(c.stdout())).toMatchObject({ written: recorded.filter((t) => t.T >= recorded[100]!.T && t.T <= recorded[200]!.T).length, attempts: 2 });
    expect(c.stderr()).toMatch(/backfill: BINANCEUSDM:BTC\/USDT:USDT trades: binanceusdm fetchTrades BTC\/USDT:USDT: rate limit hit \(HTTP 429\).*; retrying in [\d.]+ s \(attempt 2 of 5\)\n/);

    server.failNext('GET', /^\/fapi\/v1\/aggTrades$/, { status: 503, body: { code: -1001, msg: 'Internal error' } }, 2);
    const d = io();
    await expect(createBackfillCommand(d.value).run(args('--from', String(FIRST), '--to', String(LAST), '--max-attempts', '2'))).rejects.toThrow(
      /^binanceusdm fetchTrades BTC\/USDT:USDT: the venue answered HTTP 503 \(server error\); the outcome is unknown; gave up on trades after 2 attempts$/,
    );
    expect(d.sleeps).toEqual([1_000]);
  });

  it('refuses bad input in plain words', async () => {
    const run = (...a: string[]) => createBackfillCommand(io().value).run(a);
    await expect(run('--venue', 'kraken', '--symbol', 'X', '--from', '2024-08-08')).rejects.toThrow(/^unknown venue "kraken": --venue must be one of binance, binanceusdm, okx, bybit, gate, hyperliquid$/);
    await expect(run(...args('--from', '2024-13-45'))).rejects.toThrow(CliUsageError);
    await expect(run(...args('--from', '2024-13-45'))).rejects.toThrow(/^--from "2024-13-45" is not a time: use ISO-8601/);
    await expect(run(...args('--from', '2024-02-30'))).rejects.toThrow(/^--from "2024-02-30" is not a real date$/);
    await expect(run(...args('--from', String(LAST), '--to', String(FIRST)))).rejects.toThrow(/^--from 2024-08-08T23:59:59\.\d{3}Z is after --to 2024-08-08T23:54:\d\d\.\d{3}Z$/);
    await expect(run(...args('--kind', 'candles', '--from', '2024-08-08'))).rejects.toThrow(/^--kind must be trades, bars, funding or premium, got "candles"$/);
    await expect(run(...args('--interval', '5m', '--from', '2024-08-08'))).rejects.toThrow(/^--interval goes with --kind bars or premium$/);
    await expect(run('--venue', 'binanceusdm', '--symbol', 'BTC/EUR:EUR', '--from', '2024-08-08', '--data-dir', dataDir, '--rest-url', server.restUrl)).rejects.toThrow(
      /^binanceusdm lists no market BTC\/EUR:EUR; it lists BTC\/USDT:USDT, .*BTC\/BUSD:BUSD/,
    );
    await expect(run(...args('--kind', 'premium', '--from', '2024-08-08', '--rest-url', 'ftp://x'))).rejects.toThrow(/restUrl must be an http:\/\/ or https:\/\/ URL/);
  });

  it('runs as `kestrel backfill` through the CLI entry point', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { main } = await import('./main/cli/index.ts'); const code = await main(process.argv.slice(1)); process.stdout.write('', () => process.exit(code));",
        'backfill', ...args('--from', String(recorded[20_000]!.T), '--to', String(LAST), '--json'),
      ],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ written: recorded.filter((t) => t.T >= recorded[20_000]!.T).length, complete: true });
  });
});

describe('kestrel backfill --kind funding against the fake Hyperliquid', () => {
  let server: ExchangeServer | null = null;
  afterEach(async () => server?.close());

  it('stores the recorded funding payments, normalised to 24h', async () => {
    server = await ExchangeServer.start('hyperliquid');
    installCatalog(server);
    const { funding } = installHyperliquidHistory(server);
    const c = io({ nowMs: funding.at(-1)!.time + 3_600_000 });
    const code = await createBackfillCommand(c.value).run([
      '--venue', 'hyperliquid', '--symbol', 'BTC/USDC:USDC', '--kind', 'funding',
      '--from', new Date(funding[0]!.time).toISOString(), '--data-dir', dataDir, '--rest-url', server.restUrl, '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(c.stdout())).toMatchObject({ kind: 'funding', written: funding.length, complete: true });
    const rates = await (await ParquetStore.open({ dataDir })).readFunding({ instrumentId: 'HYPERLIQUID:BTC/USDC:USDC' });
    expect(rates.map((r) => [r.fundingTime, r.rate])).toEqual(funding.map((f) => [f.time, Number(f.fundingRate)]));
    expect(rates.at(-1)!.rate24h).toBeCloseTo(Number(funding.at(-1)!.fundingRate) * 24, 15);

    const trades = io();
    await expect(createBackfillCommand(trades.value).run(['--venue', 'hyperliquid', '--symbol', 'BTC/USDC:USDC', '--from', '2023-07-01', '--data-dir', dataDir, '--rest-url', server.restUrl])).rejects.toThrow(
      /^HYPERLIQUID serves no past trades over REST/,
    );
  });
});

describe('kestrel universe against the fake Binance USDⓈ-M (recorded listing, built tickers)', () => {
  let server: ExchangeServer;
  const NOW_2021 = Date.parse('2021-07-22T10:00:00Z');
  beforeAll(async () => {
    server = await ExchangeServer.start('binanceusdm');
    installCatalog(server);
  });
  afterAll(async () => server?.close());

  it('--top 8 --exclude: writes v1, prints it; the same pick again is not rewritten; moved volumes make v2', async () => {
    let remove = installBinanceTickers(server, scrambledVolume(3));
    const args = ['--venue', 'binanceusdm', '--top', '8', '--exclude', 'BTC,ETH/USDT:USDT', '--data-dir', dataDir, '--rest-url', server.restUrl];
    const exclude = (c: { baseAsset: string }) => c.baseAsset === 'BTC' || c.baseAsset === 'ETH';
    const c = io({ nowMs: NOW_2021 });
    expect(await createUniverseCommand(c.value).run([...args, '--json'])).toBe(0);
    const first = JSON.parse(c.stdout()) as { date: string; version: string; created: boolean; members: Array<{ instrumentId: string; rank: number }>; excluded: Array<{ instrumentId: string; reason: string }> };
    const want = expectedUniverse(scrambledVolume(3), { topN: 8, minListingAgeDays: 30, exclude }, NOW_2021);
    expect(first).toMatchObject({ date: '2021-07-22', version: 'v1', created: true });
    expect(first.members.map((m) => m.instrumentId)).toEqual(want);
    expect(first.excluded.find((e) => e.instrumentId === 'BINANCEUSDM:BTC/USDT:USDT')?.reason).toBe('in excludeSymbols');
    expect(existsSync(path.join(dataDir, 'universe', '2021-07-22', 'v1', 'universe.csv'))).toBe(true);

    const text = io({ nowMs: NOW_2021 + 60_000 });
    expect(await createUniverseCommand(text.value).run(args)).toBe(0);
    const lines = text.stdout().split('\n');
    // 122 recorded contracts, less the two quarterly futures: 120 perpetuals are candidates.
    expect(lines[0]).toMatch(/^universe 2021-07-22 v1 \(unchanged: same instruments as the stored version, not rewritten\): 8 of 120 BINANCEUSDM markets — top 8 by 24h quote volume, listed at least 30 days, quote USDT, \d+ excluded by name$/);
    expect(lines[1]).toMatch(/^rank\s+symbol\s+24h quote volume\s+listed$/);
    expect(lines[2]!.trim().split(/\s+/)[1]).toBe(want[0]!.replace('BINANCEUSDM:', ''));

    remove();
    remove = installBinanceTickers(server, scrambledVolume(4));
    const moved = io({ nowMs: NOW_2021 + 120_000 });
    expect(await createUniverseCommand(moved.value).run([...args, '--json'])).toBe(0);
    expect(JSON.parse(moved.stdout())).toMatchObject({ version: 'v2', created: true });
    expect((JSON.parse(moved.stdout()) as typeof first).members.map((m) => m.instrumentId)).toEqual(expectedUniverse(scrambledVolume(4), { topN: 8, minListingAgeDays: 30, exclude }, NOW_2021));
    remove();
  });

  it('on a venue that publishes no listing dates (Hyperliquid) says to drop the age rule', async () => {
    const hl = await ExchangeServer.start('hyperliquid');
    try {
      installCatalog(hl);
      const args = ['--venue', 'hyperliquid', '--quote', 'USDC', '--top', '3', '--data-dir', dataDir, '--rest-url', hl.restUrl];
      await expect(createUniverseCommand(io({ nowMs: NOW_2021 }).value).run(args)).rejects.toThrow(
        /^no HYPERLIQUID instrument passed the rule out of \d+ candidates \(listing date unknown, so minListingAgeDays cannot be checked\); keeping the current universe; hyperliquid publishes no listing dates, so pass --min-age-days 0$/,
      );
      const c = io({ nowMs: NOW_2021 });
      expect(await createUniverseCommand(c.value).run([...args, '--min-age-days', '0', '--json'])).toBe(0);
      expect((JSON.parse(c.stdout()) as { members: unknown[] }).members).toHaveLength(3);
    } finally {
      await hl.close();
    }
  });

  it('refuses bad input in plain words', async () => {
    const run = (...a: string[]) => createUniverseCommand(io({ nowMs: NOW_2021 }).value).run(a);
    await expect(run('--top', '5')).rejects.toThrow(/^--venue is required/);
    await expect(run('--venue', 'binanceusdm', '--top', '0')).rejects.toThrow(/^--top must be a whole number of at least 1, got "0"$/);
    await expect(run('--venue', 'binanceusdm', '--market-type', 'options')).rejects.toThrow(/^--market-type must be swap, spot or future, got "options"$/);
    await expect(run('--venue', 'binanceusdm', '--time-zone', 'Mars/Olympus')).rejects.toThrow(/^--time-zone "Mars\/Olympus" is not an IANA time zone/);
  });
});
