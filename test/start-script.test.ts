// `npm start` (scripts/start.mjs): builds only when the build is not current, and in the web-shell
// fallback opens the browser at the printed address (SGD_NO_BROWSER=1 skips that; a missing opener is
// tolerated). Run in a stand-in checkout: the real start.mjs and build-stamp.mjs, a `build` script that
// records that it ran, an `electron` package whose installer yields no binary (as here, where it cannot be
// downloaded; nothing is fetched), a stand-in web shell that prints its address, and a stand-in
// `xdg-open` on PATH that records what it was asked to open.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { buildState, writeStamp } from '../scripts/build-stamp.mjs';

const repo = resolve(__dirname, '..');
let root: string;
let bin: string;

const write = (rel: string, text: string, mode?: number): void => {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  if (mode) chmodSync(p, mode);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sgd-start-'));
  bin = join(root, 'fake-bin');
  mkdirSync(join(root, 'scripts'), { recursive: true });
  copyFileSync(join(repo, 'scripts', 'start.mjs'), join(root, 'scripts', 'start.mjs'));
  copyFileSync(join(repo, 'scripts', 'build-stamp.mjs'), join(root, 'scripts', 'build-stamp.mjs'));
  // `npm run build` stand-in: counts its runs and writes the outputs the app needs.
  write(
    'package.json',
    JSON.stringify({ name: 'start-standin', private: true, scripts: { build: 'node build.cjs' } }),
  );
  write(
    'build.cjs',
    `const fs=require('fs');fs.appendFileSync('builds.log','built\\n');
for (const f of ['out/main/index.js','out/renderer/index.html']) { fs.mkdirSync(require('path').dirname(f),{recursive:true}); fs.writeFileSync(f,''); }
fs.mkdirSync('out/cli',{recursive:true}); fs.copyFileSync('serve-standin.cjs','out/cli/index.cjs');`,
  );
  // The web shell stand-in: prints its address like \`sg-doctor serve\`, then exits.
  write('serve-standin.cjs', `console.log('SG Doctor is running in your browser at:\\n\\n  http://127.0.0.1:43210/?token=abc123\\n'); setTimeout(() => process.exit(0), 300);`);
  write('src/main.ts', 'export {};\n');
  write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', version: '0.0.0' }));
  write('node_modules/electron/install.js', 'process.exit(0); // no binary (as when the download is impossible)\n');
  write('fake-bin/xdg-open', `#!/bin/sh\necho "$@" >> "${join(root, 'opened.log')}"\n`, 0o755);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function start(env: NodeJS.ProcessEnv = {}, pathPrefix = bin): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      // The web shell here is a stand-in, but no started shell may ever reach the shipped public endpoints.
      env: { PATH: `${pathPrefix}:${process.env.PATH}`, HOME: root, SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      setTimeout(() => done({ code, out }), 200); // the detached opener writes its log
    });
  });
}

const builds = (): number => (existsSync(join(root, 'builds.log')) ? readFileSync(join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length : 0);
const opened = (): string[] => (existsSync(join(root, 'opened.log')) ? readFileSync(join(root, 'opened.log'), 'utf8').split('\n').filter(Boolean) : []);

describe('npm start', () => {
  it('builds the first time, falls back to the web shell and opens the browser at its address', async () => {
    const r = await start();
    expect(r.code, r.out).toBe(0);
    expect(builds()).toBe(1);
    expect(r.out).toMatch(/Building \(/);
    expect(r.out).toContain('http://127.0.0.1:43210/?token=abc123');
    expect(opened()).toEqual(['http://127.0.0.1:43210/?token=abc123']);
  }, 90_000);

  it('does not type-check or build again while the build is current; SGD_NO_BROWSER=1 opens nothing', async () => {
    const r = await start({ SGD_NO_BROWSER: '1' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Build is current/);
    expect(builds()).toBe(1);
    expect(opened()).toHaveLength(1);
  }, 90_000);

  it('builds again after a source file changed', async () => {
    // Just after the last build's stamp (and before now): an edit made after that build.
    const stamp = Number(readFileSync(join(root, 'out', '.build-stamp'), 'utf8'));
    utimesSync(join(root, 'src', 'main.ts'), (stamp + 1) / 1000, (stamp + 1) / 1000);
    const r = await start({ SGD_NO_BROWSER: '1' });
    expect(r.out).toMatch(/Building \(src changed/);
    expect(builds()).toBe(2);
  }, 90_000);

  it('a machine without any browser opener still serves (the address is printed)', async () => {
    const r = await start({}, join(root, 'no-such-dir'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('http://127.0.0.1:43210/?token=abc123');
    expect(builds()).toBe(2);
  }, 90_000);
});

describe('build stamp', () => {
  it('is current only with every output present and no input newer than the stamp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgd-stamp-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'a.ts'), '');
      expect(buildState(dir)).toMatchObject({ current: false, reason: expect.stringMatching(/missing/) });
      for (const f of ['out/main/index.js', 'out/renderer/index.html', 'out/cli/index.cjs']) {
        mkdirSync(join(dir, f, '..'), { recursive: true });
        writeFileSync(join(dir, f), '');
      }
      expect(buildState(dir)).toMatchObject({ current: false, reason: 'no record of a complete build' });
      writeStamp(dir, Date.now() + 1000);
      expect(buildState(dir)).toEqual({ current: true, reason: 'the build is current' });
      const later = Date.now() / 1000 + 10;
      utimesSync(join(dir, 'src', 'a.ts'), later, later);
      expect(buildState(dir)).toMatchObject({ current: false, reason: 'src changed since the last build' });
      writeStamp(dir, Date.now() + 20_000);
      rmSync(join(dir, 'out', 'cli', 'index.cjs'));
      expect(buildState(dir).current).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
