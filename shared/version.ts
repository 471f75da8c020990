/** Kept in step with package.json by scripts/build.mjs's check. */
export const KESTREL_VERSION = '0.1.0';
