// The desktop keychain store (src/main/secrets.ts) keeps one encrypted entry per cloud: a Huawei key is a file
// of its own next to the Alibaba one (whose file name is unchanged, so keys stored by older versions still load).
// Electron cannot run here (no binary): its `app` and `safeStorage` are replaced by a stand-in whose "encryption"
// is reversible and marked, enough to show which file holds what and that no plaintext is written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({
  app: { isReady: () => true, whenReady: async () => undefined },
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (s: string) => Buffer.from(`ENC:${Buffer.from(s).toString('base64')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'base64').toString(),
  },
}));

const { safeStorageSecretStore, secretFileName } = await import('../src/main/secrets');

describe('safeStorage secret store: one entry per cloud', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each cloud’s key to its own encrypted file and reads it back after a restart', async () => {
    const s = safeStorageSecretStore(dir, () => true);
    await s.save({ accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: 'alibaba-secret-000000' });
    await s.save({ accessKeyId: 'HPUAFAKEAK0000000001', accessKeySecret: 'huawei-secret-0000000000000000000000000', projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' }, 'huawei');
    expect(secretFileName()).toBe('accesskey.bin');
    expect(secretFileName('huawei')).toBe('accesskey-huawei.bin');
    for (const f of ['accesskey.bin', 'accesskey-huawei.bin']) {
      expect(existsSync(join(dir, f))).toBe(true);
      expect(readFileSync(join(dir, f), 'utf8')).not.toMatch(/secret/);
    }
    const restarted = safeStorageSecretStore(dir, () => true);
    expect(await restarted.load()).toEqual({ accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: 'alibaba-secret-000000' });
    expect(await restarted.load('huawei')).toEqual({ accessKeyId: 'HPUAFAKEAK0000000001', accessKeySecret: 'huawei-secret-0000000000000000000000000', projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
    await restarted.clear('huawei');
    expect(existsSync(join(dir, 'accesskey-huawei.bin'))).toBe(false);
    expect(await safeStorageSecretStore(dir, () => true).load()).not.toBeNull();
    expect(await safeStorageSecretStore(dir, () => true).load('huawei')).toBeNull();
  });
});
