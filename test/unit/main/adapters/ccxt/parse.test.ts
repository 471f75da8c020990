import { describe, expect, it } from 'vitest';
import {
  DECIMAL_PLACES,
  intervalHoursOf,
  parseBalances,
  parseFill,
  parseFundingHistoryEntry,
  parseFundingRate,
  parseInstrument,
  parseOrder,
  parseOrderAck,
  parseOrderBook,
  parsePosition,
  parseQuoteTick,
  parseTradeTick,
  quoteFromBook,
} from '../../../../../main/adapters/ccxt/parse.js';
import { readCcxtStatic } from '../../../../fakes/exchange/recordings.js';

/** ccxt's own expected results (its static fixtures) are the inputs: the shapes ccxt really returns. */
const binance = readCcxtStatic('binance');
const expected = (method: string, description: string) => binance.methods[method]!.find((c) => c.description === description)!.parsedResponse;

const ctx = {
  accountId: 'acct1',
  instrumentId: (s: string) => `BINANCE:${s}`,
  nowMs: () => 1_800_000_000_000,
  clientOrderIdOf: (c: string | null, v: string | null) => (c === 'x-R4BD3S824d31be3228a348eaa0a303' ? 'kestrel-1' : c ?? `BINANCE:${v}`),
};

describe('parse: ccxt objects → Kestrel model', () => {
  it('a public trade keeps the taker side, id, price, amount and venue time', () => {
    const [t] = expected('fetchTrades', 'public spot trades') as Array<Record<string, unknown>>;
    expect(parseTradeTick(t, ctx)).toEqual({ instrumentId: 'BINANCE:BTC/USDT', tradeId: '2913537567', price: 73238.7, quantity: 0.00109, side: 'buy', tsEvent: 1710327661939, tsInit: 1_800_000_000_000 });
  });

  it('refuses a trade it could not deduplicate or price', () => {
    const [t] = expected('fetchTrades', 'public spot trades') as Array<Record<string, unknown>>;
    expect(() => parseTradeTick({ ...t, id: undefined }, ctx)).toThrow(/has no id \(cannot deduplicate it\)/);
    expect(() => parseTradeTick({ ...t, price: Number.NaN }, ctx)).toThrow(/price/);
    expect(() => parseTradeTick({ ...t, price: 0 }, ctx)).toThrow(/price: must be greater than 0/);
    expect(() => parseTradeTick('garbage', ctx)).toThrow(/invalid ccxt trade/);
  });

  it('a ticker becomes a quote; a one-sided ticker becomes none', () => {
    const t = expected('fetchTicker', 'public spot ticker');
    expect(parseQuoteTick(t, ctx)).toMatchObject({ instrumentId: 'BINANCE:BTC/USDT', bid: 73369.83, bidSize: 6.27086, ask: 73369.84, askSize: 0.03321, last: 73369.84, tsEvent: 1710328245391 });
    expect(parseQuoteTick({ ...(t as object), bid: null }, ctx)).toBeNull();
  });

  it('a book is cut to depth and keeps the nonce as sequence', () => {
    const b = parseOrderBook(expected('fetchOrderBook', 'spot orderbook'), 'BTC/USDT', ctx, 1);
    expect(b).toEqual({ instrumentId: 'BINANCE:BTC/USDT', bids: [[42574.3, 0.0107]], asks: [[42574.31, 0.0087]], sequence: 25445101, tsEvent: 1_800_000_000_000 });
    expect(quoteFromBook(b, 5)).toEqual({ instrumentId: 'BINANCE:BTC/USDT', bid: 42574.3, bidSize: 0.0107, ask: 42574.31, askSize: 0.0087, tsEvent: 1_800_000_000_000, tsInit: 5 });
  });

  it("an order maps ccxt's status and keeps both ids, Kestrel's clientOrderId resolved", () => {
    const o = parseOrder(expected('createOrder', 'spot +selfTradePrevention +iceberg'), ctx);
    expect(o).toMatchObject({ clientOrderId: 'kestrel-1', venueOrderId: '9780331417', instrumentId: 'BINANCE:SOL/USDT', side: 'buy', type: 'limit', quantity: 0.05, price: 241, status: 'open', filledQuantity: 0, timeInForce: 'GTC' });
    const base = expected('createOrder', 'spot +selfTradePrevention +iceberg') as Record<string, unknown>;
    expect(parseOrder({ ...base, status: 'open', filled: 0.02 }, ctx).status).toBe('partially_filled');
    expect(parseOrder({ ...base, status: 'closed', filled: 0.05 }, ctx).status).toBe('filled');
    expect(parseOrder({ ...base, status: 'canceled' }, ctx).status).toBe('canceled');
    expect(parseOrder({ ...base, status: 'rejected' }, ctx)).toMatchObject({ status: 'rejected', reason: 'rejected by the venue' });
    expect(parseOrder({ ...base, type: 'stop_market', triggerPrice: 230, price: null }, ctx)).toMatchObject({ type: 'stop', stopPrice: 230, price: null });
  });

  it('an id-only createOrder answer is completed from what Kestrel sent', () => {
    const o = parseOrderAck({ id: '77', info: {} }, { symbol: 'LTC/USDT', side: 'sell', amount: 0.2, price: 60, type: 'limit' }, ctx);
    expect(o).toMatchObject({ venueOrderId: '77', side: 'sell', quantity: 0.2, price: 60, status: 'open', instrumentId: 'BINANCE:LTC/USDT' });
  });

  it('an own trade becomes a fill with fee and liquidity', () => {
    const [t] = expected('fetchMyTrades', 'Swap private trade') as Array<Record<string, unknown>>;
    const f = parseFill(t, { ...ctx, gatewayId: 'binanceusdm:acct1' });
    expect(f).toMatchObject({ fillId: 'binanceusdm:acct1:272536245', venueTradeId: '272536245', venueOrderId: '3524852987', clientOrderId: 'BINANCE:3524852987', side: 'buy', quantity: 0.01, price: 36567.1, fee: 0.1462684, feeCurrency: 'USDT', liquidity: 'taker', tsEvent: 1699972836419 });
  });

  it('balances: one row per listed currency; nothing invented for empty ones', () => {
    const balances = parseBalances(expected('fetchBalance', 'Linear swap balance'), ctx);
    expect(balances).toEqual([{ accountId: 'acct1', currency: 'USDT', total: 31.022612, free: 31.022612, used: 0, tsUpdated: 1_800_000_000_000 }]);
    expect(parseBalances({ info: {}, XRP: { free: null, used: null, total: null } }, ctx)).toEqual([]);
  });

  it('positions are signed contracts; flat ones are dropped', () => {
    const [p] = expected('fetchPositions', 'Fetch linear positions with symbols') as Array<Record<string, unknown>>;
    expect(parsePosition({ ...p, contracts: 3, side: 'short' }, ctx)?.quantity).toBe(-3);
    expect(parsePosition({ ...p, contracts: 0 }, ctx)).toBeNull();
  });

  it('funding: the venue-stated interval wins, else the fallback; rate24h scales to a day', () => {
    const f = { symbol: 'BTC/USDT:USDT', fundingRate: 0.0001, fundingTimestamp: 1_700_000_000_000, interval: '4h', markPrice: 60_000 };
    expect(parseFundingRate(f, ctx, 8)).toMatchObject({ instrumentId: 'BINANCE:BTC/USDT:USDT', rate: 0.0001, intervalHours: 4, fundingTime: 1_700_000_000_000, markPrice: 60_000 });
    expect(parseFundingRate(f, ctx, 8).rate24h).toBeCloseTo(0.0006, 15);
    expect(parseFundingRate({ ...f, interval: undefined }, ctx, 8).rate24h).toBeCloseTo(0.0003, 15);
    expect(parseFundingRate({ ...f, fundingRate: '0.0002' }, ctx, 1).rate).toBe(0.0002);
    expect(intervalHoursOf('30m')).toBe(0.5);
    expect(intervalHoursOf('1d')).toBe(24);
    expect(intervalHoursOf('weird')).toBeUndefined();
    expect(parseFundingHistoryEntry({ symbol: 'BTC/USDC:USDC', fundingRate: 0.0000125, timestamp: 5, info: { premium: '-0.0003' } })).toEqual({ symbol: 'BTC/USDC:USDC', fundingTime: 5, rate: 0.0000125, premium: -0.0003 });
  });

  it('a market becomes an instrument with tick and lot sizes in either ccxt precision mode', () => {
    const market = { symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', settle: 'USDT', type: 'swap', swap: true, active: true, contractSize: 1, precision: { amount: 0.001, price: 0.1 }, limits: { cost: { min: 5 } } };
    expect(parseInstrument(market, ctx, 'BINANCEUSDM', 4)).toEqual({
      instrumentId: 'BINANCE:BTC/USDT:USDT', venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT', kind: 'perp', base: 'BTC', quote: 'USDT', settle: 'USDT',
      tickSize: 0.1, lotSize: 0.001, minNotional: 5, multiplier: 1, simulated: false, active: true,
    });
    expect(parseInstrument({ ...market, precision: { amount: 3, price: 1 } }, ctx, 'X', DECIMAL_PLACES)).toMatchObject({ tickSize: 0.1, lotSize: 0.001 });
    expect(() => parseInstrument({ ...market, precision: { amount: null, price: 0.1 } }, ctx, 'X', 4)).toThrow(/lotSize/);
  });
});
