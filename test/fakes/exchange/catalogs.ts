import type { ExchangeServer } from './exchange-server.js';
import { readCcxtStatic, readCryptofeedHttp, readHyperliquidCassette } from './recordings.js';

/**
 * The market listings ccxt's loadMarkets asks for. Binance USDⓈ-M answers with the real
 * /fapi/v1/exchangeInfo recorded by cryptofeed (2021-07, 122 contracts) and Hyperliquid with the
 * real `meta` universe from the SDK cassettes. No listing was recorded for Binance spot, OKX, Bybit
 * or Gate, so those are built here in each venue's documented shape (the shapes ccxt's parsers
 * quote in their comments), with the real tick/lot sizes of the few markets the recorded
 * fixtures trade. Built listings are marked in each function's comment.
 */

export function binanceFuturesExchangeInfo(): string {
  const rec = readCryptofeedHttp('BINANCE_FUTURES.0').find((r) => r.url.includes('/fapi/v1/exchangeInfo'));
  if (!rec) throw new Error('cryptofeed BINANCE_FUTURES.0 holds no /fapi/v1/exchangeInfo answer');
  return rec.body;
}

/** Built: Binance spot exchangeInfo symbols in the shape of GET /api/v3/exchangeInfo. */
function binanceSpotSymbol(base: string, quote: string, tickSize: string, stepSize: string, minNotional: string) {
  return {
    symbol: `${base}${quote}`,
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: true,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: tickSize, maxPrice: '1000000.00000000', tickSize },
      { filterType: 'LOT_SIZE', minQty: stepSize, maxQty: '9000.00000000', stepSize },
      { filterType: 'NOTIONAL', minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT', 'MARGIN']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function installBinance(server: ExchangeServer): void {
  const futures = binanceFuturesExchangeInfo();
  server.route('GET', '/fapi/v1/exchangeInfo', () => ({ body: futures }));
  server.route('GET', '/api/v3/exchangeInfo', () => ({
    body: {
      timezone: 'UTC',
      serverTime: 1723161255000,
      rateLimits: [],
      exchangeFilters: [],
      symbols: [
        binanceSpotSymbol('BTC', 'USDT', '0.01000000', '0.00001000', '5.00000000'),
        binanceSpotSymbol('ETH', 'USDT', '0.01000000', '0.00010000', '5.00000000'),
        binanceSpotSymbol('LTC', 'USDT', '0.01000000', '0.00100000', '5.00000000'),
        binanceSpotSymbol('SOL', 'USDT', '0.01000000', '0.00100000', '5.00000000'),
      ],
    },
  }));
  server.route('GET', '/dapi/v1/exchangeInfo', () => ({ body: { timezone: 'UTC', serverTime: 1723161255000, rateLimits: [], exchangeFilters: [], symbols: [] } }));
  server.route('GET', /^\/(fapi|api)\/v[13]\/time$/, () => ({ body: { serverTime: Date.now() } }));
}

/** Built: OKX GET /api/v5/public/instruments entries (shape from OKX's docs as quoted by ccxt). */
function okxInstrument(instType: 'SPOT' | 'SWAP', instId: string, tickSz: string, lotSz: string, minSz: string, ctVal = '', ctType = '') {
  const [base, quote] = instId.split('-');
  const swap = instType === 'SWAP';
  return {
    alias: '',
    baseCcy: swap ? '' : base,
    category: '1',
    ctMult: swap ? '1' : '',
    ctType,
    ctVal,
    ctValCcy: swap ? (ctType === 'inverse' ? quote : base) : '',
    expTime: '',
    instFamily: swap ? `${base}-${quote}` : '',
    instId,
    instType,
    lever: swap ? '100' : '10',
    listTime: '1606468572000',
    lotSz,
    maxLmtSz: '10000000',
    maxMktSz: '1000000',
    minSz,
    optType: '',
    quoteCcy: swap ? '' : quote,
    settleCcy: swap ? (ctType === 'inverse' ? base : quote) : '',
    state: 'live',
    stk: '',
    tickSz,
    uly: swap ? `${base}-${quote}` : '',
  };
}

function installOkx(server: ExchangeServer): void {
  const spot = [
    okxInstrument('SPOT', 'BTC-USDT', '0.1', '0.00000001', '0.00001'),
    okxInstrument('SPOT', 'LTC-USDT', '0.01', '0.000001', '0.001'),
  ];
  const swap = [
    okxInstrument('SWAP', 'BTC-USDT-SWAP', '0.1', '0.01', '0.01', '0.01', 'linear'),
    okxInstrument('SWAP', 'LTC-USDT-SWAP', '0.01', '1', '1', '1', 'linear'),
    okxInstrument('SWAP', 'ADA-USDT-SWAP', '0.0001', '1', '1', '100', 'linear'),
    okxInstrument('SWAP', 'SUSHI-USDT-SWAP', '0.0001', '1', '1', '1', 'linear'),
    okxInstrument('SWAP', 'BTC-USD-SWAP', '0.1', '1', '1', '100', 'inverse'),
  ];
  server.route('GET', '/api/v5/public/instruments', (req) => {
    const t = req.query.get('instType');
    return { body: { code: '0', msg: '', data: t === 'SPOT' ? spot : t === 'SWAP' ? swap : [] } };
  });
  server.route('GET', '/api/v5/public/time', () => ({ body: { code: '0', msg: '', data: [{ ts: String(Date.now()) }] } }));
}

/** Built: Bybit v5 GET /v5/market/instruments-info entries (shape from Bybit's docs as quoted by ccxt). */
function installBybit(server: ExchangeServer): void {
  const spot = [
    { symbol: 'BTCUSDT', baseCoin: 'BTC', quoteCoin: 'USDT', innovation: '0', status: 'Trading', marginTrading: 'both', lotSizeFilter: { basePrecision: '0.000001', quotePrecision: '0.00000001', minOrderQty: '0.000048', maxOrderQty: '71.73956243', minOrderAmt: '1', maxOrderAmt: '2000000' }, priceFilter: { tickSize: '0.01' } },
    { symbol: 'LTCUSDT', baseCoin: 'LTC', quoteCoin: 'USDT', innovation: '0', status: 'Trading', marginTrading: 'both', lotSizeFilter: { basePrecision: '0.00001', quotePrecision: '0.0000001', minOrderQty: '0.001', maxOrderQty: '10000', minOrderAmt: '1', maxOrderAmt: '200000' }, priceFilter: { tickSize: '0.01' } },
    { symbol: 'ETHUSDT', baseCoin: 'ETH', quoteCoin: 'USDT', innovation: '0', status: 'Trading', marginTrading: 'both', lotSizeFilter: { basePrecision: '0.00001', quotePrecision: '0.0000001', minOrderQty: '0.00062', maxOrderQty: '1229.2336343', minOrderAmt: '1', maxOrderAmt: '2000000' }, priceFilter: { tickSize: '0.01' } },
  ];
  const linear = [
    { symbol: 'BTCUSDT', contractType: 'LinearPerpetual', status: 'Trading', baseCoin: 'BTC', quoteCoin: 'USDT', launchTime: '1585526400000', deliveryTime: '0', deliveryFeeRate: '', priceScale: '2', leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' }, priceFilter: { minPrice: '0.10', maxPrice: '199999.80', tickSize: '0.10' }, lotSizeFilter: { maxOrderQty: '100.000', minOrderQty: '0.001', qtyStep: '0.001', postOnlyMaxOrderQty: '1000.000', minNotionalValue: '5' }, unifiedMarginTrade: true, fundingInterval: 480, settleCoin: 'USDT', copyTrading: 'both' },
    { symbol: 'LTCUSDT', contractType: 'LinearPerpetual', status: 'Trading', baseCoin: 'LTC', quoteCoin: 'USDT', launchTime: '1585526400000', deliveryTime: '0', deliveryFeeRate: '', priceScale: '2', leverageFilter: { minLeverage: '1', maxLeverage: '50.00', leverageStep: '0.01' }, priceFilter: { minPrice: '0.01', maxPrice: '1999.98', tickSize: '0.01' }, lotSizeFilter: { maxOrderQty: '35000.0', minOrderQty: '0.1', qtyStep: '0.1', postOnlyMaxOrderQty: '35000.0', minNotionalValue: '5' }, unifiedMarginTrade: true, fundingInterval: 480, settleCoin: 'USDT', copyTrading: 'both' },
  ];
  server.route('GET', '/v5/market/instruments-info', (req) => {
    const category = req.query.get('category');
    const list = category === 'spot' ? spot : category === 'linear' ? linear : [];
    return { body: { retCode: 0, retMsg: 'OK', result: { category, list, nextPageCursor: '' }, retExtInfo: {}, time: Date.now() } };
  });
  server.route('GET', '/v5/market/time', () => ({ body: { retCode: 0, retMsg: 'OK', result: { timeSecond: String(Math.floor(Date.now() / 1000)), timeNano: String(Date.now() * 1e6) }, retExtInfo: {}, time: Date.now() } }));
}

/** Built: Gate GET /spot/currency_pairs and /futures/{settle}/contracts entries (shape from Gate's docs). */
function gateContract(name: string, quanto: string, priceRound: string, fundingIntervalSecs = 28800) {
  return {
    name,
    type: name.endsWith('_USD') ? 'inverse' : 'direct',
    quanto_multiplier: quanto,
    ref_discount_rate: '0',
    order_price_deviate: '0.5',
    maintenance_rate: '0.005',
    mark_type: 'index',
    last_price: '1',
    mark_price: '1',
    index_price: '1',
    funding_rate_indicative: '0.0001',
    mark_price_round: priceRound,
    funding_offset: 0,
    in_delisting: false,
    risk_limit_base: '1000000',
    interest_rate: '0.0003',
    order_price_round: priceRound,
    order_size_min: 1,
    ref_rebate_rate: '0.2',
    funding_interval: fundingIntervalSecs,
    risk_limit_step: '1000000',
    leverage_min: '1',
    leverage_max: '100',
    risk_limit_max: '8000000',
    maker_fee_rate: '-0.00025',
    taker_fee_rate: '0.00075',
    funding_rate: '0.0001',
    order_size_max: 1000000,
    funding_next_apply: 1684944000,
    short_users: 1,
    config_change_time: 1609899548,
    trade_size: 1,
    position_size: 1,
    long_users: 1,
    funding_impact_value: '60000',
    orders_limit: 50,
    trade_id: 1,
    orderbook_id: 1,
    enable_bonus: true,
    enable_credit: true,
    create_time: 1669688556,
    funding_cap_ratio: '0.75',
  };
}

function installGate(server: ExchangeServer): void {
  const pair = (base: string, amountPrecision: number, precision: number) => ({
    id: `${base}_USDT`,
    base,
    quote: 'USDT',
    fee: '0.2',
    min_base_amount: '0.0001',
    min_quote_amount: '1',
    amount_precision: amountPrecision,
    precision,
    trade_status: 'tradable',
    sell_start: 1516378650,
    buy_start: 1516378650,
  });
  server.route('GET', '/api/v4/spot/currency_pairs', () => ({ body: [pair('BTC', 6, 1), pair('LTC', 4, 2)] }));
  server.route('GET', '/api/v4/margin/currency_pairs', () => ({ body: [] }));
  server.route('GET', '/api/v4/futures/usdt/contracts', () => ({
    body: [gateContract('BTC_USDT', '0.0001', '0.1'), gateContract('LTC_USDT', '0.1', '0.01'), gateContract('WOO_USDT', '10', '0.00001'), gateContract('人生K线_USDT', '100', '0.00001')],
  }));
  // The BTC-settled listing is real: ccxt's gate fixture recorded it as the fetchFundingRates answer.
  const btcContracts = readCcxtStatic('gate').methods['fetchFundingRates']?.[0]?.httpResponse ?? [gateContract('BTC_USD', '0', '0.1')];
  server.route('GET', '/api/v4/futures/btc/contracts', () => ({ body: btcContracts }));
  server.route('GET', '/api/v4/spot/time', () => ({ body: { server_time: Date.now() } }));
}

/**
 * Hyperliquid: the real `meta` universe (SDK cassette, 2023) plus HYPE and ADA, listed later; the
 * spot tokens (PURR, UBTC, HPENGU) that ccxt's fixtures trade are built.
 */
function installHyperliquid(server: ExchangeServer): void {
  const metaAnswer = readHyperliquidCassette('test_get_info.yaml').find((i) => i.request['type'] === 'meta');
  if (!metaAnswer) throw new Error('hyperliquid cassette test_get_info.yaml holds no meta answer');
  const meta = JSON.parse(metaAnswer.response) as { universe: Array<{ name: string; szDecimals: number; maxLeverage: number }> };
  for (const [name, szDecimals] of [['HYPE', 2], ['ADA', 0]] as const) {
    if (!meta.universe.some((u) => u.name === name)) meta.universe.push({ name, szDecimals, maxLeverage: 5 });
  }
  const ctx = { dayNtlVlm: '0', funding: '0.0000125', impactPxs: null, markPx: '1', midPx: '1', openInterest: '0', oraclePx: '1', premium: '0', prevDayPx: '1' };
  const spotMeta = {
    tokens: [
      { name: 'USDC', szDecimals: 8, weiDecimals: 8, index: 0, tokenId: '0x6d1e7cde53ba9467b783cb7c530ce054', isCanonical: true },
      { name: 'PURR', szDecimals: 0, weiDecimals: 5, index: 1, tokenId: '0xc1fb593aeffbeb02f85e0308e9956a90', isCanonical: true },
      { name: 'UBTC', szDecimals: 5, weiDecimals: 10, index: 2, tokenId: '0x8f254b963e8468305d409b33aa137c67', isCanonical: false },
      { name: 'HPENGU', szDecimals: 0, weiDecimals: 6, index: 3, tokenId: '0x4e4a0f5c6cb5d4e2a0e0f3b4c5d6e7f8', isCanonical: false },
    ],
    universe: [
      { tokens: [1, 0], name: 'PURR/USDC', index: 0, isCanonical: true },
      { tokens: [2, 0], name: '@142', index: 1, isCanonical: false },
      { tokens: [3, 0], name: '@163', index: 2, isCanonical: false },
    ],
  };
  server.route('POST', '/info', (req) => {
    const type = (req.json as { type?: string } | null)?.type;
    if (type === 'metaAndAssetCtxs') return { body: [meta, meta.universe.map(() => ctx)] };
    if (type === 'spotMetaAndAssetCtxs') return { body: [spotMeta, spotMeta.universe.map((u) => ({ ...ctx, coin: u.name, midPx: '0.2' }))] };
    if (type === 'spotMeta') return { body: spotMeta };
    if (type === 'perpDexs') return { body: [null] };
    if (type === 'userAbstraction') return { body: '"default"' };
    return undefined;
  });
}

/** Installs the venue's market listing (and server time) routes. */
export function installCatalog(server: ExchangeServer): void {
  switch (server.venue) {
    case 'binance':
    case 'binanceusdm':
      return installBinance(server);
    case 'okx':
      return installOkx(server);
    case 'bybit':
      return installBybit(server);
    case 'gate':
      return installGate(server);
    case 'hyperliquid':
      return installHyperliquid(server);
  }
}
