import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file lives in test/support/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The hand-out's recorded venue data, beside the checkout (never copied into the repo). */
export const FIXTURES = path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);
