// A typed AccessKey is kept only through safeStorage (DPAPI on Windows, Keychain on macOS, the Secret
// Service / kwallet on Linux): encrypted bytes in the user-data folder, plaintext only in memory.
// Where no OS keychain is available (Linux without a Secret Service: "basic_text"), it is kept for this
// run only and never written.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { app, safeStorage } from 'electron';
import type { SecretStore, StoredAccessKey } from '../core/backend/host';

/**
 * `safeStorage.isEncryptionAvailable()` is only meaningful after the app's 'ready' event (Electron docs:
 * on Linux it "returns true if the app has emitted the ready event and the secret key is available", on
 * Windows "once the app has emitted the ready event"). So the answer is asked for lazily, after ready,
 * and remembered; before ready the store says "no keychain" without asking and without caching.
 */
export function safeStorageSecretStore(userData: string, isReady: () => boolean = () => app.isReady()): SecretStore {
  const file = join(userData, 'accesskey.bin');
  let decided: boolean | null = null;
  const keychainNow = (): boolean => {
    if (decided !== null) return decided;
    if (!isReady()) return false;
    decided = safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text');
    return decided;
  };
  let memory: StoredAccessKey | null = null;
  return {
    get persistent() {
      return keychainNow();
    },
    get keychain() {
      return keychainNow();
    },
    async load() {
      await app.whenReady();
      const keychain = keychainNow();
      if (memory || !keychain) return memory;
      try {
        const doc = JSON.parse(safeStorage.decryptString(await fsp.readFile(file))) as StoredAccessKey;
        memory = typeof doc.accessKeyId === 'string' && typeof doc.accessKeySecret === 'string' ? doc : null;
      } catch {
        memory = null;
      }
      return memory;
    },
    async save(key) {
      memory = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
      await app.whenReady();
      if (!keychainNow()) return;
      await fsp.mkdir(userData, { recursive: true });
      await fsp.writeFile(file, safeStorage.encryptString(JSON.stringify(memory)), { mode: 0o600 });
    },
    async clear() {
      memory = null;
      await fsp.rm(file, { force: true });
    },
  };
}
