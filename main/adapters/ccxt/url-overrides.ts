export type UrlRewriteHook = (original: string, rewritten: string, keyPath: readonly string[]) => string;

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*/i;

function withOrigin(url: string, origin: string): string {
  const base = origin.replace(/\/+$/, '');
  return url.replace(ORIGIN, base);
}

/**
 * Points every URL of a ccxt `urls.api` tree at new origins, in place: http(s) URLs at `restUrl`,
 * ws(s) URLs at `wsUrl`, keeping each path (`/fapi/v1`, `/ws/v5/public`). Hosts written as
 * templates (`https://api.{hostname}`) are replaced too. A venue hook may adjust the result
 * (Binance keeps "/stream" in spot socket paths). Returns how many URLs were rewritten.
 */
export function rewriteApiUrls(api: unknown, restUrl: string | undefined, wsUrl: string | undefined, hook?: UrlRewriteHook): number {
  let count = 0;
  const visit = (node: unknown, path: string[]): void => {
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      const keyPath = [...path, key];
      if (typeof value === 'string') {
        const scheme = ORIGIN.exec(value)?.[1]?.toLowerCase();
        const target = scheme === 'http' || scheme === 'https' ? restUrl : scheme === 'ws' || scheme === 'wss' ? wsUrl : undefined;
        if (!target) continue;
        const rewritten = withOrigin(value, target);
        obj[key] = hook ? hook(value, rewritten, keyPath) : rewritten;
        count += 1;
      } else {
        visit(value, keyPath);
      }
    }
  };
  visit(api, []);
  return count;
}

/** Every URL string in a `urls.api` tree (tests use it to prove nothing still points at a real host). */
export function listApiUrls(api: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      if (ORIGIN.test(node)) out.push(node);
      return;
    }
    if (node && typeof node === 'object') for (const v of Object.values(node as Record<string, unknown>)) visit(v);
  };
  visit(api);
  return out;
}
