import type { FakeContract } from './messages.js';

const base = {
  lastTradeDateOrContractMonth: '',
  multiplier: '',
  primaryExch: '',
  marketName: '',
  longName: '',
  timeZoneId: 'US/Eastern',
  minSize: '1',
  sizeIncrement: '1',
};

/**
 * The fake TWS's security master. AAPL (265598) and ES (637533641) carry the conIds of the
 * positions in the recorded session; the BRR futures and SEHK 1137 are seed 002's FIND_CONTRACTS
 * examples (IBGateway:Contract:FUT:CMECRYPTO:USD-BRR:20210625:5 and :0.1, STK:SEHK:HKD-1137).
 * Other conIds are made up.
 */
export const FAKE_CONTRACTS: FakeContract[] = [
  { ...base, conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', primaryExch: 'NASDAQ', currency: 'USD', localSymbol: 'AAPL', tradingClass: 'NMS', marketName: 'NMS', minTick: 0.01, longName: 'APPLE INC' },
  { ...base, conId: 637533641, symbol: 'ES', secType: 'FUT', lastTradeDateOrContractMonth: '20250919', multiplier: '50', exchange: 'CME', currency: 'USD', localSymbol: 'ESU5', tradingClass: 'ES', marketName: 'ES', minTick: 0.25, longName: 'E-mini S&P 500', timeZoneId: 'US/Central' },
  { ...base, conId: 428519925, symbol: 'BRR', secType: 'FUT', lastTradeDateOrContractMonth: '20210625', multiplier: '5', exchange: 'CMECRYPTO', currency: 'USD', localSymbol: 'BRRM1', tradingClass: 'BRR', marketName: 'BRR', minTick: 5, longName: 'CME CF Bitcoin Reference Rate', timeZoneId: 'US/Central' },
  { ...base, conId: 472720567, symbol: 'BRR', secType: 'FUT', lastTradeDateOrContractMonth: '20210625', multiplier: '0.1', exchange: 'CMECRYPTO', currency: 'USD', localSymbol: 'MBTM1', tradingClass: 'MBT', marketName: 'MBT', minTick: 5, longName: 'Micro Bitcoin', timeZoneId: 'US/Central' },
  { ...base, conId: 40449710, symbol: '1137', secType: 'STK', exchange: 'SEHK', currency: 'HKD', localSymbol: '1137', tradingClass: '1137', marketName: '1137', minTick: 0.001, longName: 'HONG KONG TECHNOLOGY VENTURE', timeZoneId: 'Asia/Hong_Kong', minSize: '1000', sizeIncrement: '1000' },
  { ...base, conId: 12087792, symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', currency: 'USD', localSymbol: 'EUR.USD', tradingClass: 'EUR.USD', marketName: 'EUR.USD', minTick: 0.00005, longName: 'European Monetary Union Euro', timeZoneId: 'US/Eastern', minSize: '0.01', sizeIncrement: '0.01' },
  { ...base, conId: 479624278, symbol: 'BTC', secType: 'CRYPTO', exchange: 'PAXOS', currency: 'USD', localSymbol: 'BTC.USD', tradingClass: 'BTC', marketName: 'BTC', minTick: 0.25, longName: 'Bitcoin', timeZoneId: 'US/Eastern', minSize: '0.0001', sizeIncrement: '0.00000001' },
];
