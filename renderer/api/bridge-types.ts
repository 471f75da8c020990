/**
 * What the preload script exposes on `window.kestrel` in the desktop app. The preload declares its
 * object `satisfies` this shape; the renderer never sees `ipcRenderer` itself.
 */
export interface KestrelBridge {
  /** Resolves with the method's result; rejects with an Error whose message is JSON `{code, message}`. */
  invoke(method: string, params: unknown): Promise<unknown>;
  /** Calls `cb` for every event the core pushes; returns the unsubscribe function. */
  onEvent(cb: (frame: { event: string; data: unknown }) => void): () => void;
}

declare global {
  interface Window {
    kestrel?: KestrelBridge;
  }
}
