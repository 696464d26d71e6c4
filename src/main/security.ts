// The window's security settings in one place (no Electron import, so tests can read them):
// Electron's security checklist — context isolation, sandbox, no Node in the renderer, web security on,
// no insecure content, no experimental features, no <webview>, a strict CSP, navigation and new windows
// denied, and IPC accepted only from our own top-level page.

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
  disableDialogs: false,
} as const;

/** Also sent as a response header for every page the app loads (the index.html meta tag says the same). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Is `url` the app's own page? In production the renderer is a file inside the app (asar); during
 * `electron-vite dev` it is the dev server's origin. Query strings and fragments are ignored.
 */
export function isAppUrl(url: string, appIndexUrl: string, devServerUrl?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (devServerUrl) {
    try {
      if (u.origin === new URL(devServerUrl).origin) return true;
    } catch {
      /* fall through */
    }
  }
  const app = new URL(appIndexUrl);
  return u.protocol === 'file:' && app.protocol === 'file:' && decodeURIComponent(u.pathname) === decodeURIComponent(app.pathname);
}

/** File arguments a second instance or the OS passes us: only .sgdiag files are taken. */
export function sessionFileArgs(argv: readonly string[]): string[] {
  return argv.filter((a) => !a.startsWith('-') && /\.sgdiag$/i.test(a));
}
