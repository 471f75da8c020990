#!/usr/bin/env node
// The `kestrel` command. Runs the esbuild bundle when it exists (after `npm install`, which builds),
// else the TypeScript sources through tsx (a fresh checkout during development).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'main', 'kestrel.js');
let main;
if (existsSync(bundle)) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(pathToFileURL(path.join(root, 'main', 'cli', 'index.ts')).href));
}
const code = await main(process.argv.slice(2));
// Let piped output drain before leaving; then exit even if a library left a timer running.
process.stdout.write('', () => process.exit(code));
