import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '../../system/kernel.js';
import { loadConfigFile, parseConfig } from '../../system/config.js';
import { defaultDataDir } from '../../system/data-dir.js';
import { startServer, generateToken } from '../../server/http-server.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { parseSpeed, replaySourceFromFile } from '../replay-args.js';

const USAGE = `kestrel serve [--port 8080] [--host 127.0.0.1] [--data-dir DIR] [--config FILE] [--token T]
              [--replay FILE ... [--speed 1|N|max] [--instrument ID] [--market usdm|spot]]

Starts the trading core and serves the workstation to a browser. The token comes from --token,
else KESTREL_API_TOKEN, else a new random one; the ready line prints the URL to open. --replay plays a recording (hftbacktest .gz,
cryptofeed .ws.N.0, Binance aggTrades .csv with --instrument) as the market, on its own clock.`;

/** dist/renderer next to the bundle, or the built renderer when running from sources. */
function findRenderer(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../renderer'), path.resolve(here, '../../../dist/renderer'), path.resolve(process.cwd(), 'dist/renderer')]) {
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the workstation to a browser on 127.0.0.1',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        token: { type: 'string' },
        replay: { type: 'string', multiple: true },
        speed: { type: 'string', default: '1' },
        instrument: { type: 'string' },
        market: { type: 'string' },
      },
      strict: true,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
    const token = values.token ?? process.env.KESTREL_API_TOKEN ?? generateToken();
    if (token.length < 8) throw new CliUsageError('the API token must be at least 8 characters');
    if (!/^[A-Za-z0-9._~-]+$/.test(token)) throw new CliUsageError('the API token may use letters, digits and . _ ~ - only (it travels in URLs)');
    let config = values.config ? loadConfigFile(values.config) : parseConfig({});
    if (values.replay?.length) {
      // A recording instead of (or beside) configured venues: it becomes the market, on its own clock.
      const sources = values.replay.map((file) => {
        if (!existsSync(file)) throw new CliUsageError(`--replay: no such file ${file}`);
        return replaySourceFromFile(path.resolve(file), { instrument: values.instrument, market: values.market });
      });
      config = parseConfig({ ...config, venues: [...config.venues, { type: 'replay', replay: { sources, speed: parseSpeed(values.speed!) } }] });
    }
    const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
    const host = values.host!;
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      process.stderr.write(`warning: binding ${host} exposes the API beyond this machine; anyone with the token can trade\n`);
    }

    const kernel = await Kernel.start({ config, dataDir });
    const server = await startServer({ kernel, host, port, token, staticDir: findRenderer(), log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(`Kestrel ready: ${server.url}\n`);
    process.stdout.write(`data directory: ${dataDir}${kernel.simulated ? ' — market data is SIMULATED' : ''}\n`);

    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stderr.write('stopping…\n');
    await server.close();
    await kernel.stop();
    return 0;
  },
};
