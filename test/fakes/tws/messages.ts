/**
 * Server → client TWS messages the recorded session does not contain, built field by field in the
 * order @stoqey/ib 1.6's decoder reads them at server version 173
 * (node_modules/@stoqey/ib/dist/core/io/decoder.js: decodeMsg_* and OrderDecoder). Messages that
 * do exist in ../shared/fixtures/ib-tws (currentTime, managedAccounts, positions, account summary)
 * are replayed from the recording instead (see fake-tws.ts).
 *
 * If a field count here drifts from the decoder, @stoqey/ib reports "unprocessed data left on
 * queue" or an underrun, which the integration tests assert never happens.
 */
import { encodeBody, type WireField } from './wire.js';

export const SERVER_VERSION = 173;

/** Incoming message ids (server → client), enum IN_MSG_ID in @stoqey/ib. */
export const IN = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  ACCT_VALUE: 6,
  PORTFOLIO_VALUE: 7,
  ACCT_UPDATE_TIME: 8,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MARKET_DEPTH: 12,
  MARKET_DEPTH_L2: 13,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  CURRENT_TIME: 49,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  ACCT_DOWNLOAD_END: 54,
  EXECUTION_DATA_END: 55,
  COMMISSION_REPORT: 59,
} as const;

/** Outgoing message ids (client → server), enum OUT_MSG_ID in @stoqey/ib. */
export const OUT = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MKT_DEPTH: 10,
  CANCEL_MKT_DEPTH: 11,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  REQ_CURRENT_TIME: 49,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
} as const;

/** A contract as the fake keeps it (the subset of IB's ContractDetails the decoder reads). */
export interface FakeContract {
  conId: number;
  symbol: string;
  secType: 'STK' | 'FUT' | 'CASH' | 'CRYPTO' | 'OPT';
  lastTradeDateOrContractMonth: string;
  multiplier: string;
  exchange: string;
  primaryExch: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
  marketName: string;
  minTick: number;
  longName: string;
  timeZoneId: string;
  minSize: string;
  sizeIncrement: string;
}

export interface FakeOrder {
  orderId: number;
  clientId: number;
  permId: number;
  contract: FakeContract;
  action: 'BUY' | 'SELL';
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | null;
  auxPrice: number | null;
  tif: string;
  account: string;
  orderRef: string;
  status: string;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
}

export interface FakeExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  contract: FakeContract;
  /** "20250715 19:05:07 UTC": TWS sends the time with a zone name. */
  time: string;
  account: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  /** 1 added liquidity (maker), 2 removed (taker). */
  lastLiquidity: number;
  commission: number;
  commissionCurrency: string;
}

const body = (fields: WireField[]): string => encodeBody(fields);

export const tickPrice = (tickerId: number, tickType: number, price: number, size: number | '' = ''): string =>
  body([IN.TICK_PRICE, 6, tickerId, tickType, price, size, 0]);

export const tickSize = (tickerId: number, tickType: number, size: number): string => body([IN.TICK_SIZE, 6, tickerId, tickType, size]);

export const orderStatus = (o: FakeOrder): string =>
  // sv >= MARKET_CAP_PRICE (131): no version field; ends with mktCapPrice.
  body([IN.ORDER_STATUS, o.orderId, o.status, o.filled, o.totalQuantity - o.filled, o.avgFillPrice, o.permId, 0, o.lastFillPrice, o.clientId, '', 0]);

/** ERR_MSG version 2; the trailing advancedOrderRejectJson exists from sv 166. */
export const errMsg = (id: number, code: number, message: string, advancedOrderRejectJson = ''): string =>
  body([IN.ERR_MSG, 2, id, code, message, advancedOrderRejectJson]);

export const nextValidId = (orderId: number): string => body([IN.NEXT_VALID_ID, 1, orderId]);
export const managedAccounts = (accounts: string): string => body([IN.MANAGED_ACCTS, 1, accounts]);
export const contractDataEnd = (reqId: number): string => body([IN.CONTRACT_DATA_END, 1, reqId]);
export const openOrderEnd = (): string => body([IN.OPEN_ORDER_END, 1]);
export const execDataEnd = (reqId: number): string => body([IN.EXECUTION_DATA_END, 1, reqId]);
export const acctUpdateTime = (hhmm: string): string => body([IN.ACCT_UPDATE_TIME, 1, hhmm]);
export const acctDownloadEnd = (account: string): string => body([IN.ACCT_DOWNLOAD_END, 1, account]);
export const acctValue = (key: string, value: string, currency: string, account: string): string =>
  body([IN.ACCT_VALUE, 2, key, value, currency, account]);

export const portfolioValue = (
  c: FakeContract,
  position: number,
  marketPrice: number,
  averageCost: number,
  account: string,
): string => {
  const multiplier = Number(c.multiplier || '1');
  const marketValue = position * marketPrice * multiplier;
  const unrealized = marketValue - position * averageCost;
  return body([
    IN.PORTFOLIO_VALUE, 8, c.conId, c.symbol, c.secType, c.lastTradeDateOrContractMonth, 0, '', c.multiplier, c.primaryExch, c.currency,
    c.localSymbol, c.tradingClass, position, marketPrice, marketValue, averageCost, unrealized, 0, account,
  ]);
};

/** CONTRACT_DATA at sv 173 (>= SIZE_RULES 164: no version field; < LAST_TRADE_DATE 182, < FUND_DATA_FIELDS 179). */
export const contractData = (reqId: number, c: FakeContract): string =>
  body([
    IN.CONTRACT_DATA, reqId, c.symbol, c.secType, c.lastTradeDateOrContractMonth, 0, '', c.exchange, c.currency, c.localSymbol,
    c.marketName, c.tradingClass, c.conId, c.minTick, c.multiplier, 'LMT,MKT,STP', `SMART,${c.exchange}`, 1, 0, c.longName,
    c.primaryExch, c.lastTradeDateOrContractMonth.slice(0, 6), '', '', '', c.timeZoneId, '', '', '', '', 0, 1, '', '', '26',
    c.lastTradeDateOrContractMonth, c.secType === 'STK' ? 'COMMON' : '', c.minSize, c.sizeIncrement, c.sizeIncrement,
  ]);

/** EXECUTION_DATA at sv 173 (>= LAST_LIQUIDITY 136: no version field; < PENDING_PRICE_REVISION 178). */
export const execData = (reqId: number, e: FakeExecution): string => {
  const c = e.contract;
  return body([
    IN.EXECUTION_DATA, reqId, e.orderId, c.conId, c.symbol, c.secType, c.lastTradeDateOrContractMonth, 0, '', c.multiplier,
    c.exchange, c.currency, c.localSymbol, c.tradingClass, e.execId, e.time, e.account, c.exchange, e.side, e.shares, e.price,
    e.permId, e.clientId, 0, e.cumQty, e.avgPrice, e.orderRef, '', '', '', e.lastLiquidity,
  ]);
};

export interface FakeBar {
  /** Epoch seconds (formatDate 2). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/** HISTORICAL_DATA at sv 173 (>= SYNT_REALTIME_BARS 124: no version; start/end strings; bar count per bar). */
export const historicalData = (reqId: number, start: string, end: string, bars: FakeBar[]): string =>
  body([IN.HISTORICAL_DATA, reqId, start, end, bars.length, ...bars.flatMap((b) => [b.time, b.open, b.high, b.low, b.close, b.volume, b.wap, b.count])]);

export const commissionReport = (e: FakeExecution): string =>
  body([IN.COMMISSION_REPORT, 1, e.execId, e.commission, e.commissionCurrency, '1.7976931348623157E308', '1.7976931348623157E308', '']);

export const marketDepth = (tickerId: number, position: number, operation: 0 | 1 | 2, side: 0 | 1, price: number, size: number): string =>
  body([IN.MARKET_DEPTH, 1, tickerId, position, operation, side, price, size]);

export const marketDepthL2 = (
  tickerId: number,
  position: number,
  marketMaker: string,
  operation: 0 | 1 | 2,
  side: 0 | 1,
  price: number,
  size: number,
): string => body([IN.MARKET_DEPTH_L2, 1, tickerId, position, marketMaker, operation, side, price, size, 0]);

/**
 * OPEN_ORDER at sv 173: no version field (>= ORDER_CONTAINER 145), so OrderDecoder runs with
 * version = 173. Fields in the order of decodeMsg_OPEN_ORDER's readXxx calls; empty strings where
 * the decoder accepts "unset".
 */
export const openOrder = (o: FakeOrder): string => {
  const c = o.contract;
  const f: WireField[] = [IN.OPEN_ORDER, o.orderId];
  // readContractFields
  f.push(c.conId, c.symbol, c.secType, c.lastTradeDateOrContractMonth, 0, '', c.multiplier, c.exchange, c.currency, c.localSymbol, c.tradingClass);
  // action .. orderRef
  f.push(o.action, o.totalQuantity, o.orderType, o.lmtPrice ?? '', o.auxPrice ?? '', o.tif, '', o.account, 'O', 0, o.orderRef);
  // clientId, permId, outsideRth, hidden, discretionaryAmt, goodAfterTime, sharesAllocation
  f.push(o.clientId, o.permId, 0, 0, 0, '', '');
  // faGroup, faMethod, faPercentage, faProfile (sv < FA_PROFILE_DESUPPORT 177), modelCode, goodTillDate
  f.push('', '', '', '', '', '');
  // rule80A, percentOffset, settlingFirm, shortSaleSlot, designatedLocation, exemptCode, auctionStrategy
  f.push('', '', '', 0, '', -1, 0);
  // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper, displaySize
  f.push('', '', '', '', '', '');
  // blockOrder, sweepToFill, allOrNone, minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap
  f.push(0, 0, 0, '', 3, 0, 0, '');
  // parentId, triggerMethod
  f.push(0, 0);
  // readVolOrderParams: volatility, volatilityType, deltaNeutralOrderType (empty: no DN extras), deltaNeutralAuxPrice, continuousUpdate, referencePriceType
  f.push('', 0, '', '', 0, 0);
  // readTrailParams: trailStopPrice, trailingPercent; readBasisPoints: basisPoints, basisPointsType
  f.push('', '', '', '');
  // readComboLegs: description, comboLegsCount, orderComboLegsCount; smartComboRoutingParamsCount
  f.push('', 0, 0, 0);
  // readScaleOrderParams: initLevelSize, subsLevelSize, priceIncrement (empty: no scale extras)
  f.push('', '', '');
  // hedgeType (empty: no hedgeParam), optOutSmartRouting, clearingAccount, clearingIntent, notHeld
  f.push('', 0, '', 'IB', 0);
  // deltaNeutral contract flag, algoStrategy (empty: no params), solicited
  f.push(0, '', 0);
  // readWhatIfInfoAndCommission: whatIf, status, 6 "before/change" margins (sv >= 142), 3 "after", commission, min, max, currency, warning
  f.push(0, o.status, '', '', '', '', '', '', '', '', '', '', '', '', '', '');
  // randomizeSize, randomizePrice; conditions count
  f.push(0, 0, 0);
  // readAdjustedOrderParams: adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount, adjustableTrailingUnit
  f.push('None', '', '', '', '', '', '', 0);
  // softDollarTier name/value/displayName, cashQty, dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice, usePriceMgmtAlgo
  f.push('', '', '', '', 0, 0, 0, 0);
  // duration, postToAts, autoCancelParent
  f.push('', '', 0);
  // readPegBestPegMidOrderAttributes (sv >= 170): minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
  f.push('', '', '', '', '');
  return body(f);
};
