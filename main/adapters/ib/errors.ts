/**
 * IB error and notice codes → what they mean for Kestrel, in words a trader can act on.
 * TWS sends notices, warnings and real errors through the same ERR_MSG message; the kind decides
 * what the gateway does (resubscribe, reject an order, only log) and whether it shows as lastError.
 */
export type IbNoticeKind =
  /** Harmless status ("farm connection is OK" at login). Not shown as an error. */
  | 'info'
  /** TWS lost its link to IB (1100) or a data farm broke: data is stale until it comes back. */
  | 'link-lost'
  /** Link or farm is back: resubscribe everything, since IB may have dropped the lines. */
  | 'link-restored'
  /** The session is going away or cannot work (client id in use, socket port reset, bad version). */
  | 'session'
  /** An order was refused by TWS or the exchange. */
  | 'order-rejected'
  /** An order was cancelled (TWS sends this for every successful cancel too). */
  | 'order-canceled'
  /** A cancel request could not be carried out; the order keeps its state. */
  | 'cancel-rejected'
  /** A market-data line failed (no permission, unknown contract, too many lines). */
  | 'market-data'
  /** The client broke a pacing rule. */
  | 'pacing'
  /** The client library could not read what TWS sent, or could not send. */
  | 'protocol'
  /** Anything else TWS reports for one request. */
  | 'request';

interface Entry {
  kind: IbNoticeKind;
  plain: string;
}

const CODES: Record<number, Entry> = {
  // Connectivity between TWS and IB's servers (the nightly server reset produces 1100 → 1101/1102).
  1100: { kind: 'link-lost', plain: 'TWS lost its connection to IB; prices and orders are stale until it returns' },
  1101: { kind: 'link-restored', plain: 'TWS reconnected to IB but its market data subscriptions were lost; resubscribing' },
  1102: { kind: 'link-restored', plain: 'TWS reconnected to IB with data kept; resubscribing to be sure no line stays dead' },
  1300: { kind: 'session', plain: 'TWS moved its API socket to another port and dropped this connection; check the port setting' },
  2103: { kind: 'link-lost', plain: 'TWS lost a market data farm; quotes on it are stale' },
  2104: { kind: 'link-restored', plain: 'market data farm connection is OK' },
  2105: { kind: 'link-lost', plain: 'TWS lost the historical data farm' },
  2106: { kind: 'link-restored', plain: 'historical data farm connection is OK' },
  2107: { kind: 'info', plain: 'historical data farm is idle and connects on demand' },
  2108: { kind: 'info', plain: 'market data farm is idle and connects on demand' },
  2110: { kind: 'link-lost', plain: 'TWS lost its connection to IB servers; data is stale until it returns' },
  2119: { kind: 'info', plain: 'market data farm is connecting' },
  2157: { kind: 'link-lost', plain: 'TWS lost the security definition server; contract searches fail until it returns' },
  2158: { kind: 'link-restored', plain: 'security definition server connection is OK' },
  2109: { kind: 'info', plain: 'order warning: outside-regular-trading-hours flag ignored for this order' },
  2100: { kind: 'info', plain: 'another client took over account updates; account values stop streaming here' },
  2137: { kind: 'info', plain: 'order warning: closing quantity is larger than the position' },
  399: { kind: 'info', plain: 'order message from TWS (often: queued until the market opens)' },
  10167: { kind: 'info', plain: 'live data not subscribed; showing delayed market data' },
  // Session problems.
  326: { kind: 'session', plain: 'another program is connected to TWS with this client id; Kestrel keeps retrying with the same id' },
  502: { kind: 'session', plain: 'cannot reach TWS; check that it runs, that "Enable ActiveX and Socket Clients" is on and the port is right' },
  503: { kind: 'session', plain: 'TWS is too old for this API client; upgrade TWS' },
  504: { kind: 'session', plain: 'not connected to TWS; the request was not sent' },
  506: { kind: 'session', plain: 'TWS answered with a server version this client does not support' },
  // The client could not read or write the stream.
  505: { kind: 'protocol', plain: 'TWS sent a message the client cannot read (unknown message id or malformed fields); it was skipped' },
  507: { kind: 'protocol', plain: 'TWS sent a message with a bad length' },
  508: { kind: 'protocol', plain: 'TWS sent a malformed message' },
  509: { kind: 'protocol', plain: 'a message could not be sent to TWS' },
  // Orders.
  103: { kind: 'order-rejected', plain: 'duplicate order id; the order was not placed' },
  104: { kind: 'cancel-rejected', plain: 'a filled order cannot be modified' },
  105: { kind: 'order-rejected', plain: 'the modification does not match the original order' },
  110: { kind: 'order-rejected', plain: 'the price is not a multiple of the contract tick size' },
  201: { kind: 'order-rejected', plain: 'order rejected' },
  202: { kind: 'order-canceled', plain: 'order cancelled' },
  404: { kind: 'order-rejected', plain: 'no shares available to borrow for this short sale' },
  434: { kind: 'order-rejected', plain: 'order size cannot be zero' },
  460: { kind: 'order-rejected', plain: 'no trading permission for this contract' },
  135: { kind: 'cancel-rejected', plain: 'TWS cannot find an order with that id' },
  161: { kind: 'cancel-rejected', plain: 'the order is no longer cancellable (already filled or cancelled)' },
  10147: { kind: 'cancel-rejected', plain: 'the order to cancel was not found at TWS' },
  10148: { kind: 'cancel-rejected', plain: 'the order cannot be cancelled in its current state' },
  // Market data and contracts.
  200: { kind: 'request', plain: 'no contract matches the request (unknown symbol, exchange, currency or expiry)' },
  300: { kind: 'market-data', plain: 'TWS does not know this market data line' },
  309: { kind: 'market-data', plain: 'too many market depth (L2) subscriptions for this account' },
  317: { kind: 'market-data', plain: 'market depth was reset by TWS; the book is rebuilt from scratch' },
  322: { kind: 'market-data', plain: 'TWS refused a duplicate or invalid market data request' },
  354: { kind: 'market-data', plain: 'no market data subscription for this contract' },
  10089: { kind: 'market-data', plain: 'part of this market data needs an extra subscription' },
  10090: { kind: 'market-data', plain: 'part of this market data is not subscribed' },
  10168: { kind: 'market-data', plain: 'delayed market data is not enabled for this account' },
  10197: { kind: 'market-data', plain: 'no market data while the account is logged in elsewhere (competing live session)' },
  // Pacing.
  100: { kind: 'pacing', plain: 'more than 50 messages per second were sent to TWS; TWS may disconnect' },
  162: { kind: 'pacing', plain: 'historical data pacing violation or query error' },
  420: { kind: 'pacing', plain: 'invalid real-time query or pacing violation' },
};

export interface IbNotice {
  code: number;
  kind: IbNoticeKind;
  /** One line for the gateway panel: `IB 1100: <plain words> [context] — "<TWS's own text>"`. */
  message: string;
}

/** Classifies a TWS error/notice. `context` names what it was about (an instrumentId, an order). */
export function describeIbError(code: number, twsText: string, context?: string): IbNotice {
  const entry = CODES[code] ?? fallback(code);
  const about = context ? ` [${context}]` : '';
  // The detail is TWS's own text, or @stoqey/ib's when the client library raised it (5xx codes).
  const detail = twsText.trim() && twsText.trim() !== entry.plain ? ` — "${twsText.trim()}"` : '';
  return { code, kind: entry.kind, message: `IB ${code}: ${entry.plain}${about}${detail}` };
}

function fallback(code: number): Entry {
  // IB's ranges: 2100–2199 are warnings/notices, 1100–1300 system messages.
  if (code >= 2100 && code < 2200) return { kind: 'info', plain: 'notice from TWS' };
  return { kind: 'request', plain: 'TWS reported an error' };
}
