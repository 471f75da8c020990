import { app, BrowserWindow, Menu, dialog, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kernel } from '../system/kernel.js';
import { loadConfigFile, parseConfig } from '../system/config.js';
import { contentSecurityPolicy } from '../server/http-server.js';
import { wireIpc } from './ipc.js';
import { DesktopSecrets } from './secrets.js';
import { venueAccountId } from '../system/gateway-factory.js';

// Electron shell: one window on the same core `kestrel serve` runs. The page is sandboxed, isolated,
// without Node; it reaches the core only through the preload's two functions.
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.resolve(here, '../renderer/index.html');
const rendererRoot = pathToFileURL(path.dirname(rendererIndex)).href;
const isTrustedUrl = (url: string): boolean => url.startsWith(rendererRoot);

let window: BrowserWindow | null = null;

/**
 * API keys live in the OS keychain (safeStorage). Started once from a shell with
 * KESTREL_<ACCOUNT>_API_KEY / _API_SECRET set, Kestrel moves them into the keychain; later starts
 * (from the dock or menu, without those variables) read them back into this process's environment,
 * where the gateways worker finds them. They are never written in plain text or logged.
 */
function loadVenueSecrets(secrets: DesktopSecrets, accountIds: string[]): void {
  if (!secrets.available()) return;
  for (const accountId of accountIds) {
    for (const part of ['API_KEY', 'API_SECRET', 'API_PASSWORD']) {
      const name = `KESTREL_${accountId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${part}`;
      const fromEnv = process.env[name];
      if (fromEnv) secrets.set(name, fromEnv);
      else {
        const stored = secrets.get(name);
        if (stored) process.env[name] = stored;
      }
    }
  }
}
let kernel: Kernel | null = null;

async function start(): Promise<void> {
  const configArg = process.argv.find((a) => a.startsWith('--config='));
  const config = configArg ? loadConfigFile(configArg.slice('--config='.length)) : parseConfig({});
  const dataDir = process.env.KESTREL_DATA_DIR ?? path.join(app.getPath('userData'), 'data');
  loadVenueSecrets(new DesktopSecrets(dataDir), config.venues.map(venueAccountId));
  kernel = await Kernel.start({ config, dataDir });

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  window = new BrowserWindow({
    width: 1600,
    height: 1000,
    backgroundColor: '#0b0f14',
    title: kernel.simulated ? 'Kestrel — SIMULATED market' : 'Kestrel',
    webPreferences: {
      preload: path.resolve(here, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // No navigation away from the app, no new windows: links open in the user's browser.
  window.webContents.on('will-navigate', (e, url) => {
    if (!isTrustedUrl(url)) e.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wireIpc(kernel, isTrustedUrl, () => window?.webContents ?? null);
  // Shortcuts (F9/F10, Ctrl+Shift+K for the emergency stop) live in the page so both shells share them.
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
  await window.loadFile(rendererIndex);
}

app.enableSandbox();
app.whenReady().then(start, (err) => {
  dialog.showErrorBox('Kestrel could not start', (err as Error).message);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
app.on('before-quit', (e) => {
  if (!kernel) return;
  e.preventDefault();
  const k = kernel;
  kernel = null;
  void k.stop().finally(() => app.quit());
});
