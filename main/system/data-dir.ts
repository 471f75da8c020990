import os from 'node:os';
import path from 'node:path';

/** The OS app-data folder: %APPDATA%\Kestrel, ~/Library/Application Support/Kestrel, $XDG_DATA_HOME/kestrel. */
export function defaultDataDir(): string {
  if (process.env.KESTREL_DATA_DIR) return path.resolve(process.env.KESTREL_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kestrel');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Kestrel');
    default:
      return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'kestrel');
  }
}
