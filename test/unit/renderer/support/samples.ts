import type { Account, Bar, Fill, Order, TradeTick } from '../../../../shared/model/index.js';

export const INSTRUMENT = 'SIM:BTC/USDT:USDT';

export function order(over: Partial<Order> = {}): Order {
  return {
    clientOrderId: 'c-1',
    venueOrderId: null,
    accountId: 'paper',
    instrumentId: INSTRUMENT,
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    quantity: 2,
    price: 100,
    stopPrice: null,
    status: 'open',
    filledQuantity: 0,
    avgFillPrice: null,
    reason: null,
    tsCreated: 1_000,
    tsUpdated: 1_000,
    ...over,
  };
}

export function fill(over: Partial<Fill> = {}): Fill {
  return {
    fillId: 'f-1',
    venueTradeId: 't-1',
    clientOrderId: 'c-1',
    venueOrderId: 'v-1',
    accountId: 'paper',
    instrumentId: INSTRUMENT,
    side: 'buy',
    quantity: 1,
    price: 100,
    fee: 0.05,
    feeCurrency: 'USDT',
    liquidity: 'taker',
    tsEvent: 2_000,
    ...over,
  };
}

export function bar(openTime: number, close: number, over: Partial<Bar> = {}): Bar {
  return {
    instrumentId: INSTRUMENT,
    interval: '1m',
    openTime,
    closeTime: openTime + 59_999,
    timeLabel: 1,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    quoteVolume: close,
    tradeCount: 1,
    vwap: close,
    buyVolume: 1,
    sellVolume: 0,
    buyQuoteVolume: close,
    sellQuoteVolume: 0,
    final: false,
    ...over,
  };
}

export function trade(tradeId: string, tsEvent: number, over: Partial<TradeTick> = {}): TradeTick {
  return { instrumentId: INSTRUMENT, tradeId, price: 100, quantity: 1, side: 'buy', tsEvent, tsInit: tsEvent + 1, ...over };
}

export function account(accountId: string, over: Partial<Account> = {}): Account {
  return { accountId, venue: 'PAPER', mode: 'paper', dryRun: false, baseCurrency: 'USD', ...over };
}
