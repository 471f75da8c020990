import type { Gateway } from '../adapters/gateway.js';
import type { VenueConfig } from './config.js';

export type GatewayLogLine = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * Builds one venue gateway from its config. Adapters are imported on demand: ccxt alone costs
 * half a second and 87 MB, so a session without crypto venues never loads it. Credentials come
 * from the environment (KESTREL_<ACCOUNT>_API_KEY / _API_SECRET) and go straight to the adapter.
 */
export async function createVenueGateway(venue: VenueConfig, log: GatewayLogLine, dataDir: string): Promise<Gateway> {
  switch (venue.type) {
    case 'replay': {
      const { createReplayVenue } = await import('./replay-factory.js');
      return createReplayVenue(venue.replay, dataDir);
    }
    case 'ib': {
      const { IbGateway } = await import('../adapters/ib/gateway.js');
      return new IbGateway(venue.ib);
    }
    case 'ccxt': {
      const { CcxtGateway } = await import('../adapters/ccxt/gateway.js');
      const { credentialsFromEnv } = await import('../adapters/ccxt/config.js');
      const credentials = credentialsFromEnv(venue.ccxt.accountId);
      if (venue.orders === 'venue' && !venue.dryRun && !credentials) {
        log('warn', `${venue.ccxt.venue}/${venue.ccxt.accountId}: no API key in the environment; orders will be refused by the venue`);
      }
      return new CcxtGateway(venue.ccxt, { credentials, log, privateStreams: credentials !== null });
    }
  }
}

/** The account id orders of this venue entry are booked under. */
export function venueAccountId(venue: VenueConfig): string {
  switch (venue.type) {
    case 'ib':
      return venue.ib.accountId ?? venue.ib.gatewayId;
    case 'ccxt':
      return venue.ccxt.accountId;
    case 'replay':
      return 'replay';
  }
}
