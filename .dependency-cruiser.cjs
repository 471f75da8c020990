/** Import direction (STYLE.md): shared ← engines ← adapters/storage/bridges ← system ← shells. */
const ENGINES = '^main/(marketdata|alpha|execution|risk|portfolio)/';
module.exports = {
  forbidden: [
    {
      name: 'electron-only-in-desktop-shell',
      comment: 'Only main/desktop and preload may import electron; the core must run in plain Node.',
      severity: 'error',
      from: { pathNot: '^(main/desktop|preload)/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'shared-is-plain',
      comment: 'shared/ imports only shared/ and zod.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { pathNot: '^shared/|node_modules/zod/' },
    },
    {
      name: 'engines-are-pure',
      comment: 'Engines import no node:*, no adapter, no storage, no system, no shell.',
      severity: 'error',
      from: { path: ENGINES },
      to: { path: '^main/(adapters|storage|bridges|system|workers|server|cli|desktop)/', pathNot: '^main/adapters/gateway\\.ts$' },
    },
    {
      name: 'engines-import-no-node-builtins',
      comment: 'Engines run in any worker and under a fake clock: no node:* modules.',
      severity: 'error',
      from: { path: ENGINES },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'adapters-do-not-import-each-other',
      severity: 'error',
      from: { path: '^main/adapters/([^/]+)/' },
      to: { path: '^main/adapters/([^/]+)/', pathNot: '^main/adapters/$1/' },
    },
    {
      name: 'core-does-not-import-shells',
      severity: 'error',
      from: { path: '^main/', pathNot: '^main/(desktop|server|cli)/' },
      to: { path: '^main/(desktop|server|cli)/' },
    },
    {
      name: 'renderer-imports-only-shared-and-renderer',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|preload)/' },
    },
    {
      name: 'renderer-imports-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-features-are-independent',
      severity: 'error',
      from: { path: '^renderer/features/([^/]+)/' },
      to: { path: '^renderer/features/([^/]+)/', pathNot: '^renderer/features/$1/' },
    },
    {
      name: 'components-touch-no-store',
      severity: 'error',
      from: { path: '^renderer/components/' },
      to: { path: '^renderer/stores/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    exclude: { path: '^dist/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
