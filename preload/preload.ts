import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { KestrelBridge } from '../shared/api/bridge.js';
import type { EventFrame } from '../shared/api/wire.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../shared/api/wire.js';

// The only bridge between the sandboxed page and the core: two functions, no Node, no logic.
const bridge = {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, params),
  onEvent: (listener: (frame: EventFrame) => void) => {
    const wrapped = (_e: IpcRendererEvent, frame: EventFrame): void => listener(frame);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
    };
  },
} satisfies KestrelBridge;

contextBridge.exposeInMainWorld('kestrel', bridge);
