import path from 'node:path';
import type { ReplayConfig } from '../system/config.js';
import { CliUsageError } from './command.js';

type ReplaySource = ReplayConfig['sources'][number];

/**
 * `--replay FILE` for `kestrel serve`: a recording's format told from its name — cryptofeed
 * (`*.ws.*`), Binance aggTrades CSV (`*.csv`, `*.csv.gz`; needs `--instrument`), otherwise an
 * hftbacktest recording (spot when the name says so, else USDⓈ-M; `--market` overrides).
 */
export function replaySourceFromFile(file: string, opts: { instrument?: string | undefined; market?: string | undefined }): ReplaySource {
  const name = path.basename(file).toLowerCase();
  if (/\.ws\.\d/.test(name)) return { format: 'cryptofeed', path: file };
  if (/\.csv(\.gz)?$/.test(name)) {
    if (!opts.instrument) throw new CliUsageError(`${file} is an aggTrades CSV, which names no symbol: add --instrument, e.g. BINANCEUSDM:BTC/USDT:USDT`);
    return { format: 'aggtrades-csv', path: file, instrumentId: opts.instrument };
  }
  const market = opts.market ?? (name.includes('spot') ? 'spot' : 'usdm');
  if (market !== 'spot' && market !== 'usdm') throw new CliUsageError(`--market must be usdm or spot, got "${market}"`);
  return { format: 'hftbacktest', path: file, market, ...(opts.instrument ? { instrumentId: opts.instrument } : {}) };
}

export function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new CliUsageError(`--speed must be a number above 0 (1 = as recorded) or "max", got "${text}"`);
  return n;
}
