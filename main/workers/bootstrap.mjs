// Development/test entry for worker threads: Node 20 cannot start a .ts worker directly, so this
// registers tsx's loader and then imports the TypeScript worker named in workerData. Production
// uses the esbuild bundles in dist/main/workers/ instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
