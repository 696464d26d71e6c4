// Electron main process: a thin shell over src/core. It owns the window (secure settings, state),
// native menus and dialogs, the OS keychain, single-instance and .sgdiag file opening, and wires the
// contract's channels to the transport-neutral backend (the same one the web shell uses).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, screen, session, shell, type IpcMainInvokeEvent } from 'electron';
import { allowedExternalUrl, EVENT_CHANNELS, REQUEST_CHANNELS, type EventPayloads, type SessionRef } from '../core/api';
import { ipcName } from '../core/api-names';
import { createBackend, type Backend } from '../core/backend/backend';
import { coreEngine } from '../core/backend/core-engine';
import type { Host } from '../core/backend/host';
import { fileLogger } from '../core/backend/log';
import { successNotification } from '../core/watch';
import { buildMenu } from './menu';
import { safeStorageSecretStore } from './secrets';
import { CONTENT_SECURITY_POLICY, isAppUrl, SECURE_WEB_PREFERENCES, sessionFileArgs } from './security';
import { readWindowState, visibleState, writeWindowState, type WindowState } from './window-state';

// A desktop app does not run on ECS: never let the credential chain reach the metadata service.
process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ??= 'true';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const indexFile = join(__dirname, '../renderer/index.html');
const appIndexUrl = pathToFileURL(indexFile).toString();
const userData = app.getPath('userData');
const log = fileLogger(join(userData, 'logs'));

let win: BrowserWindow | null = null;
let dirty = false;
let allowClose = false;
let lang: 'zh-CN' | 'en' = app.getLocale().toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
/** Files the OS asked us to open before the window was ready. */
const pendingFiles: string[] = [];

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  const host: Host = {
    shell: 'electron',
    platform: process.platform,
    locale: app.getLocale(),
    dataDir: userData,
    capabilities: { nativeDialogs: true, pdf: true, keychain: false },
    async chooseOpenPath() {
      const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'SG Doctor session', extensions: ['sgdiag'] }] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseSavePath(pick) {
      const name = pick.kind === 'session' ? 'SG Doctor session' : pick.extensions[0].toUpperCase();
      const r = await dialog.showSaveDialog(win!, { defaultPath: join(app.getPath('documents'), pick.defaultName), filters: [{ name, extensions: pick.extensions }] });
      return r.canceled ? null : (r.filePath ?? null);
    },
    secrets: safeStorageSecretStore(userData),
    async openExternal(url) {
      const allowed = allowedExternalUrl(url);
      if (!allowed) return false;
      await shell.openExternal(allowed);
      return true;
    },
    printPdf,
    applyPrefs(prefs) {
      lang = prefs.lang;
      nativeTheme.themeSource = prefs.theme;
      void refreshMenu();
    },
    setDirty(d, title) {
      dirty = d;
      win?.setDocumentEdited(d);
      if (title) win?.setTitle(title);
    },
    confirmClose() {
      allowClose = true;
      setImmediate(() => win?.close());
      return true;
    },
  };

  // electron-builder's extraResources puts example.sgdiag directly in the resources folder.
  const resourcesDir = app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
  const backend = createBackend({ host, engine: coreEngine(), resourcesDir, log });
  wireIpc(backend);
  notifyWhenWatchWorks(backend);

  pendingFiles.push(...sessionFileArgs(process.argv.slice(1)));
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (win) void openFromOs(backend, path);
    else pendingFiles.push(path);
  });
  app.on('second-instance', (_event, argv) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    for (const f of sessionFileArgs(argv.slice(1))) void openFromOs(backend, f);
  });

  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => backend.cancelAll());

  void app.whenReady().then(async () => {
    // Only now does safeStorage know whether the OS keychain is available (see secrets.ts).
    host.capabilities.keychain = host.secrets.keychain;
    // Deny every permission (camera, notifications, geolocation, ...): the UI needs none.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    menuActions = {
      command: (command) => backend.emit('menu.command', { command }),
      openRecent: (ref) => void openFromOs(backend, ref),
      openDocs: () => void host.openExternal('https://help.aliyun.com/zh/ecs/user-guide/overview-44'),
    };
    recentLoader = async () => {
      const r = await backend.dispatch('sessions.recent', {});
      return r.ok ? (r.value as SessionRef[]) : [];
    };
    await refreshMenu();
    createWindow(backend);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow(backend);
    });
  });
}

let menuActions: Parameters<typeof buildMenu>[2] | null = null;
let recentLoader: (() => Promise<SessionRef[]>) | null = null;

async function refreshMenu(): Promise<void> {
  if (!menuActions || !recentLoader) return;
  Menu.setApplicationMenu(buildMenu(lang, await recentLoader(), menuActions, { isMac: process.platform === 'darwin', dev: !app.isPackaged }));
}

async function openFromOs(backend: Backend, path: string): Promise<void> {
  const result = await backend.openPath(path);
  backend.emit('session.opened', result);
  void refreshMenu();
}

function createWindow(backend: Backend): void {
  const stateFile = join(userData, 'window-state.json');
  const state = visibleState(readWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'SG Doctor',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181c' : '#ffffff',
    webPreferences: {
      ...SECURE_WEB_PREFERENCES,
      preload: join(__dirname, '../preload/index.js'),
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());

  const unsubscribe = backend.onEvent((event, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(ipcName(event), payload);
  });
  win.webContents.once('did-finish-load', () => {
    for (const f of pendingFiles.splice(0)) void openFromOs(backend, f);
  });

  const remember = (): WindowState | null => {
    if (!win || win.isDestroyed()) return null;
    const b = win.getNormalBounds();
    return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
  };
  win.on('close', (e) => {
    if (dirty && !allowClose) {
      // The renderer asks "save changes?" and answers with app.confirmClose (or saves first).
      e.preventDefault();
      backend.emit('app.closeRequested', {});
      return;
    }
    const s = remember();
    if (s) writeWindowState(stateFile, s);
  });
  win.on('closed', () => {
    unsubscribe();
    backend.cancelAll();
    win = null;
  });

  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(indexFile);
}

function hardenContents(contents: Electron.WebContents): void {
  // No navigation away from the app, no new windows, no <webview>.
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, appIndexUrl, devServerUrl)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url, appIndexUrl, devServerUrl)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links the UI marks as external: opened in the browser only if allow-listed, never in-app.
    const allowed = allowedExternalUrl(url);
    if (allowed) void shell.openExternal(allowed);
    return { action: 'deny' };
  });
}

/** IPC accepted only from our main window's top frame, showing our own page. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!win || win.isDestroyed() || event.sender.id !== win.webContents.id || !frame) return false;
  if (frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url, appIndexUrl, devServerUrl);
}

function wireIpc(backend: Backend): void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(ipcName(channel), async (event, args: unknown) => {
      if (!trustedSender(event)) {
        log.warn('ipc from untrusted sender refused', { channel });
        return { ok: false, code: 'FORBIDDEN', message: 'request from an untrusted frame refused' };
      }
      const result = await backend.dispatch(channel, args);
      if (channel === 'sessions.save' || channel === 'sessions.open') void refreshMenu();
      return result;
    });
  }
  void EVENT_CHANNELS; // events are pushed with webContents.send (see createWindow)
}

/**
 * Watch until it works (issue 11 §3): a desktop notification from the main process at the first success
 * (the renderer's own Notification permission stays denied). Clicking it brings the window back.
 */
function notifyWhenWatchWorks(backend: Backend): void {
  backend.onEvent((event, payload) => {
    if (event !== 'watch.done') return;
    const { outcome } = payload as EventPayloads['watch.done'];
    if (!outcome.ok || outcome.value.status !== 'works' || !Notification.isSupported()) return;
    const n = new Notification(successNotification(outcome.value, lang));
    n.on('click', () => {
      if (!win || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.focus();
    });
    n.show();
    log.info('watch notification shown', { port: outcome.value.target.port });
  });
}

/** HTML report → PDF through Chromium's printing, in a hidden window with JavaScript off. */
async function printPdf(html: string): Promise<Uint8Array> {
  const pdfWin = new BrowserWindow({ show: false, webPreferences: { ...SECURE_WEB_PREFERENCES, javascript: false } });
  try {
    await pdfWin.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await pdfWin.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    pdfWin.destroy();
  }
}
