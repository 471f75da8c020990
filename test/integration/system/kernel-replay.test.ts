/**
 * A paper session on recorded data: the core replays real Binance USDⓈ-M frames (hftbacktest,
 * 2024-08-08) at maximum speed as its market, builds bars from them, follows the recording's clock,
 * and fills a paper order against the replayed book.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { startKernel, tempDir, waitFor } from '../../support/kernel-harness.js';
import { fixture } from '../../support/paths.js';
import type { Kernel } from '../../../main/system/kernel.js';

const FILE = fixture('hftbacktest-binance-ws', 'usdm_btcusdt_20240808.gz');
const ID = 'BINANCEUSDM:BTC/USDT:USDT';

/** Trade count and last trade time straight from the file, independently of Kestrel's readers. */
async function recordedTrades(): Promise<{ count: number; lastTs: number }> {
  let count = 0;
  let lastTs = 0;
  const lines = createInterface({ input: createReadStream(FILE).pipe(createGunzip()) });
  for await (const line of lines) {
    const json = JSON.parse(line.slice(line.indexOf(' ') + 1)) as { data?: { e?: string; T?: number } };
    if (json.data?.e !== 'trade') continue;
    count++;
    lastTs = Math.max(lastTs, json.data.T!);
  }
  return { count, lastTs };
}

describe('kernel replaying a recording', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('builds bars from every recorded trade and stamps paper fills in the recording’s time', async () => {
    const expected = await recordedTrades();
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const k: Kernel = await startKernel(tmp.dir, {
      venues: [{ type: 'replay', replay: { sources: [{ format: 'hftbacktest', path: FILE, market: 'usdm' }], speed: 'max', instruments: [{ instrumentId: ID, tickSize: 0.1, lotSize: 0.001 }] } }],
    });
    cleanup.push(() => k.stop());
    const state = await k.call('state.get', {});
    expect(state.simulated).toBe(true);
    expect(state.workers.map((w) => w.worker)).not.toContain('simulator');
    expect(state.gateways.map((g) => g.venue)).not.toContain('SIM');

    const bars = await waitFor(async () => {
      const b = await k.call('bars.list', { instrumentId: ID, interval: '1m' });
      return b.reduce((n, x) => n + x.tradeCount, 0) === expected.count ? b : null;
    }, 'every recorded trade in the 1m bars', 60_000);
    expect(bars[0]!.openTime).toBeLessThan(expected.lastTs);
    expect(bars.at(-1)!.closeTime).toBeGreaterThanOrEqual(expected.lastTs);
    const instrument = (await k.call('instruments.list', {})).find((i) => i.instrumentId === ID)!;
    expect(instrument).toMatchObject({ kind: 'perp', tickSize: 0.1, simulated: true });

    const ack = await k.call('orders.submit', { instrumentId: ID, side: 'sell', type: 'market', quantity: 0.002 });
    expect(ack.status).toBe('filled');
    const fill = (await k.call('fills.list', {})).find((f) => f.clientOrderId === ack.clientOrderId)!;
    // The replay ended at the recording's last frame: the core's clock stands there, not at today's date.
    expect(Math.abs(fill.tsEvent - expected.lastTs)).toBeLessThan(60_000);
  });
});
