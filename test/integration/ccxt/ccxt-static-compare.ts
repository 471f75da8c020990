/**
 * The comparison ccxt's own static response tests make (ts/src/test/tests.ts,
 * assertNewAndStoredOutputInner with strictTypeCheck = false), so "equal" means what ccxt's authors
 * mean by it: same keys (count and names, skipKeys aside), same array lengths; falsy values
 * (null, undefined, 0, false, '') are all "undefined"; strings and booleans compare as text,
 * numbers numerically (50.0 == 50). Throws naming the first path that differs.
 */
export function assertLikeCcxtStatic(computed: unknown, stored: unknown, skipKeys: readonly string[] = [], path = '$'): void {
  if (computed == null && stored == null) return;
  if (!computed && !stored) return;
  if (typeof stored === 'object' && stored !== null && typeof computed === 'object' && computed !== null) {
    const storedKeys = Object.keys(stored);
    const computedKeys = Object.keys(computed);
    if (storedKeys.length !== computedKeys.length) {
      const missing = storedKeys.filter((k) => !computedKeys.includes(k));
      const extra = computedKeys.filter((k) => !storedKeys.includes(k));
      throw new Error(`${path}: ${computedKeys.length} keys computed vs ${storedKeys.length} stored (missing ${missing.join(',') || '-'}; extra ${extra.join(',') || '-'})`);
    }
    for (const key of storedKeys) {
      if (skipKeys.includes(key)) continue;
      if (!computedKeys.includes(key)) throw new Error(`${path}: key ${key} missing`);
      assertLikeCcxtStatic((computed as Record<string, unknown>)[key], (stored as Record<string, unknown>)[key], skipKeys, `${path}.${key}`);
    }
    return;
  }
  const c = computed ? computed : undefined;
  const s = stored ? stored : undefined;
  const cText = c === undefined ? 'undefined' : String(c);
  const sText = s === undefined ? 'undefined' : String(s);
  const kind = (v: unknown) => (v === undefined ? 'undefined' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : 'other');
  if (kind(c) !== kind(s)) throw new Error(`${path}: type mismatch, computed ${JSON.stringify(computed)} vs stored ${JSON.stringify(stored)}`);
  if (kind(c) !== 'other') {
    if (cText !== sText) throw new Error(`${path}: computed ${cText} vs stored ${sText}`);
    return;
  }
  if (Number(cText) !== Number(sText)) throw new Error(`${path}: computed ${cText} vs stored ${sText}`);
}
