import { afterEach, describe, expect, it } from 'vitest';
import { OUT } from '../../fakes/tws/messages.js';
import { CLIENT_ID, startIb, type IbHarness } from './harness.js';

describe('IbGateway ↔ fake TWS: session, positions, account values, contracts', () => {
  let h: IbHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('connects with the V100+ handshake and START_API carrying the configured client id', async () => {
    h = await startIb();
    expect(h.fake.handshakes).toHaveLength(1);
    expect(h.fake.handshakes[0]?.versionRange).toMatch(/^v100\.\.\d+$/);
    const startApi = h.fake.log.find((m) => m.fields[0] === String(OUT.START_API));
    expect(startApi?.fields).toEqual(['71', '2', String(CLIENT_ID), '']);
    const status = h.gw.status();
    expect(status.state).toBe('connected');
    expect(status.venue).toBe('IB');
    // The recorded managedAccounts reply names the account.
    expect(h.gw.accounts).toEqual([h.fake.recording.responseFields('managed_accounts')[0]?.accounts]);
  });

  it('measures latency with a reqCurrentTime round trip (recorded reply)', async () => {
    h = await startIb();
    await expect.poll(() => h?.gw.status().latencyMs, { timeout: 3_000 }).not.toBeNull();
    expect(h.fake.requests(OUT.REQ_CURRENT_TIME).length).toBeGreaterThan(0);
    expect(h.gw.status().lastMessageAgeMs).not.toBeNull();
  });

  it('positions equal the recorded session (reqPositions)', async () => {
    h = await startIb();
    const positions = await h.gw.fetchPositions();
    const recorded = h.fake.recording.responseFields('positions').filter((r) => r.contract_id);
    expect(recorded).toHaveLength(2);
    const expected = recorded.map((r) => ({
      accountId: r.account,
      quantity: Number(r.position),
      // IB's average_cost of a future includes the multiplier; Kestrel's avgPrice is a price.
      avgPrice: Number(r.average_cost) / (Number(r.multiplier) || 1),
      symbol: r.symbol,
    }));
    expect(positions.map((p) => ({ accountId: p.accountId, quantity: p.quantity, avgPrice: p.avgPrice, symbol: p.instrumentId.split(':')[2] }))).toEqual(expected);
    // Positions name NASDAQ / no exchange; the conId's contract details give the traded listing.
    expect(positions.map((p) => p.instrumentId)).toEqual(['IB:STK:AAPL:SMART:USD', 'IB:FUT:ES:CME:USD:20250919:50']);
    expect(h.fake.requests(OUT.REQ_POSITIONS)).toHaveLength(1);
  });

  it('account values equal the recorded account summary', async () => {
    h = await startIb();
    const values = await h.gw.fetchAccountValues();
    const recorded = h.fake.recording
      .responseFields('account_summary')
      .filter((r) => r.tag)
      .map((r) => ({ accountId: r.account, tag: r.tag, value: r.value, currency: r.currency }));
    expect(values).toEqual(recorded);
    const balances = await h.gw.fetchBalances();
    const nlv = recorded.find((r) => r.tag === 'NetLiquidation');
    const cash = recorded.find((r) => r.tag === 'TotalCashValue');
    expect(balances).toHaveLength(1);
    expect(balances[0]).toMatchObject({ accountId: nlv?.accountId, currency: nlv?.currency, total: Number(nlv?.value), free: Number(cash?.value) });
  });

  it('streams account values and portfolio marks via reqAccountUpdates', async () => {
    h = await startIb();
    await expect.poll(() => h?.gw.streamedAccountValues().length, { timeout: 3_000 }).toBe(3);
    const positions = await h.gw.fetchPositions();
    for (const p of positions) expect(p.markPrice).not.toBeNull();
  });

  it('finds contracts like seed 002: FUT with expiry and multiplier, STK on SEHK, CASH, CRYPTO', async () => {
    h = await startIb();
    const brr = await h.gw.findContracts({ secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', currency: 'USD' });
    expect(brr.map((i) => i.instrumentId).sort()).toEqual(['IB:FUT:BRR:CMECRYPTO:USD:20210625:0.1', 'IB:FUT:BRR:CMECRYPTO:USD:20210625:5']);
    const five = await h.gw.findContracts({ secType: 'FUT', symbol: 'BRR', exchange: 'CMECRYPTO', expiry: '20210625', multiplier: 5 });
    expect(five).toHaveLength(1);
    expect(five[0]).toMatchObject({ kind: 'future', multiplier: 5, expiry: '20210625', tickSize: 5, secType: 'FUT' });
    const hk = await h.gw.searchInstruments('STK:1137:SEHK:HKD');
    expect(hk.map((i) => [i.instrumentId, i.lotSize])).toEqual([['IB:STK:1137:SEHK:HKD', 1000]]);
    expect((await h.gw.searchInstruments('CASH:EUR:IDEALPRO'))[0]?.instrumentId).toBe('IB:CASH:EUR:IDEALPRO:USD');
    expect((await h.gw.searchInstruments('CRYPTO:BTC:PAXOS'))[0]).toMatchObject({ instrumentId: 'IB:CRYPTO:BTC:PAXOS:USD', kind: 'crypto' });
    expect((await h.gw.searchInstruments('IB:STK:AAPL:SMART:USD'))[0]?.instrumentId).toBe('IB:STK:AAPL:SMART:USD');
    // No match is an empty list, not an error (TWS answers error 200).
    expect(await h.gw.searchInstruments('NOSUCH')).toEqual([]);
    expect(h.gw.status().lastError).toBeNull();
    // Found contracts are cached for loadInstruments.
    const loaded = await h.gw.loadInstruments();
    expect(loaded.map((i) => i.instrumentId)).toContain('IB:FUT:BRR:CMECRYPTO:USD:20210625:5');
    expect(loaded.map((i) => i.instrumentId)).toContain('IB:FUT:ES:CME:USD:20250919:50');
  });

  it('refuses requests while disconnected, naming the state', async () => {
    h = await startIb({ connect: false });
    await expect(h.gw.fetchPositions()).rejects.toThrow(/IB is disconnected/);
  });
});
