import type { ExchangeServer } from './exchange-server.js';
import { readHyperliquidCassette } from './recordings.js';

/**
 * Hyperliquid's POST /info history answers from the SDK's recorded cassettes: BTC funding history
 * (1,038 rows, 8-hourly then hourly, with premium) and kPEPE 1h candles. Like the venue, at most
 * 500 rows per answer, filtered by startTime/endTime.
 */
export function installHyperliquidHistory(server: ExchangeServer): { funding: Array<{ coin: string; fundingRate: string; premium: string; time: number }>; candles: Array<{ t: number; T: number; o: string; h: string; l: string; c: string; v: string; n: number; s: string; i: string }> } {
  const fundingAnswer = readHyperliquidCassette('test_get_funding_history[None].yaml').find((i) => i.request['type'] === 'fundingHistory');
  const candleAnswer = readHyperliquidCassette('test_get_candles_snapshot.yaml').find((i) => i.request['type'] === 'candleSnapshot');
  if (!fundingAnswer || !candleAnswer) throw new Error('hyperliquid cassettes lack fundingHistory/candleSnapshot answers');
  const funding = JSON.parse(fundingAnswer.response) as Array<{ coin: string; fundingRate: string; premium: string; time: number }>;
  const candles = JSON.parse(candleAnswer.response) as Array<{ t: number; T: number; o: string; h: string; l: string; c: string; v: string; n: number; s: string; i: string }>;
  server.route('POST', '/info', (req) => {
    const body = req.json as { type?: string; coin?: string; startTime?: number; endTime?: number; req?: { coin: string; interval: string; startTime: number; endTime: number } } | null;
    if (body?.type === 'fundingHistory') {
      const start = body.startTime ?? 0;
      const end = body.endTime ?? Number.MAX_SAFE_INTEGER;
      return { body: funding.filter((r) => r.coin === body.coin && r.time >= start && r.time <= end).slice(0, 500) };
    }
    if (body?.type === 'candleSnapshot' && body.req) {
      const { coin, interval, startTime, endTime } = body.req;
      return { body: candles.filter((c) => c.s === coin && c.i === interval && c.t >= startTime && c.t <= endTime).slice(0, 500) };
    }
    return undefined;
  });
  return { funding, candles };
}
