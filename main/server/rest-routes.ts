import type { MethodName } from '../../shared/api/contract.js';

export interface RestRoute {
  verb: 'GET' | 'POST' | 'DELETE';
  /** Path with `{param}` segments. */
  path: string;
  method: MethodName;
  /** Where the params come from. */
  from: 'none' | 'query' | 'body' | 'path';
  successStatus?: number;
}

/** The REST surface for scripts: each route is one contract method, so the same schemas validate it. */
export const REST_ROUTES: readonly RestRoute[] = [
  { verb: 'GET', path: '/api/instruments', method: 'instruments.list', from: 'none' },
  { verb: 'GET', path: '/api/quotes', method: 'quotes.list', from: 'none' },
  { verb: 'GET', path: '/api/bars', method: 'bars.list', from: 'query' },
  { verb: 'GET', path: '/api/funding', method: 'funding.list', from: 'query' },
  { verb: 'GET', path: '/api/orders', method: 'orders.list', from: 'query' },
  { verb: 'POST', path: '/api/orders', method: 'orders.submit', from: 'body', successStatus: 201 },
  { verb: 'POST', path: '/api/orders/cancel-all', method: 'orders.cancelAll', from: 'none' },
  { verb: 'DELETE', path: '/api/orders/{clientOrderId}', method: 'orders.cancel', from: 'path' },
  { verb: 'GET', path: '/api/fills', method: 'fills.list', from: 'query' },
  { verb: 'GET', path: '/api/positions', method: 'positions.list', from: 'none' },
  { verb: 'GET', path: '/api/balances', method: 'balances.list', from: 'none' },
  { verb: 'GET', path: '/api/state', method: 'state.get', from: 'none' },
  { verb: 'GET', path: '/api/gateways', method: 'gateways.list', from: 'none' },
  { verb: 'GET', path: '/api/accounts', method: 'accounts.list', from: 'none' },
  { verb: 'POST', path: '/api/paper/reset', method: 'paper.reset', from: 'body' },
  { verb: 'POST', path: '/api/kill-switch', method: 'killSwitch.halt', from: 'body' },
  { verb: 'POST', path: '/api/kill-switch/rearm', method: 'killSwitch.rearm', from: 'body' },
];

export function matchRoute(verb: string, pathname: string): { route: RestRoute; params: Record<string, string> } | null {
  for (const route of REST_ROUTES) {
    if (route.verb !== verb) continue;
    const want = route.path.split('/');
    const got = pathname.split('/');
    if (want.length !== got.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const g = got[i]!;
      if (w.startsWith('{') && w.endsWith('}')) {
        if (!g) ok = false;
        else params[w.slice(1, -1)] = decodeURIComponent(g);
      } else if (w !== g) ok = false;
      if (!ok) break;
    }
    if (ok) return { route, params };
  }
  return null;
}
