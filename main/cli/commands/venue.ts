import { parseArgs } from 'node:util';
import { CCXT_VENUE_IDS, CcxtVenueId, credentialsFromEnv, type CcxtGatewayConfigInput } from '../../adapters/ccxt/config.js';
import { CcxtGateway } from '../../adapters/ccxt/gateway.js';
import { fetchFundingHistory } from '../../adapters/ccxt/history.js';
import { parseOrderBook, parseTradeTick } from '../../adapters/ccxt/parse.js';
import type { Balance, FundingRate, OrderBook, TradeTick } from '../../../shared/model/index.js';
import { CliUsageError, type CliCommand } from '../command.js';

const ACTIONS = ['trades', 'book', 'balance', 'funding'] as const;
type Action = (typeof ACTIONS)[number];

const USAGE = `kestrel venue trades|book|balance|funding --venue ID --symbol SYM [options]

Asks one crypto venue (through ccxt) directly — an operator's check that keys, URLs and streams work.

  --venue ID          ${CCXT_VENUE_IDS.join(', ')}
  --symbol SYM        ccxt unified symbol (BTC/USDT, BTC/USDT:USDT) or instrument id (BINANCEUSDM:BTC/USDT:USDT)
  --account NAME      account whose KESTREL_<NAME>_API_KEY / _API_SECRET are used (default: the venue id); balance needs them
  --testnet           use the venue's testnet (ccxt sandbox)
  --rest-url URL      replace the scheme and host of every REST URL (proxy, testnet, local fake)
  --ws-url URL        replace the scheme and host of every websocket URL
  --limit N           trades: how many recent trades (default 20)
  --depth N           book: levels per side (default 10)
  --watch             trades/book: read from the websocket instead of REST
  --count N           with --watch: stop after N trades or books (default 10 trades, 1 book)
  --from T --to T     funding: history between two times (ISO-8601 or epoch ms) instead of the current rate
  --timeout-ms N      per-request timeout (default 10000)
  --json              print JSON instead of a table`;

export interface VenueCommandIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const processIo: VenueCommandIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliUsageError(`${flag} must be a whole number above 0, got "${value}"`);
  return n;
}

function timeArg(value: string, flag: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new CliUsageError(`${flag} must be an ISO-8601 time or epoch milliseconds, got "${value}"`);
  return n;
}

const iso = (ms: number) => new Date(ms).toISOString();

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function printTrades(trades: TradeTick[]): string {
  return table([['time', 'trade id', 'side', 'price', 'quantity'], ...trades.map((t) => [iso(t.tsEvent), t.tradeId, t.side, String(t.price), String(t.quantity)])]);
}

function printBook(book: OrderBook): string {
  const rows = [['bid size', 'bid', 'ask', 'ask size']];
  for (let i = 0; i < Math.max(book.bids.length, book.asks.length); i++) {
    const b = book.bids[i];
    const a = book.asks[i];
    rows.push([b ? String(b[1]) : '', b ? String(b[0]) : '', a ? String(a[0]) : '', a ? String(a[1]) : '']);
  }
  return `${book.instrumentId} at ${iso(book.tsEvent)}\n${table(rows)}`;
}

function printBalances(balances: Balance[]): string {
  return table([['currency', 'total', 'free', 'used'], ...balances.map((b) => [b.currency, String(b.total), String(b.free), String(b.used)])]);
}

function printFunding(rates: FundingRate[]): string {
  return table([
    ['funding time', 'rate', 'interval h', 'rate 24h', 'mark'],
    ...rates.map((r) => [iso(r.fundingTime), String(r.rate), String(r.intervalHours), r.rate24h.toPrecision(6), r.markPrice === undefined ? '' : String(r.markPrice)]),
  ]);
}

export function createVenueCommand(io: VenueCommandIo = processIo): CliCommand {
  return {
    name: 'venue',
    summary: 'ask a crypto venue (ccxt) for trades, book, balance or funding',
    usage: USAGE,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          venue: { type: 'string' },
          symbol: { type: 'string' },
          account: { type: 'string' },
          testnet: { type: 'boolean', default: false },
          'rest-url': { type: 'string' },
          'ws-url': { type: 'string' },
          limit: { type: 'string' },
          depth: { type: 'string' },
          watch: { type: 'boolean', default: false },
          count: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          'timeout-ms': { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      const action = positionals[0] as Action | undefined;
      if (!action || !ACTIONS.includes(action)) throw new CliUsageError(`say what to ask for: ${ACTIONS.join(', ')} (got ${action ? `"${action}"` : 'nothing'})`);
      if (positionals.length > 1) throw new CliUsageError(`unexpected argument "${positionals[1]}"`);
      if (!values.venue) throw new CliUsageError(`--venue is required (${CCXT_VENUE_IDS.join(', ')})`);
      const venue = CcxtVenueId.safeParse(values.venue);
      if (!venue.success) throw new CliUsageError(`--venue must be one of ${CCXT_VENUE_IDS.join(', ')}, got "${values.venue}"`);
      if (!values.symbol && action !== 'balance') throw new CliUsageError('--symbol is required, e.g. --symbol BTC/USDT:USDT');
      if ((values.from === undefined) !== (values.to === undefined)) throw new CliUsageError('--from and --to go together');
      if (values.watch && action !== 'trades' && action !== 'book') throw new CliUsageError('--watch works with trades and book only');

      const accountId = (values.account ?? venue.data).replace(/[^A-Za-z0-9_]/g, '_');
      const credentials = credentialsFromEnv(accountId, io.env);
      if (action === 'balance' && !credentials)
        throw new CliUsageError(`balance needs API keys: set KESTREL_${accountId.toUpperCase()}_API_KEY and KESTREL_${accountId.toUpperCase()}_API_SECRET (or pass --account NAME)`);
      const config: CcxtGatewayConfigInput = {
        venue: venue.data,
        accountId,
        mode: values.testnet ? 'testnet' : 'live',
        heartbeatMs: 0,
        timeoutMs: positiveInt(values['timeout-ms'], '--timeout-ms', 10_000),
      };
      if (values['rest-url']) config.restUrl = values['rest-url'];
      if (values['ws-url']) config.wsUrl = values['ws-url'];

      const gateway = new CcxtGateway(config, {
        credentials,
        privateStreams: false,
        statusIntervalMs: 0,
        log: (level, message) => {
          if (level !== 'info') io.err(`${message}\n`);
        },
      });
      try {
        await gateway.connect();
        const session = gateway.venueSession();
        const symbol = values.symbol ? session.symbolOf(values.symbol.startsWith(`${session.label}:`) ? values.symbol : session.instrumentId(values.symbol)) : '';
        const instrumentId = session.instrumentId(symbol);
        const ctx = { instrumentId: (s: string) => session.instrumentId(s), nowMs: () => Date.now() };
        let result: unknown;
        let text: string;
        switch (action) {
          case 'trades': {
            let trades: TradeTick[];
            if (values.watch) {
              const count = positiveInt(values.count, '--count', 10);
              trades = await new Promise<TradeTick[]>((resolve) => {
                const got: TradeTick[] = [];
                gateway.setListener({
                  onTrades: (t) => {
                    got.push(...t);
                    if (got.length >= count) resolve(got.slice(0, count));
                  },
                });
                void gateway.subscribeTrades([instrumentId]);
              });
            } else {
              const limit = positiveInt(values.limit, '--limit', 20);
              const raws = await session.call(`fetchTrades ${symbol}`, (ex) => ex.fetchTrades(symbol, undefined, limit));
              trades = raws.map((r) => parseTradeTick(r, ctx)).sort((a, b) => a.tsEvent - b.tsEvent);
            }
            result = trades;
            text = printTrades(trades);
            break;
          }
          case 'book': {
            const depth = positiveInt(values.depth, '--depth', 10);
            let book: OrderBook;
            if (values.watch) {
              const count = positiveInt(values.count, '--count', 1);
              book = await new Promise<OrderBook>((resolve) => {
                let n = 0;
                gateway.setListener({
                  onBook: (b) => {
                    n += 1;
                    if (n >= count) resolve(b);
                  },
                });
                void gateway.subscribeBook([instrumentId], depth);
              });
            } else {
              const raw = await session.call(`fetchOrderBook ${symbol}`, (ex) => ex.fetchOrderBook(symbol, depth));
              book = parseOrderBook(raw, symbol, ctx, depth);
            }
            result = book;
            text = printBook(book);
            break;
          }
          case 'balance': {
            const balances = await gateway.fetchBalances();
            result = balances;
            text = printBalances(balances);
            break;
          }
          case 'funding': {
            let rates: FundingRate[];
            if (values.from !== undefined && values.to !== undefined) {
              const r = await fetchFundingHistory(session, symbol, timeArg(values.from, '--from'), timeArg(values.to, '--to'), (p) => {
                io.err(`\rfunding history: ${Math.round(p.fraction * 100)}% (${p.fetched} rows, ${p.pages} pages)`);
              });
              io.err('\n');
              rates = r.items;
            } else {
              rates = await gateway.fetchFundingRates([instrumentId]);
            }
            result = rates;
            text = printFunding(rates);
            break;
          }
        }
        io.out(values.json ? `${JSON.stringify(result)}\n` : text);
        return 0;
      } finally {
        await gateway.disconnect();
      }
    },
  };
}

export const venueCommand: CliCommand = createVenueCommand();
