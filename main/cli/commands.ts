import type { CliCommand } from './command.js';

/**
 * Every `kestrel` subcommand, loaded on demand so a batch job does not pay for what it does not
 * use (ccxt alone costs 0.5 s and 87 MB to import).
 */
export const commandIndex: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  serve: { summary: 'serve the workstation to a browser on 127.0.0.1', load: async () => (await import('./commands/serve.js')).serveCommand },
  import: { summary: 'import recorded trade files into the Parquet store', load: async () => (await import('./commands/import.js')).importCommand },
  ib: { summary: 'ask TWS for positions, account values or contracts', load: async () => (await import('./commands/ib.js')).ibCommand },
  aggregate: { summary: 'build 5m/1h/…/24h bars from a Binance aggTrades CSV', load: async () => (await import('./commands/aggregate.js')).aggregateCommand },
  venue: { summary: 'ask a crypto venue (ccxt) for trades, book, balance or funding', load: async () => (await import('./commands/venue.js')).venueCommand },
  backfill: { summary: 'fetch trades, bars, funding or premium index history from a crypto venue into Parquet', load: async () => (await import('./commands/backfill.js')).backfillCommand },
  universe: { summary: 'build and write the next universe version from a crypto venue now', load: async () => (await import('./commands/universe.js')).universeCommand },
  bench: { summary: 'benchmark the bar aggregator against a memory-scan floor and DuckDB', load: async () => (await import('./commands/bench.js')).benchCommand },
  export: { summary: 'export orders, fills, positions or a trading summary to CSV', load: async () => (await import('./commands/export.js')).exportCommand },
};
