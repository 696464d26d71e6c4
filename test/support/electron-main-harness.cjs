/* eslint-disable @typescript-eslint/no-require-imports */
// Boots the BUILT Electron main bundle (out/main/index.js) under a stand-in `electron` module, because the
// Electron binary cannot run here. `require('electron')` is answered by the fake below (Module._resolveFilename
// + require.cache); everything else in the bundle (core backend, zod, SDK loaders) is real.
//
//   node electron-main-harness.cjs <bundle> [files…]      env: SGD_HARNESS_USERDATA, SGD_HARNESS_SCRIPT (JSON)
//
// The script drives the app the way Electron would: 'ready', the window's first load, IPC requests from the
// real frame and from foreign senders, 'second-instance' and 'open-file'. It prints one JSON report on stdout.
'use strict';
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = path.resolve(process.argv[2]);
const userData = process.env.SGD_HARNESS_USERDATA;
const script = JSON.parse(process.env.SGD_HARNESS_SCRIPT || '{}');
const report = { log: [], windows: [], sends: [], handlers: [], safeStorage: [], external: [], quit: false, errors: [], notifications: [] };
const log = (what) => report.log.push(what);

let ready = false;
let resolveReady;
const readyPromise = new Promise((r) => (resolveReady = r));

// ---- the stand-in electron module ------------------------------------------------------------------------
const app = new EventEmitter();
Object.assign(app, {
  isPackaged: false,
  getPath: (name) => path.join(userData, name === 'userData' ? '' : name),
  getLocale: () => 'en-US',
  getAppPath: () => path.resolve(__dirname, '..', '..'),
  requestSingleInstanceLock: () => true,
  quit: () => {
    report.quit = true;
  },
  isReady: () => ready,
  whenReady: () => readyPromise,
});

let nextId = 1;
class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.mainFrame = { url: 'about:blank', name: 'main' };
  }
  send(channel, payload) {
    report.sends.push({ channel, payload: JSON.parse(JSON.stringify(payload ?? null)) });
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  printToPDF() {
    return Promise.resolve(new Uint8Array([37, 80, 68, 70]));
  }
}

const allWindows = [];
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.destroyed = false;
    allWindows.push(this);
    report.windows.push({ options: JSON.parse(JSON.stringify(options)), createdWhenReady: ready });
    app.emit('web-contents-created', {}, this.webContents);
  }
  static getAllWindows() {
    return allWindows.filter((w) => !w.destroyed);
  }
  loadFile(file) {
    this.webContents.mainFrame.url = pathToFileURL(file).toString();
    log(`loadFile ${path.relative(path.dirname(bundle), file)}`);
    return Promise.resolve();
  }
  loadURL(url) {
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
  close() {
    log('window close requested');
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1280, height: 800 };
  }
  isMaximized() {
    return false;
  }
  isMinimized() {
    return false;
  }
  maximize() {}
  restore() {}
  focus() {
    log('window focused');
  }
  show() {}
  setDocumentEdited() {}
  setTitle() {}
}

class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {
    report.notifications.push({ title: this.options.title, body: this.options.body, ready });
  }
}

const handlers = new Map();
const electron = {
  Notification,
  app,
  BrowserWindow,
  dialog: {
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    showSaveDialog: async () => ({ canceled: true }),
  },
  ipcMain: {
    handle: (name, fn) => {
      handlers.set(name, fn);
      report.handlers.push(name);
    },
    on: (name) => report.errors.push(`ipcMain.on(${name}) used`),
  },
  Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t) => ({ template: t }) },
  nativeTheme: { themeSource: 'system', shouldUseDarkColors: false },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn) => (electron.session.permissionRequest = fn),
      setPermissionCheckHandler: (fn) => (electron.session.permissionCheck = fn),
      webRequest: { onHeadersReceived: () => undefined },
    },
  },
  shell: {
    openExternal: async (url) => {
      report.external.push(url);
    },
  },
  safeStorage: {
    isEncryptionAvailable: () => {
      report.safeStorage.push({ call: 'isEncryptionAvailable', ready });
      return false;
    },
    getSelectedStorageBackend: () => {
      report.safeStorage.push({ call: 'getSelectedStorageBackend', ready });
      return 'basic_text';
    },
    encryptString: () => {
      throw new Error('encryption is unavailable in the harness');
    },
    decryptString: () => {
      throw new Error('encryption is unavailable in the harness');
    },
  },
};

const FAKE = path.join(__dirname, '__stand_in_electron__.js');
const fakeModule = new Module(FAKE);
fakeModule.filename = FAKE;
fakeModule.loaded = true;
fakeModule.exports = electron;
require.cache[FAKE] = fakeModule;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === 'electron') return FAKE;
  return resolve.call(this, request, parent, ...rest);
};

// ---- drive it ---------------------------------------------------------------------------------------------
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
async function until(what, cond, ms = 10_000) {
  for (let waited = 0; waited < ms; waited += 20) {
    if (cond()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function invoke(channel, args, event) {
  const fn = handlers.get(`sgd:${channel}`);
  if (!fn) return { missing: true };
  return JSON.parse(JSON.stringify(await fn(event, args)));
}

async function main() {
  log('require bundle');
  require(bundle);
  log(`handlers registered before ready: ${handlers.size}`);
  await tick(50);
  log(`windows before ready: ${allWindows.length}`);
  ready = true;
  log('ready');
  app.emit('ready');
  resolveReady();
  await until('the main window', () => allWindows.length > 0);
  const win = allWindows[0];
  await until('the page load', () => win.webContents.mainFrame.url.startsWith('file:'));
  win.webContents.emit('did-finish-load');
  await until('files from the command line', () => report.sends.filter((s) => s.channel === 'sgd:session.opened').length >= (script.argvFiles || 0));

  const real = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  const subFrame = { url: win.webContents.mainFrame.url, name: 'child' };
  const other = new WebContents();
  other.mainFrame.url = win.webContents.mainFrame.url;
  const foreign = {
    subframe: { sender: win.webContents, senderFrame: subFrame },
    otherOrigin: { sender: win.webContents, senderFrame: win.webContents.mainFrame, url: 'https://evil.example/' },
    otherContents: { sender: other, senderFrame: other.mainFrame },
    noFrame: { sender: win.webContents, senderFrame: null },
  };

  // A loopback port that accepts: the watch started below connects at once (and main notifies).
  const watched = require('node:net').createServer((c) => c.destroy());
  await new Promise((r) => watched.listen(0, '127.0.0.1', r));
  report.watchedPort = watched.address().port;

  // Requests from the real frame: every channel answers (in contract order, confirmClose last).
  report.real = {};
  const example = await invoke('sessions.example', {}, real);
  const diagnosis = example.ok ? example.value.session.diagnosis : null;
  const args = {
    'app.info': {},
    'app.setPrefs': { lang: 'en', theme: 'system' },
    'app.setDirty': { dirty: false, title: 'SG Doctor' },
    'target.validate': { host: '127.0.0.1' },
    'profiles.list': {},
    'credentials.status': {},
    'credentials.setAccessKey': { accessKeyId: 'LTAI5tHarness00001111', accessKeySecret: 'HarnessSecret0000000000000' },
    'credentials.clear': {},
    'cloud.checkImport': { json: '{"SecurityGroupId":"sg-harness01","Permissions":{"Permission":[]}}' },
    'diagnosis.start': { host: '127.0.0.1', port: 9, service: 'custom', cloud: { mode: 'none' }, icmp: false },
    'server.script': { os: 'linux', port: 22 },
    'server.applyOutput': { diagnosis, text: 'LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))' },
    'server.runCloudAssistant': { diagnosis, cloud: { mode: 'none' }, consent: true },
    'sessions.save': { diagnosis, plan: { host: '127.0.0.1', port: 22 }, saveAs: true },
    'sessions.open': {},
    'sessions.recent': {},
    'sessions.browse': {},
    'sessions.example': {},
    'sessions.compare': { before: diagnosis, after: diagnosis },
    'report.export': { diagnosis, format: 'html', lang: 'en', maskIps: false },
    'shell.openExternal': { url: 'https://help.aliyun.com/zh/ecs/user-guide/overview-44' },
    'watch.start': { host: '127.0.0.1', port: report.watchedPort },
    // Refused by the backend (a fix the example does not propose, a file it did not hand out): nothing is sent.
    'fixes.preview': { diagnosis, checkId: 'sg.inbound-rule', fixIndex: 0, actions: [{ api: 'AuthorizeSecurityGroup', params: {} }], lang: 'en' },
    'fixes.apply': { diagnosis, plan: { host: '127.0.0.1', port: 22 }, checkId: 'sg.inbound-rule', fixIndex: 0, actions: [{ api: 'AuthorizeSecurityGroup', params: {} }], cloud: { mode: 'none' }, lang: 'en', confirm: true },
    'fixes.undo': { ref: require('node:path').join(process.env.HOME || '/nonexistent', 'not-handed-out.sgdiag'), cloud: { mode: 'none' }, lang: 'en', confirm: true },
  };
  for (const channel of script.channels) {
    if (channel === 'app.confirmClose' || channel === 'diagnosis.cancel' || channel === 'watch.cancel') continue;
    report.real[channel] = await invoke(channel, args[channel] ?? {}, real);
  }
  const runId = report.real['diagnosis.start'] && report.real['diagnosis.start'].ok ? report.real['diagnosis.start'].value.runId : '00000000-0000-4000-8000-000000000000';
  report.real['diagnosis.cancel'] = await invoke('diagnosis.cancel', { runId }, real);
  const watchStart = report.real['watch.start'];
  await until('the watch notification', () => report.notifications.length > 0).catch((e) => report.errors.push(String(e)));
  report.real['watch.cancel'] = await invoke('watch.cancel', { watchId: watchStart && watchStart.ok ? watchStart.value.watchId : '00000000-0000-4000-8000-000000000000' }, real);
  await new Promise((r) => watched.close(r));

  // The same requests from senders that are not the app's top frame: all refused.
  report.foreign = {};
  for (const [name, ev] of Object.entries(foreign)) {
    if (ev.url) ev.senderFrame = { ...win.webContents.mainFrame, url: ev.url };
    if (name === 'otherOrigin') {
      // The real window navigated (somehow) to a foreign page: its own main frame now shows another origin.
      const saved = win.webContents.mainFrame.url;
      win.webContents.mainFrame.url = ev.url;
      ev.senderFrame = win.webContents.mainFrame;
      report.foreign[name] = {};
      for (const channel of script.channels) report.foreign[name][channel] = await invoke(channel, args[channel] ?? {}, ev);
      win.webContents.mainFrame.url = saved;
      continue;
    }
    report.foreign[name] = {};
    for (const channel of script.channels) report.foreign[name][channel] = await invoke(channel, args[channel] ?? {}, ev);
  }
  report.real['app.confirmClose'] = await invoke('app.confirmClose', {}, real);

  // Files from a second instance and from the OS (macOS open-file).
  const before = report.sends.filter((s) => s.channel === 'sgd:session.opened').length;
  app.emit('second-instance', {}, [process.execPath, '--some-flag', ...(script.secondInstance || [])], process.cwd());
  const openFileEvent = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
  for (const f of script.openFile || []) app.emit('open-file', openFileEvent, f);
  report.openFilePrevented = openFileEvent.defaultPrevented;
  const expected = before + (script.secondInstance || []).filter((f) => /\.sgdiag$/i.test(f)).length + (script.openFile || []).length;
  await until('files from second-instance and open-file', () => report.sends.filter((s) => s.channel === 'sgd:session.opened').length >= expected);

  // Navigation and new windows are denied by the handlers main installed on every web contents.
  let navPrevented = false;
  win.webContents.emit('will-navigate', { preventDefault: () => (navPrevented = true) }, 'https://evil.example/');
  report.navigationPrevented = navPrevented;
  report.windowOpen = win.webContents.windowOpenHandler ? win.webContents.windowOpenHandler({ url: 'https://evil.example/' }) : null;
  report.permission = await new Promise((r) => (electron.session.permissionRequest ? electron.session.permissionRequest(null, 'camera', r) : r('no handler')));
}

main()
  .catch((e) => report.errors.push(String((e && e.stack) || e)))
  .finally(() => {
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  });
