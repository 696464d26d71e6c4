// `npm start`: build when the build is not current, then run the desktop app. Where the Electron binary
// cannot be had (it is downloaded from GitHub on first use), say so, tell the user what to do, and fall
// back to the web shell, opening the browser at it (SGD_NO_BROWSER=1: only print the address).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState, writeStamp } from './build-stamp.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32', cwd: root, ...opts });

if (!process.argv.includes('--no-build')) {
  // Type-check and build only when a build input is newer than the last complete build (--rebuild forces it).
  const state = process.argv.includes('--rebuild') ? { current: false, reason: '--rebuild' } : buildState(root);
  if (state.current) console.log('Build is current: skipping type-check and build (npm start -- --rebuild to force).');
  else {
    console.log(`Building (${state.reason})...`);
    const startedAt = Date.now();
    const built = run('npm', ['run', 'build']);
    if (built.status !== 0) process.exit(built.status ?? 1);
    writeStamp(root, startedAt);
  }
}

/** Opens the user's browser at the web shell; any failure only leaves the printed address to click. */
function openBrowser(url) {
  if (process.env.SGD_NO_BROWSER === '1') return;
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log('(Could not open a browser: open the address above yourself.)'));
    child.unref();
  } catch {
    console.log('(Could not open a browser: open the address above yourself.)');
  }
}

function electronBinary() {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  const binary = () => (existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null);
  if (binary() && existsSync(binary())) return binary();
  console.log('Fetching the Electron runtime (first start only)...');
  // Bounded: on a closed network the download must not hang the start for minutes.
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 120_000, encoding: 'utf8' });
  const b = binary();
  if (r.status !== 0) {
    const reason = (r.stderr || '').split('\n').find((l) => l.trim()) ?? (r.error ? r.error.message : `exit ${r.status}`);
    console.error(`Electron download failed: ${reason.trim()}`);
  }
  return r.status === 0 && b && existsSync(b) ? b : null;
}

const electron = electronBinary();
if (electron) {
  const child = spawn(electron, ['.'], { stdio: 'inherit', cwd: root });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(`
The Electron runtime could not be downloaded, so the desktop window cannot open here.
  - In mainland China set a mirror and retry:  ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ npm start
  - Or use the command line:                   npx sg-doctor diagnose <host> --port 22
Falling back to the web shell on 127.0.0.1 (same app, in your browser):
`);
  const child = spawn(process.execPath, [join(root, 'out', 'cli', 'index.cjs'), 'serve'], { stdio: ['inherit', 'pipe', 'inherit'], cwd: root });
  let printed = '';
  let opened = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (opened) return;
    printed += chunk.toString();
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(printed);
    if (m) {
      opened = true;
      openBrowser(m[1]);
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
