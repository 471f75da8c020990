import type { KestrelBridge } from '../../shared/api/bridge.js';

// The shape lives in shared/api (the preload declares its object `satisfies` it); this file only
// tells the renderer's type checker that the preload may have put it on `window`.
export type { KestrelBridge };

declare global {
  interface Window {
    kestrel?: KestrelBridge;
  }
}
