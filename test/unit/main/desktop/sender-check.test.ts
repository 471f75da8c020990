import { describe, expect, it } from 'vitest';
import { isTrustedSender } from '../../../../main/desktop/sender-check.js';

const ROOT = 'file:///opt/Kestrel/resources/app.asar/dist/renderer/';
const trusted = (url: string) => url.startsWith(ROOT);

describe('IPC sender check', () => {
  const win = { id: 1 };
  const top = { url: `${ROOT}index.html` };
  it('serves our window’s top frame on our page', () => {
    expect(isTrustedSender({ senderFrame: top, mainFrame: top, sender: win }, win, trusted)).toBe(true);
  });
  it('refuses a subframe, another window, a foreign page, a gone frame, or no window', () => {
    const sub = { url: `${ROOT}index.html` };
    expect(isTrustedSender({ senderFrame: sub, mainFrame: top, sender: win }, win, trusted)).toBe(false);
    expect(isTrustedSender({ senderFrame: top, mainFrame: top, sender: { id: 2 } }, win, trusted)).toBe(false);
    const evil = { url: 'https://evil.example/' };
    expect(isTrustedSender({ senderFrame: evil, mainFrame: evil, sender: win }, win, trusted)).toBe(false);
    expect(isTrustedSender({ senderFrame: null, mainFrame: top, sender: win }, win, trusted)).toBe(false);
    expect(isTrustedSender({ senderFrame: top, mainFrame: top, sender: win }, null, trusted)).toBe(false);
  });
});
