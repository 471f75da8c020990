/**
 * `kestrel serve --replay FILE --speed max`, as a user runs it: the real CLI in its own process
 * plays a real recording as the market; bars and quotes come out of the REST API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, fixture } from '../../support/paths.js';
import { tempDir, waitFor } from '../../support/kernel-harness.js';

const TOKEN = 'replay-test-token-0001';

describe('kestrel serve --replay', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).reverse().forEach((c) => c()));

  it('plays an hftbacktest recording as the market and serves its bars', async () => {
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const file = fixture('hftbacktest-binance-ws', 'spot_btcusdt_20240808.gz');
    const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kestrel.js'), 'serve', '--port', '0', '--data-dir', tmp.dir, `--token=${TOKEN}`, '--replay', file, '--speed', 'max'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => child.kill('SIGTERM'));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await waitFor(async () => /Kestrel ready: (http:\/\/\S+)/.exec(out)?.[1] ?? null, 'the ready line', 30_000);
    const base = new URL(url).origin;
    const api = async (p: string) => (await fetch(base + p, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    const id = 'BINANCE:BTC/USDT';
    const bars = await waitFor(async () => {
      const b = (await api(`/api/bars?instrumentId=${encodeURIComponent(id)}&interval=5m`)) as { tradeCount: number; openTime: number }[];
      return Array.isArray(b) && b.reduce((n, x) => n + x.tradeCount, 0) === 9_757 ? b : null;
    }, 'all 9,757 recorded spot trades in 5m bars', 60_000);
    expect(bars[0]!.openTime).toBe(Date.UTC(2024, 7, 8, 23, 50));
    const quotes = (await api('/api/quotes')) as { instrumentId: string; simulated: boolean }[];
    expect(quotes.find((q) => q.instrumentId === id)?.simulated).toBe(true);
    expect(out).toMatch(/market data is SIMULATED/);
  });

  it('names what is wrong with the replay arguments', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kestrel.js'), 'serve', '--port', '0', ...args], { cwd: REPO_ROOT });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => resolve({ code, err }));
      });
    expect(await run(['--replay', '/nope/missing.gz'])).toMatchObject({ code: 2, err: expect.stringMatching(/no such file \/nope\/missing\.gz/) });
    const gz = fixture('hftbacktest-binance-ws', 'spot_btcusdt_20240808.gz');
    expect(await run(['--replay', gz, '--speed', 'fast'])).toMatchObject({ code: 2, err: expect.stringMatching(/--speed must be a number above 0/) });
    const csv = fixture('lean-binance', 'PROVENANCE.txt').replace(/PROVENANCE\.txt$/, 'trades.csv');
    expect(await run(['--replay', csv])).toMatchObject({ code: 2, err: expect.stringMatching(/no such file/) });
  });
});
