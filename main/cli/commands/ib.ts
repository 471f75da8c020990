import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeZodError } from '../../../shared/api/errors.js';
import { IB_PAPER_PORT } from '../../adapters/ib/config.js';
import { IbContractQuery } from '../../adapters/ib/contract-query.js';
import { IbGateway } from '../../adapters/ib/gateway.js';
import { CliUsageError, type CliCommand } from '../command.js';

const USAGE = `kestrel ib positions|account|contracts [options]

Asks a running TWS / IB Gateway directly (no Kestrel core needed) and prints a table, or JSON.

  --host H            TWS host (default 127.0.0.1)
  --port P            TWS API port (default ${IB_PAPER_PORT}, paper TWS; live TWS 7496, IB Gateway 4002/4001)
  --client-id N       API client id (default 900, so it does not collide with the workstation's)
  --timeout-ms MS     how long to wait for TWS (default 10000)
  --json              print JSON instead of a table

  positions           every position of the login (reqPositions)
  account             account values: NetLiquidation, TotalCashValue, … (account summary)
  contracts           contract search (seed 002's FIND_CONTRACTS):
      --symbol S          required, e.g. AAPL, BRR, EUR, BTC
      --sec-type T        STK (default), FUT, CASH, CRYPTO
      --exchange X        e.g. SMART, CMECRYPTO, IDEALPRO, PAXOS
      --currency C        e.g. USD, HKD
      --expiry YYYYMM[DD] and --multiplier M narrow futures`;

const Args = z
  .object({
    action: z.enum(['positions', 'account', 'contracts'], { error: 'the first argument must be positions, account or contracts' }),
    host: z.string().min(1),
    port: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(65_535),
    clientId: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0),
    timeoutMs: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(100).max(600_000),
    json: z.boolean(),
  })
  .strict();

export interface IbCommandIo {
  out(text: string): void;
}

/** Builds the command; tests pass their own `out` to read what it prints. */
export function createIbCommand(io: IbCommandIo = { out: (t) => process.stdout.write(t) }): CliCommand {
  return {
    name: 'ib',
    summary: 'ask TWS for positions, account values or contracts',
    usage: USAGE,
    async run(argv) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', default: String(IB_PAPER_PORT) },
          'client-id': { type: 'string', default: '900' },
          'timeout-ms': { type: 'string', default: '10000' },
          json: { type: 'boolean', default: false },
          symbol: { type: 'string' },
          'sec-type': { type: 'string' },
          exchange: { type: 'string' },
          currency: { type: 'string' },
          expiry: { type: 'string' },
          multiplier: { type: 'string' },
        },
        strict: true,
      });
      if (positionals.length !== 1) throw new CliUsageError(`expected one of positions, account, contracts; got ${positionals.length ? positionals.join(' ') : 'nothing'}`);
      const parsed = Args.safeParse({
        action: positionals[0],
        host: values.host,
        port: values.port,
        clientId: values['client-id'],
        timeoutMs: values['timeout-ms'],
        json: values.json,
      });
      if (!parsed.success) throw new CliUsageError(describeZodError(parsed.error, 'arguments').replace(/\bclientId\b/, '--client-id').replace(/\btimeoutMs\b/, '--timeout-ms'));
      const args = parsed.data;
      const contractFlags = ['symbol', 'sec-type', 'exchange', 'currency', 'expiry', 'multiplier'] as const;
      if (args.action !== 'contracts') {
        const stray = contractFlags.filter((f) => values[f] !== undefined);
        if (stray.length) throw new CliUsageError(`--${stray.join(', --')} only apply to "ib contracts"`);
      }
      let query: IbContractQuery | null = null;
      if (args.action === 'contracts') {
        if (!values.symbol) throw new CliUsageError('"ib contracts" needs --symbol, e.g. --symbol AAPL or --symbol BRR --sec-type FUT');
        const q = IbContractQuery.safeParse({
          secType: (values['sec-type'] ?? 'STK').toUpperCase(),
          symbol: values.symbol,
          ...(values.exchange ? { exchange: values.exchange.toUpperCase() } : {}),
          ...(values.currency ? { currency: values.currency.toUpperCase() } : {}),
          ...(values.expiry ? { expiry: values.expiry } : {}),
          ...(values.multiplier ? { multiplier: values.multiplier } : {}),
        });
        if (!q.success) throw new CliUsageError(describeZodError(q.error, 'contract search'));
        query = q.data;
      }

      const gw = new IbGateway({
        gatewayId: 'ib-cli',
        host: args.host,
        port: args.port,
        clientId: args.clientId,
        reconnect: { enabled: false },
        accountUpdates: false,
        connectTimeoutMs: args.timeoutMs,
        requestTimeoutMs: args.timeoutMs,
        heartbeatIntervalMs: 600_000,
        heartbeatTimeoutMs: 600_000,
      });
      try {
        await gw.connect();
        if (args.action === 'positions') {
          const rows = await gw.fetchPositions();
          io.out(
            args.json
              ? `${JSON.stringify(rows, null, 2)}\n`
              : table(
                  ['account', 'instrumentId', 'quantity', 'avgPrice', 'markPrice'],
                  rows.map((p) => [p.accountId, p.instrumentId, String(p.quantity), String(p.avgPrice), p.markPrice === null ? '' : String(p.markPrice)]),
                ),
          );
        } else if (args.action === 'account') {
          const rows = await gw.fetchAccountValues();
          io.out(args.json ? `${JSON.stringify(rows, null, 2)}\n` : table(['account', 'tag', 'value', 'currency'], rows.map((v) => [v.accountId, v.tag, v.value, v.currency])));
        } else if (query) {
          const rows = await gw.findContracts(query);
          io.out(
            args.json
              ? `${JSON.stringify(rows, null, 2)}\n`
              : table(
                  ['instrumentId', 'kind', 'tickSize', 'lotSize', 'multiplier', 'expiry'],
                  rows.map((i) => [i.instrumentId, i.kind, String(i.tickSize), String(i.lotSize), String(i.multiplier), i.expiry ?? '']),
                ),
          );
        }
        return 0;
      } finally {
        await gw.disconnect();
      }
    },
  };
}

export const ibCommand = createIbCommand();

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
