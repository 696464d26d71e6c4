// `npm start`: build, then run the desktop app. Where the Electron binary cannot be had (it is downloaded
// from GitHub on first use), say so, tell the user what to do, and fall back to the web shell.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32', ...opts });

if (!process.argv.includes('--no-build')) {
  const built = run('npm', ['run', 'build']);
  if (built.status !== 0) process.exit(built.status ?? 1);
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
  const child = spawn(electron, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(`
The Electron runtime could not be downloaded, so the desktop window cannot open here.
  - In mainland China set a mirror and retry:  ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ npm start
  - Or use the command line:                   npx sg-doctor diagnose <host> --port 22
Falling back to the web shell on 127.0.0.1 (same app, in your browser):
`);
  const child = spawn(process.execPath, [join('out', 'cli', 'index.cjs'), 'serve'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
