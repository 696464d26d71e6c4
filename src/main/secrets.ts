// A typed AccessKey is kept only through safeStorage (DPAPI on Windows, Keychain on macOS, the Secret
// Service / kwallet on Linux): encrypted bytes in the user-data folder, plaintext only in memory.
// Where no OS keychain is available (Linux without a Secret Service: "basic_text"), it is kept for this
// run only and never written.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { app, safeStorage } from 'electron';
import type { ProviderId } from '../core/cloud/provider';
import type { SecretStore, StoredAccessKey } from '../core/backend/host';

/** One encrypted file per cloud; Alibaba Cloud keeps the file name of the versions before Huawei Cloud. */
export const secretFileName = (provider: ProviderId = 'alicloud'): string => (provider === 'alicloud' ? 'accesskey.bin' : `accesskey-${provider}.bin`);

/**
 * `safeStorage.isEncryptionAvailable()` is only meaningful after the app's 'ready' event (Electron docs:
 * on Linux it "returns true if the app has emitted the ready event and the secret key is available", on
 * Windows "once the app has emitted the ready event"). So the answer is asked for lazily, after ready,
 * and remembered; before ready the store says "no keychain" without asking and without caching.
 */
export function safeStorageSecretStore(userData: string, isReady: () => boolean = () => app.isReady()): SecretStore {
  const fileOf = (provider?: ProviderId): string => join(userData, secretFileName(provider));
  let decided: boolean | null = null;
  const keychainNow = (): boolean => {
    if (decided !== null) return decided;
    if (!isReady()) return false;
    decided = safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text');
    return decided;
  };
  const memory = new Map<ProviderId, StoredAccessKey>();
  return {
    get persistent() {
      return keychainNow();
    },
    get keychain() {
      return keychainNow();
    },
    async load(provider = 'alicloud') {
      await app.whenReady();
      const keychain = keychainNow();
      const held = memory.get(provider) ?? null;
      if (held || !keychain) return held;
      try {
        const doc = JSON.parse(safeStorage.decryptString(await fsp.readFile(fileOf(provider)))) as StoredAccessKey;
        if (typeof doc.accessKeyId === 'string' && typeof doc.accessKeySecret === 'string') {
          const key = { accessKeyId: doc.accessKeyId, accessKeySecret: doc.accessKeySecret, ...(typeof doc.projectId === 'string' ? { projectId: doc.projectId } : {}) };
          memory.set(provider, key);
          return key;
        }
      } catch {
        // No file, or not decryptable with this keychain: nothing stored.
      }
      return null;
    },
    async save(key, provider = 'alicloud') {
      const kept = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, ...(key.projectId ? { projectId: key.projectId } : {}) };
      memory.set(provider, kept);
      await app.whenReady();
      if (!keychainNow()) return;
      await fsp.mkdir(userData, { recursive: true });
      await fsp.writeFile(fileOf(provider), safeStorage.encryptString(JSON.stringify(kept)), { mode: 0o600 });
    },
    async clear(provider = 'alicloud') {
      memory.delete(provider);
      await fsp.rm(fileOf(provider), { force: true });
    },
  };
}
