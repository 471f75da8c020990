import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is loaded from file:// by Electron and from `kestrel serve` in a browser, so every
// asset path is relative. No module-preload polyfill: it would be an inline script the CSP refuses.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2_500,
    sourcemap: false,
  },
});
