import type { EventFrame } from './wire.js';

/**
 * What the preload exposes to the renderer as `window.kestrel` — nothing else crosses. Errors come
 * back as rejected promises whose message is JSON `{code, message}`.
 */
export interface KestrelBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (frame: EventFrame) => void): () => void;
}
