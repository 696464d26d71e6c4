// Static checks of the Electron shell's security settings (Electron cannot run here): the window's
// webPreferences, the handlers that deny navigation / new windows / webviews / permissions, the sender
// check on every IPC channel, the preload's narrow surface, and the CSP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, SECURE_WEB_PREFERENCES, sessionFileArgs } from '../src/main/security';
import { visibleState } from '../src/main/window-state';

const root = join(__dirname, '..');
const mainSrc = readFileSync(join(root, 'src/main/index.ts'), 'utf8');
const preloadSrc = readFileSync(join(root, 'src/preload/index.ts'), 'utf8');

describe('BrowserWindow security settings', () => {
  it('follow the Electron security checklist', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });

  it('every BrowserWindow in main uses them, and nothing weakens them', () => {
    const windows = mainSrc.match(/new BrowserWindow\(/g) ?? [];
    const secured = mainSrc.match(/\.\.\.SECURE_WEB_PREFERENCES/g) ?? [];
    expect(windows.length).toBeGreaterThan(0);
    expect(secured.length).toBe(windows.length);
    for (const weak of [/nodeIntegration:\s*true/, /contextIsolation:\s*false/, /sandbox:\s*false/, /webSecurity:\s*false/, /allowRunningInsecureContent:\s*true/, /enableRemoteModule/, /webviewTag:\s*true/]) {
      expect(mainSrc).not.toMatch(weak);
    }
  });

  it('deny navigation, new windows, webviews and permissions; single instance; CSP header', () => {
    expect(mainSrc).toMatch(/'will-navigate'[\s\S]{0,120}preventDefault/);
    expect(mainSrc).toMatch(/'will-redirect'[\s\S]{0,120}preventDefault/);
    expect(mainSrc).toMatch(/'will-attach-webview'[\s\S]{0,60}preventDefault/);
    expect(mainSrc).toMatch(/setWindowOpenHandler[\s\S]{0,300}action: 'deny'/);
    expect(mainSrc).toMatch(/setPermissionRequestHandler\(\(_wc, _perm, cb\) => cb\(false\)\)/);
    expect(mainSrc).toMatch(/requestSingleInstanceLock\(\)/);
    expect(mainSrc).toMatch(/'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/);
    expect(mainSrc).toMatch(/ALIBABA_CLOUD_ECS_METADATA_DISABLED/);
  });

  it('checks the sender of every IPC request before dispatching it', () => {
    expect(mainSrc).toMatch(/for \(const channel of REQUEST_CHANNELS\)[\s\S]{0,200}if \(!trustedSender\(event\)\)/);
    expect(mainSrc).toMatch(/frame !== event\.sender\.mainFrame/);
    expect(mainSrc).not.toMatch(/ipcMain\.on\(/);
  });

  it('the preload exposes only per-channel functions, never ipcRenderer itself', () => {
    expect(preloadSrc).toMatch(/contextBridge\.exposeInMainWorld\('sgDoctor'/);
    expect(preloadSrc).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer[,)]/);
    expect(preloadSrc).not.toMatch(/invoke\(channel: string/);
    expect(preloadSrc).toMatch(/REQUEST_CHANNELS\.map/);
  });

  it('the CSP allows only the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
    const html = readFileSync(join(root, 'src/renderer/index.html'), 'utf8');
    expect(html).toMatch(/http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self';/);
  });
});

describe('helpers', () => {
  it('recognises only the app page as ours', () => {
    const app = 'file:///opt/SG%20Doctor/resources/app.asar/out/renderer/index.html';
    expect(isAppUrl(`${app}#x`, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://evil.example/', app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', app, 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', app, 'http://localhost:5173')).toBe(false);
  });

  it('takes only .sgdiag files from the command line', () => {
    expect(sessionFileArgs(['--inspect', '/home/u/a.sgdiag', 'b.txt', 'C:\\x\\B.SGDIAG'])).toEqual(['/home/u/a.sgdiag', 'C:\\x\\B.SGDIAG']);
  });

  it('restores window state only where it is visible', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(visibleState({ x: 100, y: 100, width: 1300, height: 850, maximized: false }, displays)).toEqual({ x: 100, y: 100, width: 1300, height: 850, maximized: false });
    expect(visibleState({ x: 5000, y: 100, width: 1300, height: 850, maximized: true }, displays)).toEqual({ width: 1300, height: 850, maximized: true });
    expect(visibleState(null, displays)).toMatchObject({ width: 1280, height: 800 });
  });
});
