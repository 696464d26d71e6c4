// Packaging checks that run without the Electron binary: electron-builder.yml is loaded and validated
// by electron-builder's own code (loader + JSON schema), checked against what SG Doctor needs, every
// file it references must exist, the generated icons must be well-formed, the fuses must really be
// flipped by the same code path electron-builder uses, and the beforeBuild hook must keep a failed
// raw-socket rebuild from failing the package.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import { decodePng, isPng, pngChunks, pngSize, readIcns, readIco, rgbaFromDib, ICNS_PNG_TYPES } from '../scripts/icon-formats';
import { ICNS_LAYOUT, ICO_SIZES, LINUX_SIZES } from '../scripts/make-icons';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const projectRequire = createRequire(join(root, 'package.json'));
// electron-builder's internals, resolved through electron-builder itself (it pins app-builder-lib exactly).
const builderRequire = createRequire(projectRequire.resolve('electron-builder/package.json'));
const configLib = builderRequire('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: Configuration | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };
// Load the package index first: requiring platformPackager on its own trips a circular import.
const { PlatformPackager } = builderRequire('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<Record<string, unknown>> } };
};
const fusesLib = builderRequire('@electron/fuses') as {
  flipFuses(path: string, config: Record<string, unknown>): Promise<number>;
  getCurrentFuseWire(path: string): Promise<Record<string, unknown>>;
  FuseV1Options: Record<string, number>;
};
const hook = projectRequire('./build/before-build.cjs') as {
  beforeBuild(ctx: Record<string, unknown>, deps?: Record<string, unknown>): Promise<boolean>;
  forgeMeta(platform: string, arch: string, abi: string): string;
  loadRebuildTools(): Promise<{ rebuild: (o: Record<string, unknown>) => Promise<void> & { lifecycle: NodeJS.EventEmitter }; getAbi(v: string, t: string): string }>;
};

type Target = string | { target: string; arch?: string[] };
type Assoc = { ext: string | string[]; name?: string; description?: string; mimeType?: string; role?: string; icon?: string };
// The loader returns plain objects; index them loosely where electron-builder's types are unions.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let config: Configuration;
const validate = (c: Configuration): Promise<void> => configLib.validateConfiguration(c, new DebugLogger(false));
const targetsOf = (t: unknown): string[] => (Array.isArray(t) ? (t as Target[]) : [t as Target]).map((x) => (typeof x === 'string' ? x : x.target));
const inBuild = (p: string): string => join(root, config.directories?.buildResources ?? 'build', p);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Loose;

beforeAll(async () => {
  config = await configLib.getConfig(root, 'electron-builder.yml', null);
});

describe('electron-builder.yml: schema', () => {
  it('passes electron-builder 26 validation (its own loader, its own scheme.json)', async () => {
    expect(builderRequire('app-builder-lib/package.json').version).toMatch(/^26\./);
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it.each([
    ['an unknown top-level key', (c: Loose) => ({ ...c, appID: 'typo' }), /appID/],
    ['a misspelt fuse', (c: Loose) => ({ ...c, electronFuses: { ...c.electronFuses, runAsNod: false } }), /configuration\.electronFuses/],
    ['an nsis option in the wrong case', (c: Loose) => ({ ...c, nsis: { ...c.nsis, oneclick: false } }), /configuration\.nsis/],
    ['a fuse given as a string', (c: Loose) => ({ ...c, electronFuses: { ...c.electronFuses, runAsNode: 'off' } }), /runAsNode/],
    ['a file association without ext', (c: Loose) => ({ ...c, mac: { ...c.mac, fileAssociations: [{ name: 'x' }] } }), /ext/],
  ])('rejects a mutated copy with %s', async (_name, mutate, message) => {
    const bad = mutate(structuredClone(config) as Loose) as Configuration;
    await expect(validate(bad)).rejects.toThrow(message);
  });
});

describe('electron-builder.yml: what SG Doctor needs', () => {
  it('has the identity, output layout and asar settings', () => {
    expect(config.appId).toBe('com.sgdoctor.app');
    expect(config.productName).toBe('SG Doctor');
    expect(config.directories).toMatchObject({ output: 'release', buildResources: 'build' });
    expect(config.asar).toBe(true);
    expect(config.publish).toBeNull();
    // electron-builder's loader normalises the list into one FileSet: [{ filter: [...] }]
    const files = (config.files as (string | { filter: string[] })[]).flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'out/main/**', 'out/preload/**', 'out/renderer/**', '!**/*.map']));
    expect(files.some((f) => f.startsWith('src') || f.startsWith('test') || f === '**/*')).toBe(false);
  });

  it('builds NSIS on Windows, dmg on macOS, AppImage and deb on Linux', () => {
    expect(targetsOf(config.win?.target)).toEqual(['nsis']);
    expect(targetsOf(config.mac?.target)).toEqual(['dmg']);
    expect(targetsOf(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
  });

  it('configures an assisted per-user NSIS installer with shortcuts', () => {
    expect(config.nsis).toMatchObject({
      oneClick: false,
      perMachine: false,
      allowToChangeInstallationDirectory: true,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
    });
  });

  it('hardens and categorises the macOS app and describes the Linux packages', () => {
    expect(config.mac).toMatchObject({ category: 'public.app-category.developer-tools', hardenedRuntime: true });
    expect(config.mac?.entitlements).toBeTruthy();
    const linux = config.linux as Loose;
    expect(linux.category).toBe('Network');
    expect(linux.maintainer).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(linux.synopsis.length).toBeGreaterThan(10);
    expect((config.deb as Loose).depends).toEqual(expect.arrayContaining([expect.stringMatching(/iputils-ping/), 'libnss3']));
  });

  it('associates .sgdiag on every OS (ProgID on Windows, Editor role on macOS, MIME type on Linux)', () => {
    const per = (o: unknown): Assoc[] => [...((config.fileAssociations as Assoc[] | undefined) ?? []), ...(((o as Loose)?.fileAssociations as Assoc[]) ?? [])];
    for (const os of [config.win, config.mac, config.linux]) {
      expect(per(os).filter((a) => [a.ext].flat().includes('sgdiag'))).toHaveLength(1);
    }
    const win = per(config.win)[0];
    expect(win.name).toMatch(/^[A-Za-z0-9.]+$/); // a ProgID has no spaces
    expect(win.description).toBeTruthy();
    expect(per(config.mac)[0].role).toBe('Editor');
    expect(per(config.linux)[0].mimeType).toBe('application/x-sgdiag+json');
  });

  it('flips the fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('writes those fuses into an Electron binary through electron-builder\'s own fuse code', async () => {
    // A stand-in for the Electron executable: the fuse sentinel followed by Electron's default V1 wire
    // (RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar integrity off,
    // only-asar off, browser V8 snapshot off, file:// privileges on).
    const dir = mkdtempSync(join(tmpdir(), 'sgd-fuses-'));
    try {
      const bin = join(dir, 'electron');
      const wire = Buffer.from([1, 8, ...'10110001'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
      writeFileSync(bin, Buffer.concat([Buffer.alloc(64, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), wire, Buffer.alloc(64, 9)]));
      const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses);
      expect(await fusesLib.flipFuses(bin, fuseConfig)).toBe(1);
      const after = await fusesLib.getCurrentFuseWire(bin);
      const O = fusesLib.FuseV1Options;
      const on = (o: number): boolean => after[o] === '1'.charCodeAt(0);
      expect(on(O.RunAsNode)).toBe(false);
      expect(on(O.EnableNodeOptionsEnvironmentVariable)).toBe(false);
      expect(on(O.EnableNodeCliInspectArguments)).toBe(false);
      expect(on(O.EnableCookieEncryption)).toBe(true);
      expect(on(O.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
      expect(on(O.OnlyLoadAppFromAsar)).toBe(true);
      expect(on(O.LoadBrowserProcessSpecificV8Snapshot)).toBe(false);
      expect(on(O.GrantFileProtocolExtraPrivileges)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unpacks the optional native addon from the asar and routes rebuilds through the tolerant hook', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringMatching(/raw-socket.*\.node$/)]));
    expect(config.npmRebuild).not.toBe(false); // beforeBuild only runs when npmRebuild is on
    expect(config.nodeGypRebuild).toBe(false);
    expect(config.beforeBuild).toBe('./build/before-build.cjs');
  });

  it('ships the resources folder next to app.asar (process.resourcesPath)', () => {
    const extra = (config.extraResources as Loose[])[0];
    expect(extra.from).toBe('resources');
    expect(extra.to ?? '.').toBe('.');
    expect(extra.filter).toContain('*.sgdiag');
    expect(statSync(join(root, extra.from)).isDirectory()).toBe(true);
  });
});

describe('electron-builder.yml: every referenced file exists', () => {
  it('icons, installer assets, entitlements and the hook', () => {
    const win = config.win as Loose;
    const mac = config.mac as Loose;
    const nsis = config.nsis as Loose;
    const files = [
      win.icon, mac.icon, (config.dmg as Loose).icon, nsis.installerIcon, nsis.uninstallerIcon, nsis.license,
      mac.entitlements, mac.entitlementsInherit,
      // fileAssociations icons are named without extension: .ico on Windows, .icns on macOS
      `${win.fileAssociations[0].icon}.ico`, `${mac.fileAssociations[0].icon}.icns`,
      'icon.png', 'icon.svg',
    ];
    for (const f of files) expect(existsSync(inBuild(f)), `build/${f}`).toBe(true);
    expect(existsSync(join(root, config.beforeBuild as string))).toBe(true);
    expect(readFileSync(inBuild(mac.entitlements), 'utf8')).toContain('com.apple.security.cs.allow-jit');
    const linuxIcons = readdirSync(inBuild((config.linux as Loose).icon));
    expect(linuxIcons.sort()).toEqual(LINUX_SIZES.map((s) => `${s}x${s}.png`).sort());
  });

  it('ships resources/example.sgdiag (the example the welcome screen opens)', () => {
    expect(existsSync(join(root, 'resources', 'example.sgdiag')), 'resources/example.sgdiag is missing').toBe(true);
  });
});

describe('generated icons', () => {
  const png = (p: string): Buffer => readFileSync(inBuild(p));
  const alpha = (buf: Buffer, x: number, y: number): number => {
    const img = decodePng(buf);
    return img.pixels[(y * img.width + x) * 4 + 3];
  };

  it('icon.png is a valid 1024 px PNG, transparent at the corner, opaque in the middle', () => {
    const buf = png('icon.png');
    expect(isPng(buf)).toBe(true);
    expect(pngChunks(buf).every((c) => c.crcOk)).toBe(true);
    expect(pngSize(buf)).toEqual({ width: 1024, height: 1024 });
    expect(alpha(buf, 2, 2)).toBe(0);
    expect(alpha(buf, 512, 512)).toBe(255);
  });

  it.each(LINUX_SIZES)('icons/NxN.png for N = %i has that size', (s) => {
    const buf = png(`icons/${s}x${s}.png`);
    expect(pngSize(buf)).toEqual({ width: s, height: s });
    expect(decodePng(buf).pixels.length).toBe(s * s * 4);
  });

  it('icon.ico holds 16…256 px; 256 as PNG, smaller as 32-bit DIBs with the same pixels as the PNGs', () => {
    const entries = readIco(png('icon.ico'));
    expect(entries.map((e) => e.width)).toEqual(ICO_SIZES);
    for (const e of entries) {
      expect(e.height).toBe(e.width);
      expect(e.bitCount).toBe(32);
      const source = png(`icons/${e.width}x${e.width}.png`);
      if (e.width === 256) {
        expect(e.format).toBe('png');
        expect(e.data.equals(source)).toBe(true);
      } else {
        expect(e.format).toBe('bmp');
        expect(rgbaFromDib(e.data).pixels.equals(decodePng(source).pixels)).toBe(true);
      }
    }
  });

  it('icon.icns has the iconset chunk types, each a PNG of the right size, matching the committed PNGs', () => {
    const chunks = readIcns(png('icon.icns'));
    expect(chunks.map((c) => c.type)).toEqual(ICNS_LAYOUT.map(([t]) => t));
    for (const c of chunks) {
      const size = ICNS_PNG_TYPES[c.type];
      expect(pngSize(c.data)).toEqual({ width: size, height: size });
      const source = size === 1024 ? png('icon.png') : png(`icons/${size}x${size}.png`);
      expect(c.data.equals(source)).toBe(true);
    }
  });

  it('the .sgdiag document icons are well-formed and differ from the app icon', () => {
    const ico = readIco(png('sgdiag.ico'));
    expect(ico.map((e) => e.width)).toEqual(ICO_SIZES);
    const icns = readIcns(png('sgdiag.icns'));
    expect(icns.map((c) => c.type)).toEqual(ICNS_LAYOUT.map(([t]) => t));
    for (const c of icns) expect(pngSize(c.data).width).toBe(ICNS_PNG_TYPES[c.type]);
    expect(icns.find((c) => c.type === 'ic10')!.data.equals(png('icon.png'))).toBe(false);
  });

  it('the readers reject damaged containers', () => {
    const ico = Buffer.from(png('icon.ico'));
    ico.writeUInt16LE(2, 2); // type 2 = cursor
    expect(() => readIco(ico)).toThrow(/ICO/);
    const icns = Buffer.from(png('icon.icns'));
    expect(() => readIcns(icns.subarray(0, icns.length - 1))).toThrow(/length/);
    const p = Buffer.from(png('icons/16x16.png'));
    p[40] ^= 0xff;
    expect(() => decodePng(p)).toThrow();
  });
});

describe('package.json and the native-module fallback', () => {
  it('points main at the electron-vite output and has a dist script that builds first', () => {
    expect(pkg.main.replace(/^\.\//, '')).toBe('out/main/index.js');
    expect(pkg.scripts.dist).toMatch(/^npm run build && electron-builder\b/);
    expect(pkg.scripts.dist).toContain('--config electron-builder.yml');
    expect(pkg.devDependencies['electron-builder']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('keeps net-ping optional and loads it lazily so a missing addon falls back to system ping', () => {
    expect(pkg.optionalDependencies?.['net-ping']).toBeTruthy();
    expect(pkg.dependencies?.['net-ping']).toBeUndefined();
    const icmp = readFileSync(join(root, 'src/core/probe/icmp.ts'), 'utf8');
    expect(icmp).not.toMatch(/^\s*import[^;]*['"]net-ping['"]/m);
    expect(icmp).toMatch(/try\s*{[^}]*require\(['"]net-ping['"]\)[^}]*}\s*catch/);
  });
});

describe('beforeBuild hook (build/before-build.cjs)', () => {
  let server: Server;
  let headerRequests = 0;
  let url = '';
  const oldHome = process.env.HOME;
  const oldHeaders = process.env.SGD_ELECTRON_HEADERS_URL;

  beforeAll(async () => {
    // Electron headers "mirror" on loopback that has nothing: the real rebuild fails offline and safely.
    server = createServer((_req, res) => {
      headerRequests++;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    process.env.HOME = oldHome;
    if (oldHeaders === undefined) delete process.env.SGD_ELECTRON_HEADERS_URL;
    else process.env.SGD_ELECTRON_HEADERS_URL = oldHeaders;
    await new Promise((r) => server.close(r));
  });

  function fakeApp(withRawSocket: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), 'sgd-hook-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hook-app', version: '1.0.0', dependencies: withRawSocket ? { 'raw-socket': '*' } : {} }));
    if (withRawSocket) {
      // raw-socket plus nan (its build-time header dependency), so node-gyp gets as far as fetching headers
      for (const m of ['raw-socket', 'nan']) cpSync(join(root, 'node_modules', m), join(dir, 'node_modules', m), { recursive: true });
    }
    return dir;
  }

  it('passes through when raw-socket is not installed', async () => {
    const dir = fakeApp(false);
    try {
      const results: unknown[] = [];
      const ok = await hook.beforeBuild({ appDir: dir, electronVersion: '45.4.1', platform: { nodeName: process.platform }, arch: 'x64' }, { onResult: (r: unknown) => results.push(r), log: () => {} });
      expect(ok).toBe(true);
      expect(results).toEqual([{ status: 'absent' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not try to cross-compile and marks the addon so electron-builder skips it', async () => {
    const dir = fakeApp(true);
    try {
      const results: unknown[] = [];
      const tools = { rebuild: () => { throw new Error('must not be called'); }, getAbi: () => '140' };
      const other = process.platform === 'win32' ? 'linux' : 'win32';
      const ok = await hook.beforeBuild({ appDir: dir, electronVersion: '45.4.1', platform: other, arch: 'x64' }, { tools, onResult: (r: unknown) => results.push(r), log: () => {} });
      expect(ok).toBe(true);
      expect(results).toEqual([{ status: 'skipped', reason: 'cross-platform' }]);
      expect(readFileSync(join(dir, 'node_modules/raw-socket/build/Release/.forge-meta'), 'utf8')).toBe(`${other}--x64--140`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('survives a real failed @electron/rebuild, keeps the Node build, and electron-builder\'s pass then skips the module', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sgd-home-')); // no cached ~/.electron-gyp headers
    const dir = fakeApp(true);
    process.env.HOME = home;
    process.env.SGD_ELECTRON_HEADERS_URL = url;
    // An npm `nodedir` setting (npx exports it as npm_config_nodedir) would make node-gyp build against
    // the local Node headers instead of fetching Electron's: drop it for this test.
    const nodedir = process.env.npm_config_nodedir;
    delete process.env.npm_config_nodedir;
    try {
      const nodeBinary = join(dir, 'node_modules/raw-socket/build/Release/raw.node');
      const before = existsSync(nodeBinary) ? readFileSync(nodeBinary) : null;
      const results: { status: string; reason?: string }[] = [];
      const logs: string[] = [];
      const ok = await hook.beforeBuild(
        { appDir: dir, electronVersion: '45.4.1', platform: { nodeName: process.platform }, arch: process.arch },
        { onResult: (r: { status: string }) => results.push(r), log: (m: string) => logs.push(m) },
      );
      expect(ok).toBe(true);
      expect(results[0].status).toBe('failed');
      expect(logs.join('\n')).toMatch(/system ping/);
      expect(headerRequests).toBeGreaterThan(0); // it really tried, against the loopback mirror
      if (before) expect(readFileSync(nodeBinary).equals(before)).toBe(true);

      // What electron-builder does next: @electron/rebuild without force, same platform/arch/version.
      const { rebuild, getAbi } = await hook.loadRebuildTools();
      expect(readFileSync(join(dir, 'node_modules/raw-socket/build/Release/.forge-meta'), 'utf8')).toBe(
        hook.forgeMeta(process.platform, process.arch, getAbi('45.4.1', 'electron')),
      );
      const requestsBefore = headerRequests;
      const skipped: string[] = [];
      const run = rebuild({ buildPath: dir, projectRootPath: dir, electronVersion: '45.4.1', platform: process.platform, arch: process.arch, mode: 'sequential', headerURL: url });
      run.lifecycle.on('module-skip', (m: string) => skipped.push(m));
      await run;
      expect(skipped).toEqual(['raw-socket']);
      expect(headerRequests).toBe(requestsBefore);
    } finally {
      process.env.HOME = oldHome;
      if (nodedir !== undefined) process.env.npm_config_nodedir = nodedir;
      rmSync(dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
