import { describe, expect, it } from 'vitest';
import { takeApiToken, type TokenEnv } from '../../../../renderer/api/token.js';

function env(href: string, stored: Record<string, string> = {}) {
  const replaced: string[] = [];
  const e: TokenEnv = {
    href,
    storage: { getItem: (k) => stored[k] ?? null, setItem: (k, v) => void (stored[k] = v) },
    replaceUrl: (u) => void replaced.push(u),
  };
  return { e, stored, replaced };
}

describe('takeApiToken', () => {
  it('takes the token from the URL, keeps it for the tab and strips it from the address bar', () => {
    const { e, stored, replaced } = env('http://127.0.0.1:8080/?token=s3cret&view=x#f');
    expect(takeApiToken(e)).toBe('s3cret');
    expect(Object.values(stored)).toEqual(['s3cret']);
    expect(replaced).toEqual(['/?view=x#f']);
  });

  it('falls back to the token kept from an earlier load', () => {
    const first = env('http://127.0.0.1:8080/?token=abc');
    takeApiToken(first.e);
    const { e, replaced } = env('http://127.0.0.1:8080/', first.stored);
    expect(takeApiToken(e)).toBe('abc');
    expect(replaced).toEqual([]);
  });

  it('returns null when there is none', () => {
    expect(takeApiToken(env('http://127.0.0.1:8080/').e)).toBeNull();
  });
});
