import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../main/cli/index.js';
import { createIbCommand } from '../../../main/cli/commands/ib.js';
import { FakeTws } from '../../fakes/tws/fake-tws.js';

describe('kestrel ib positions|account|contracts against the fake TWS', () => {
  let fake: FakeTws | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
    vi.restoreAllMocks();
  });

  async function run(args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await createIbCommand({ out: (t) => (out += t) }).run(args);
    return { code, out };
  }

  async function start(): Promise<string[]> {
    fake = new FakeTws();
    const port = await fake.start();
    return ['--host', '127.0.0.1', '--port', String(port), '--client-id', '12', '--timeout-ms', '3000'];
  }

  it('positions --json equal the recorded session', async () => {
    const conn = await start();
    const { code, out } = await run(['positions', ...conn, '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as Array<{ accountId: string; quantity: number; avgPrice: number }>;
    const recorded = fake?.recording.responseFields('positions').filter((r) => r.contract_id) ?? [];
    expect(rows.map((r) => [r.accountId, r.quantity, r.avgPrice])).toEqual(recorded.map((r) => [r.account, Number(r.position), Number(r.average_cost) / (Number(r.multiplier) || 1)]));
    expect(fake?.clientIds).toEqual([12]);
  });

  it('account prints a table of the recorded account values', async () => {
    const conn = await start();
    const { code, out } = await run(['account', ...conn]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^account\s+tag\s+value\s+currency$/);
    for (const r of fake?.recording.responseFields('account_summary').filter((x) => x.tag) ?? []) {
      expect(lines.some((l) => l.split(/\s+/).join(' ') === `${r.account} ${r.tag} ${r.value} ${r.currency}`)).toBe(true);
    }
  });

  it('contracts finds seed 002 futures by expiry and multiplier', async () => {
    const conn = await start();
    const { out } = await run(['contracts', ...conn, '--symbol', 'BRR', '--sec-type', 'FUT', '--exchange', 'CMECRYPTO', '--expiry', '20210625', '--multiplier', '0.1', '--json']);
    expect((JSON.parse(out) as Array<{ instrumentId: string }>).map((i) => i.instrumentId)).toEqual(['IB:FUT:BRR:CMECRYPTO:USD:20210625:0.1']);
    const none = await run(['contracts', ...conn, '--symbol', 'NOSUCH']);
    expect(none.out).toBe('(none)\n');
  });

  it('is registered as `kestrel ib`; usage errors exit 2, an unreachable TWS exits 1 with the reason', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['ib', 'balances'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/kestrel ib: .*positions, account or contracts/);
    expect(await main(['ib', 'positions', '--port', 'x'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/port: must be a number/);
    expect(await main(['ib', 'account', '--symbol', 'AAPL'])).toBe(2);
    expect(await main(['ib', 'contracts'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/needs --symbol/);
    // A port nothing listens on: take one from a server we close again.
    const gone = new FakeTws();
    const port = await gone.start();
    await gone.stop();
    expect(await main(['ib', 'positions', '--port', String(port), '--timeout-ms', '2000'])).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/kestrel ib: IB: connection to TWS at 127\.0\.0\.1:\d+ \(client id 900\) ended .*IB 502: cannot reach TWS/);
  });
});
