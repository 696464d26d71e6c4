// The web shell's Host: no native dialogs (the UI picks inside the sessions folder), no keychain (a typed
// AccessKey lives in this process's memory only), no PDF printing (the browser prints HTML).
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { memorySecretStore, type Host } from '../../core/backend/host';

/** The same per-user folder Electron's app.getPath('userData') uses for "SG Doctor". */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SGD_DATA_DIR) return env.SGD_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'SG Doctor');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'SG Doctor');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'SG Doctor');
}

export function webHost(dataDir: string, opts: { locale?: string; openExternal?: (url: string) => Promise<boolean> } = {}): Host {
  return {
    shell: 'web',
    platform: process.platform,
    locale: opts.locale ?? Intl.DateTimeFormat().resolvedOptions().locale ?? 'en',
    dataDir,
    capabilities: { nativeDialogs: false, pdf: false, keychain: false },
    chooseOpenPath: async () => null,
    // basename(): the contract already refuses separators; this keeps the file inside the folder regardless.
    chooseSavePath: async (pick) => join(dataDir, pick.kind === 'session' ? 'sessions' : 'reports', basename(pick.defaultName)),
    secrets: memorySecretStore(),
    // The browser opens links itself (target=_blank on allow-listed URLs); the server never launches programs.
    openExternal: opts.openExternal ?? (async () => false),
  };
}
