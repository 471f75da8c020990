const STORAGE_KEY = 'kestrel.apiToken';

export interface TokenEnv {
  href: string;
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  replaceUrl(url: string): void;
}

/**
 * Takes the API token from `?token=` (as printed by `kestrel serve`), keeps it for this tab in
 * sessionStorage so a reload still works, and removes it from the address bar so it does not end
 * up in screenshots, bookmarks or the history.
 */
export function takeApiToken(env: TokenEnv): string | null {
  const url = new URL(env.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    env.storage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    env.replaceUrl(url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return env.storage.getItem(STORAGE_KEY);
}
