import type { CliCommand } from './command.js';

/**
 * Every `kestrel` subcommand, loaded on demand so a batch job does not pay for what it does not
 * use (ccxt alone costs 0.5 s and 87 MB to import).
 */
export const commandIndex: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  serve: { summary: 'serve the workstation to a browser on 127.0.0.1', load: async () => (await import('./commands/serve.js')).serveCommand },
};
