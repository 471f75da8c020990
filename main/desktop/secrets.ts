import { safeStorage } from 'electron';
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';

/**
 * API keys for the desktop app, encrypted with the OS keychain (Electron safeStorage: Keychain,
 * DPAPI, libsecret). The file holds only ciphertext; plain text never touches disk or logs.
 */
export class DesktopSecrets {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'secrets.enc.json');
  }

  available(): boolean {
    return safeStorage.isEncryptionAvailable();
  }

  get(name: string): string | null {
    const all = this.readAll();
    const blob = all[name];
    return blob ? safeStorage.decryptString(Buffer.from(blob, 'base64')) : null;
  }

  set(name: string, value: string): void {
    if (!this.available()) throw new Error('the OS keychain is not available; set the key in an environment variable instead');
    const all = this.readAll();
    all[name] = safeStorage.encryptString(value).toString('base64');
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private readAll(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
}
