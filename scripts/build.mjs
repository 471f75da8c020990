// Builds every bundle: the CLI/server core and its workers (ESM, Node), the Electron main and
// preload (CJS, the preload sandboxed), and the renderer (Vite). Native and heavy packages stay
// external and load from node_modules at run time.
import { build } from 'esbuild';
import { readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const versionTs = readFileSync(path.join(root, 'shared', 'version.ts'), 'utf8');
if (!versionTs.includes(`'${pkg.version}'`)) {
  console.error(`shared/version.ts does not match package.json version ${pkg.version}`);
  process.exit(1);
}

const external = [...Object.keys(pkg.dependencies ?? {}), 'electron'];
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

rmSync(path.join(root, 'dist', 'main'), { recursive: true, force: true });
rmSync(path.join(root, 'dist', 'preload'), { recursive: true, force: true });
mkdirSync(path.join(root, 'dist', 'main', 'workers'), { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
  absWorkingDir: root,
};
// ESM bundles that import CommonJS packages need a require().
const esmBanner = { js: "import { createRequire as __kestrelCreateRequire } from 'node:module'; const require = __kestrelCreateRequire(import.meta.url);" };

const workers = ['simulator', 'marketdata', 'execution'];
const jobs = [];
if (want('core')) {
  jobs.push(
    build({ ...common, format: 'esm', banner: esmBanner, entryPoints: { kestrel: 'main/cli/index.ts' }, outdir: 'dist/main', splitting: false }),
    build({
      ...common,
      format: 'esm',
      banner: esmBanner,
      entryPoints: {
        ...Object.fromEntries(workers.map((w) => [`${w}.worker`, `main/workers/${w}.worker.ts`])),
        'bench-shard.worker': 'main/cli/aggtrades/bench-shard-worker.ts',
      },
      outdir: 'dist/main/workers',
    }),
  );
}
if (want('desktop')) {
  jobs.push(
    build({ ...common, format: 'esm', banner: esmBanner, entryPoints: { desktop: 'main/desktop/main.ts' }, outdir: 'dist/main' }),
    build({ ...common, format: 'cjs', entryPoints: { preload: 'preload/preload.ts' }, outdir: 'dist/preload', outExtension: { '.js': '.cjs' } }),
  );
}
await Promise.all(jobs);
writeFileSync(path.join(root, 'dist', 'main', 'package.json'), JSON.stringify({ type: 'module' }));

if (want('renderer')) {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
console.log('built dist/main (core, workers, desktop), dist/preload, dist/renderer');
