/** What an IPC event tells about its sender (a subset of Electron's IpcMainInvokeEvent). */
export interface IpcSender {
  /** The frame that sent the message; null once it navigated away or was destroyed. */
  senderFrame: { url: string } | null;
  /** The sender's top frame. */
  mainFrame: unknown;
  /** The WebContents that sent it. */
  sender: unknown;
}

/**
 * An IPC call is served only when it comes from the top frame of our own window showing our own
 * page (the app bundle's file:// URL). A subframe, another window, or a page that navigated away
 * is refused.
 */
export function isTrustedSender(e: IpcSender, ourWindow: unknown, isTrustedUrl: (url: string) => boolean): boolean {
  if (!e.senderFrame || ourWindow === null || ourWindow === undefined) return false;
  if (e.senderFrame !== e.mainFrame) return false;
  if (e.sender !== ourWindow) return false;
  return isTrustedUrl(e.senderFrame.url);
}
