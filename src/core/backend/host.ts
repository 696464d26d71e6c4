// What the backend needs from the shell it runs in (Electron main or the web shell). Everything that
// differs between the two lives behind this interface, so the request handlers behave identically.
import type { AppInfo } from '../api';
import type { ProviderId } from '../cloud/provider';

export interface StoredAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** Huawei Cloud: the project id the key signs for (not secret; optional). */
  projectId?: string;
}

/**
 * Where a typed access key is kept. Electron: safeStorage (OS keychain). Web shell: this process's memory.
 * One entry per cloud (`provider`, default Alibaba Cloud): saving a Huawei key never touches the Alibaba one.
 */
export interface SecretStore {
  /** Survives a restart (encrypted by the OS keychain). */
  readonly persistent: boolean;
  readonly keychain: boolean;
  load(provider?: ProviderId): Promise<StoredAccessKey | null>;
  save(key: StoredAccessKey, provider?: ProviderId): Promise<void>;
  clear(provider?: ProviderId): Promise<void>;
}

export interface SavePick {
  kind: 'session' | 'report';
  /** File name the user (or the app) suggested, with its extension. */
  defaultName: string;
  extensions: string[];
}

export interface Host {
  shell: AppInfo['shell'];
  platform: string;
  /** The OS locale as the platform reports it (e.g. zh-CN, en-US). */
  locale: string;
  /** User-data folder: logs, recent list, and (web shell) sessions and reports. */
  dataDir: string;
  capabilities: AppInfo['capabilities'];
  /** Native "Open…" dialog; null when cancelled or when the shell has none (web). */
  chooseOpenPath(): Promise<string | null>;
  /** Native "Save as…" dialog (Electron) or a path inside dataDir (web); null when cancelled. */
  chooseSavePath(pick: SavePick): Promise<string | null>;
  secrets: SecretStore;
  /** Opens an already allow-listed URL in the user's browser. */
  openExternal(url: string): Promise<boolean>;
  /** Renders HTML to PDF (Electron's printing); absent where there is none. */
  printPdf?(html: string): Promise<Uint8Array>;
  /** UI preferences changed (menu language, native theme). */
  applyPrefs?(prefs: { lang: 'zh-CN' | 'en'; theme: 'light' | 'dark' | 'system' }): void;
  setDirty?(dirty: boolean, title: string): void;
  confirmClose?(): boolean;
}

/** A secret store that forgets everything when the process ends (web shell, tests). */
export function memorySecretStore(): SecretStore {
  const keys = new Map<ProviderId, StoredAccessKey>();
  return {
    persistent: false,
    keychain: false,
    load: async (provider = 'alicloud') => {
      const k = keys.get(provider);
      return k ? { ...k } : null;
    },
    save: async (k, provider = 'alicloud') => {
      keys.set(provider, { ...k });
    },
    clear: async (provider = 'alicloud') => {
      keys.delete(provider);
    },
  };
}
