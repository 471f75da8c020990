import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { KestrelError } from '../../shared/api/errors.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/api/wire.js';
import type { Kernel } from '../system/kernel.js';
import { isTrustedSender } from './sender-check.js';

/**
 * Wires the contract to IPC. Every call is checked to come from our own window's top frame and
 * our own page (file:// app bundle); anything else is refused.
 */
export function wireIpc(kernel: Kernel, isTrustedUrl: (url: string) => boolean, target: () => WebContents | null): () => void {
  const handler = async (event: IpcMainInvokeEvent, method: unknown, params: unknown): Promise<unknown> => {
    if (!isTrustedSender({ senderFrame: event.senderFrame, mainFrame: event.sender.mainFrame, sender: event.sender }, target(), isTrustedUrl)) {
      throw new Error(JSON.stringify({ code: 'unauthorized', message: 'IPC call from an untrusted frame was refused' }));
    }
    if (typeof method !== 'string') throw new Error(JSON.stringify({ code: 'bad_request', message: 'method must be a string' }));
    try {
      return await kernel.callUnknown(method, params);
    } catch (err) {
      const e = KestrelError.from(err);
      throw new Error(JSON.stringify({ code: e.code, message: e.message }));
    }
  };
  ipcMain.handle(IPC_INVOKE_CHANNEL, handler);
  const off = kernel.onAny((event, data) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, { event, data });
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    off();
  };
}
