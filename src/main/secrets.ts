// A typed AccessKey is kept only through safeStorage (DPAPI on Windows, Keychain on macOS, the Secret
// Service / kwallet on Linux): encrypted bytes in the user-data folder, plaintext only in memory.
// Where no OS keychain is available (Linux without a Secret Service: "basic_text"), it is kept for this
// run only and never written.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import type { SecretStore, StoredAccessKey } from '../core/backend/host';

export function safeStorageSecretStore(userData: string): SecretStore {
  const file = join(userData, 'accesskey.bin');
  const keychain = safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text');
  let memory: StoredAccessKey | null = null;
  return {
    persistent: keychain,
    keychain,
    async load() {
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
      if (!keychain) return;
      await fsp.mkdir(userData, { recursive: true });
      await fsp.writeFile(file, safeStorage.encryptString(JSON.stringify(memory)), { mode: 0o600 });
    },
    async clear() {
      memory = null;
      await fsp.rm(file, { force: true });
    },
  };
}
