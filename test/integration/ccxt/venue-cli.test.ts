import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVenueCommand } from '../../../main/cli/commands/venue.js';
import { CliUsageError } from '../../../main/cli/command.js';
import { BinanceSim } from '../../fakes/exchange/binance-sim.js';
import { installCatalog } from '../../fakes/exchange/catalogs.js';
import { ExchangeServer } from '../../fakes/exchange/exchange-server.js';
import { installLoopbackGuard, type LoopbackGuard } from '../../fakes/exchange/loopback-guard.js';
import { readCcxtStatic, readHftbacktest, type RecordedFrame } from '../../fakes/exchange/recordings.js';
import { REPO_ROOT } from '../../support/paths.js';

/** `kestrel venue …` against the fake venues: REST and websocket paths, JSON and tables, usage errors. */

const USDM = readHftbacktest('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const isTrade = (f: RecordedFrame) => (f.json['data'] as { e?: string } | undefined)?.e === 'trade';

let guard: LoopbackGuard;
beforeAll(() => {
  guard = installLoopbackGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.violations).toEqual([]);
});

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const command = createVenueCommand({ out: (t) => void out.push(t), err: (t) => void err.push(t), env });
  return { command, out, err, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('kestrel venue against the fake Binance USDⓈ-M', () => {
  let server: ExchangeServer;
  let sim: BinanceSim;
  beforeAll(async () => {
    server = await ExchangeServer.start('binanceusdm');
    installCatalog(server);
    sim = new BinanceSim(server, USDM, 'usdm');
    sim.revealAll();
    const balance = readCcxtStatic('binance').methods['fetchBalance']!.find((c) => c.description === 'Linear swap balance')!.httpResponse;
    server.route('GET', /^\/fapi\/v[23]\/account$/, () => ({ body: balance }));
  });
  afterAll(async () => server?.close());
  const urls = () => ['--rest-url', server.restUrl, '--ws-url', server.wsUrl];
  const recorded = () => USDM.filter(isTrade).map((f) => f.json['data'] as { t: number; p: string; q: string; T: number; m: boolean });

  it('trades --json: the venue\'s most recent trades over REST', async () => {
    const c = cli();
    expect(await c.command.run(['trades', '--venue', 'binanceusdm', '--symbol', 'BTC/USDT:USDT', '--limit', '5', '--json', ...urls()])).toBe(0);
    const trades = JSON.parse(c.stdout()) as Array<{ tradeId: string; price: number; instrumentId: string }>;
    expect(trades.map((t) => t.tradeId)).toEqual(recorded().slice(-5).map((t) => String(t.t)));
    expect(trades[0]!.instrumentId).toBe('BINANCEUSDM:BTC/USDT:USDT');
  });

  it('trades --watch: the first trades off the websocket, as a table', async () => {
    const c = cli();
    sim.cursor = 0;
    const running = c.command.run(['trades', '--venue', 'binanceusdm', '--symbol', 'BINANCEUSDM:BTC/USDT:USDT', '--watch', '--count', '3', ...urls()]);
    await server.waitForTopic('btcusdt@trade');
    await sim.play(sim.indexOfTrade(50), { only: isTrade });
    expect(await running).toBe(0);
    const lines = c.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+trade id\s+side\s+price\s+quantity$/);
    const first = recorded()[0]!;
    expect(lines[1]).toContain(String(first.t));
    expect(lines[1]).toContain(first.m ? 'sell' : 'buy');
    expect(lines).toHaveLength(4);
  });

  it('book --depth 3: the recorded snapshot, top 3 levels a side', async () => {
    const c = cli();
    expect(await c.command.run(['book', '--venue', 'binanceusdm', '--symbol', 'BTC/USDT:USDT', '--depth', '3', '--json', ...urls()])).toBe(0);
    const snap = USDM.find((f) => 'lastUpdateId' in f.json)!.json as { bids: string[][]; asks: string[][] };
    const book = JSON.parse(c.stdout()) as { bids: number[][]; asks: number[][] };
    expect(book.bids).toEqual(snap.bids.slice(0, 3).map(([p, q]) => [Number(p), Number(q)]));
    expect(book.asks).toEqual(snap.asks.slice(0, 3).map(([p, q]) => [Number(p), Number(q)]));
  });

  it('balance with keys from the environment', async () => {
    const c = cli({ KESTREL_OPS_API_KEY: 'ops-key-123456', KESTREL_OPS_API_SECRET: 'ops-secret-123456' });
    expect(await c.command.run(['balance', '--venue', 'binanceusdm', '--account', 'ops', ...urls()])).toBe(0);
    expect(c.stdout()).toMatch(/^currency\s+total\s+free\s+used\nUSDT\s+31\.022612\s+31\.022612\s+0\n$/);
    expect(server.requestsTo(/^\/fapi\/v[23]\/account$/).at(-1)!.headers['x-mbx-apikey']).toBe('ops-key-123456');
  });

  it('usage errors are plain and name the fix', async () => {
    const c = cli();
    await expect(c.command.run(['prices', '--venue', 'binanceusdm'])).rejects.toThrow(CliUsageError);
    await expect(c.command.run(['trades', '--venue', 'kraken', '--symbol', 'X'])).rejects.toThrow(/--venue must be one of binance, binanceusdm/);
    await expect(c.command.run(['trades', '--venue', 'binanceusdm'])).rejects.toThrow(/--symbol is required/);
    await expect(c.command.run(['balance', '--venue', 'binanceusdm', ...urls()])).rejects.toThrow(/set KESTREL_BINANCEUSDM_API_KEY and KESTREL_BINANCEUSDM_API_SECRET/);
    await expect(c.command.run(['trades', '--venue', 'binanceusdm', '--symbol', 'BTC/USDT:USDT', '--limit', '0', ...urls()])).rejects.toThrow(/--limit must be a whole number above 0/);
    await expect(c.command.run(['trades', '--venue', 'binanceusdm', '--symbol', 'DOGE/EUR:EUR', ...urls()])).rejects.toThrow(/unknown instrument BINANCEUSDM:DOGE\/EUR:EUR/);
  });

  it('runs as `kestrel venue` through the CLI entry point', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { main } = await import('./main/cli/index.ts'); const code = await main(process.argv.slice(1)); process.stdout.write('', () => process.exit(code));",
        'venue', 'book', '--venue', 'binanceusdm', '--symbol', 'BTC/USDT:USDT', '--depth', '1', '--json', ...urls(),
      ],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    const snap = USDM.find((f) => 'lastUpdateId' in f.json)!.json as { bids: string[][] };
    expect((JSON.parse(stdout) as { bids: number[][] }).bids).toEqual([[Number(snap.bids[0]![0]), Number(snap.bids[0]![1])]]);
  });
});

describe('kestrel venue funding against the fake Bybit (ccxt\'s recorded tickers answer)', () => {
  let server: ExchangeServer | null = null;
  afterEach(async () => server?.close());

  it('prints the current rate with the venue\'s 8h cadence and its 24h equivalent', async () => {
    server = await ExchangeServer.start('bybit');
    installCatalog(server);
    const body = readCcxtStatic('bybit').methods['fetchFundingRate']![0]!.httpResponse;
    server.route('GET', '/v5/market/tickers', () => ({ body }));
    const c = cli();
    expect(await c.command.run(['funding', '--venue', 'bybit', '--symbol', 'BTC/USDT:USDT', '--json', '--rest-url', server.restUrl, '--ws-url', server.wsUrl])).toBe(0);
    const [rate] = JSON.parse(c.stdout()) as Array<{ rate: number; intervalHours: number; rate24h: number; fundingTime: number; markPrice: number }>;
    expect(rate).toMatchObject({ rate: 0.0001, intervalHours: 8, fundingTime: 1730736000000, markPrice: 68591.46 });
    expect(rate!.rate24h).toBeCloseTo(0.0003, 12);
  });
});
