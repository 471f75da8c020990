import { describe, expect, it } from 'vitest';
import {
  IbAccountValue,
  IbContractDetailsPayload,
  IbExecutionPayload,
  IbPositionEvent,
  instrumentIdOfContract,
  parseIbTime,
  toFill,
  toInstrument,
  toOrderStatus,
  toPosition,
} from '../../../../../main/adapters/ib/parse.js';
import { FAKE_CONTRACTS } from '../../../../fakes/tws/contracts.js';
import { commissionReport, contractData, execData, openOrder, orderStatus, type FakeExecution, type FakeOrder } from '../../../../fakes/tws/messages.js';
import { TwsRecording } from '../../../../fakes/tws/recording.js';
import { decodeWithStoqey } from '../../../../fakes/tws/stoqey-decode.js';

const recording = new TwsRecording();

describe('IB payload parsing on the recorded TWS session (server version 173)', () => {
  it('positions: recorded bodies → stoqey decoder → Position, matching the recorder’s own fields', () => {
    const decoded = decodeWithStoqey(recording.responses('positions'));
    expect(decoded.errors).toEqual([]);
    const events = decoded.events.filter((e) => e.name === 'position');
    const fields = recording.responseFields('positions').filter((f) => f.contract_id);
    expect(events).toHaveLength(fields.length);
    events.forEach((e, i) => {
      const [account, contract, pos, avgCost] = e.args;
      const ev = IbPositionEvent.parse({ account, contract, pos, avgCost });
      const f = fields[i] ?? {};
      const p = toPosition(ev, `IB:TEST:${i}`, 1);
      expect(p.accountId).toBe(f.account);
      expect(p.quantity).toBe(Number(f.position));
      expect(p.avgPrice).toBeCloseTo(Number(f.average_cost) / (Number(f.multiplier) || 1), 9);
      expect(ev.contract.conId).toBe(Number(f.contract_id));
    });
  });

  it('account summary rows validate as account values', () => {
    const decoded = decodeWithStoqey(recording.responses('account_summary'));
    const rows = decoded.events.filter((e) => e.name === 'accountSummary').map((e) => {
      const [, accountId, tag, value, currency] = e.args;
      return IbAccountValue.parse({ accountId, tag, value, currency });
    });
    expect(rows).toEqual(
      recording
        .responseFields('account_summary')
        .filter((f) => f.tag)
        .map((f) => ({ accountId: f.account, tag: f.tag, value: f.value, currency: f.currency })),
    );
  });

  it('contract details of a future become an Instrument with expiry, multiplier and tick size', () => {
    const brr = FAKE_CONTRACTS.find((c) => c.localSymbol === 'MBTM1');
    if (!brr) throw new Error('fixture contract missing');
    const decoded = decodeWithStoqey([contractData(3, brr)]);
    expect(decoded.errors).toEqual([]);
    const details = IbContractDetailsPayload.parse(decoded.events[0]?.args[1]);
    expect(toInstrument(details)).toMatchObject({
      instrumentId: 'IB:FUT:BRR:CMECRYPTO:USD:20210625:0.1',
      venue: 'IB',
      symbol: 'FUT:BRR:CMECRYPTO:USD:20210625:0.1',
      kind: 'future',
      multiplier: 0.1,
      tickSize: 5,
      expiry: '20210625',
      secType: 'FUT',
    });
  });

  it('an execution becomes a Fill; IB side and liquidity codes are mapped', () => {
    const aapl = FAKE_CONTRACTS[0];
    if (!aapl) throw new Error('fixture contract missing');
    const e: FakeExecution = {
      execId: 'x.01', orderId: 12, clientId: 3, permId: 99, contract: aapl, time: '20250715 15:05:07 US/Eastern', account: 'DU1',
      side: 'SLD', shares: 30, price: 201.5, cumQty: 30, avgPrice: 201.5, orderRef: 'k-9', lastLiquidity: 1, commission: 1, commissionCurrency: 'USD',
    };
    const decoded = decodeWithStoqey([execData(-1, e)]);
    expect(decoded.errors).toEqual([]);
    const exec = IbExecutionPayload.parse(decoded.events[0]?.args[2]);
    const fill = toFill(exec, { instrumentId: 'IB:STK:AAPL:SMART:USD', clientOrderId: 'k-9', venueOrderId: '12', fee: 1, feeCurrency: 'USD', tsEvent: 5 });
    expect(fill).toMatchObject({ fillId: 'IB:x.01', side: 'sell', quantity: 30, price: 201.5, liquidity: 'maker', accountId: 'DU1' });
    expect(parseIbTime(exec.time, 'UTC')).toBe(Date.UTC(2025, 6, 15, 19, 5, 7));
  });

  it('rejects an execution without a price or with an unknown side, naming the field', () => {
    const r = IbExecutionPayload.safeParse({ orderId: 1, execId: 'a', time: '', acctNumber: 'X', side: 'BUY', shares: 1, price: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['price', 'side']);
  });
});

describe('the fake TWS builds what @stoqey/ib decodes without leftovers', () => {
  it('openOrder, orderStatus, execDetails and commissionReport at server version 173', () => {
    const c = FAKE_CONTRACTS[1];
    if (!c) throw new Error('fixture contract missing');
    const o: FakeOrder = {
      orderId: 5, clientId: 2, permId: 7, contract: c, action: 'SELL', totalQuantity: 2, orderType: 'LMT', lmtPrice: 6300.25, auxPrice: null,
      tif: 'GTC', account: 'DU1', orderRef: 'ref-5', status: 'Submitted', filled: 1, avgFillPrice: 6300.25, lastFillPrice: 6300.25,
    };
    const e: FakeExecution = {
      execId: 'e.1', orderId: 5, clientId: 2, permId: 7, contract: c, time: '20250715 19:05:07 UTC', account: 'DU1', side: 'SLD', shares: 1,
      price: 6300.25, cumQty: 1, avgPrice: 6300.25, orderRef: 'ref-5', lastLiquidity: 2, commission: 2.1, commissionCurrency: 'USD',
    };
    const decoded = decodeWithStoqey([openOrder(o), orderStatus(o), execData(-1, e), commissionReport(e)]);
    expect(decoded.errors).toEqual([]);
    expect(decoded.events.map((ev) => ev.name)).toEqual(['openOrder', 'orderStatus', 'execDetails', 'commissionReport']);
    const [orderId, contract, order, state] = decoded.events[0]?.args ?? [];
    expect(orderId).toBe(5);
    expect(contract).toMatchObject({ conId: c.conId, symbol: 'ES', secType: 'FUT', lastTradeDateOrContractMonth: '20250919', multiplier: 50 });
    expect(order).toMatchObject({ action: 'SELL', totalQuantity: 2, orderType: 'LMT', lmtPrice: 6300.25, tif: 'GTC', orderRef: 'ref-5', permId: 7 });
    expect(state).toMatchObject({ status: 'Submitted' });
    expect(decoded.events[1]?.args.slice(0, 5)).toEqual([5, 'Submitted', 1, 1, 6300.25]);
    expect(decoded.events[3]?.args[0]).toMatchObject({ execId: 'e.1', commission: 2.1, currency: 'USD' });
  });
});

describe('instrumentIdOfContract', () => {
  it('uses the documented form, and a readable fallback for contracts Kestrel does not model', () => {
    expect(instrumentIdOfContract({ symbol: 'ES', secType: 'FUT', lastTradeDateOrContractMonth: '20250919', multiplier: 50, exchange: 'CME', currency: 'USD' })).toBe(
      'IB:FUT:ES:CME:USD:20250919:50',
    );
    expect(instrumentIdOfContract({ symbol: 'AAPL', secType: 'STK', exchange: '', primaryExch: 'NASDAQ', currency: 'USD' })).toBe('IB:STK:AAPL:NASDAQ:USD');
    expect(instrumentIdOfContract({ symbol: 'AAPL', secType: 'OPT', localSymbol: 'AAPL  250117C00150000', exchange: 'SMART', currency: 'USD' })).toBe(
      'IB:OPT:AAPL  250117C00150000:SMART:USD',
    );
  });
});

describe('parseIbTime', () => {
  it.each([
    ['20250715 19:05:07 UTC', 'UTC', Date.UTC(2025, 6, 15, 19, 5, 7)],
    ['20250715 15:05:07 US/Eastern', 'UTC', Date.UTC(2025, 6, 15, 19, 5, 7)], // EDT = UTC−4
    ['20250115 10:00:00 US/Eastern', 'UTC', Date.UTC(2025, 0, 15, 15, 0, 0)], // EST = UTC−5
    ['20250715-19:05:07', 'Asia/Tokyo', Date.UTC(2025, 6, 15, 19, 5, 7)], // dash form is UTC
    ['20250715  19:05:07', 'Europe/Zurich', Date.UTC(2025, 6, 15, 17, 5, 7)], // TWS login zone (CEST)
    ['1752606307', 'UTC', 1752606307000],
  ])('%s (default zone %s)', (raw, zone, expected) => {
    expect(parseIbTime(raw, zone)).toBe(expected);
  });

  it('returns null for text it cannot read or an unknown zone', () => {
    expect(parseIbTime('yesterday', 'UTC')).toBeNull();
    expect(parseIbTime('20250715 19:05:07 Mars/Olympus', 'UTC')).toBeNull();
  });
});

describe('toOrderStatus', () => {
  it.each([
    ['PendingSubmit', 0, 10, 'pending'],
    ['PreSubmitted', 0, 10, 'open'],
    ['Submitted', 0, 10, 'open'],
    ['Submitted', 4, 6, 'partially_filled'],
    ['Filled', 10, 0, 'filled'],
    ['Cancelled', 4, 6, 'canceled'],
    ['ApiCancelled', 0, 10, 'canceled'],
    ['Inactive', 0, 10, 'rejected'],
    ['PendingCancel', 0, 10, null],
  ] as const)('%s filled=%d remaining=%d → %s', (ib, filled, remaining, expected) => {
    expect(toOrderStatus(ib, filled, remaining)).toBe(expected);
  });
});
