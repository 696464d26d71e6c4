'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook that electron-builder require()s */
// electron-builder `beforeBuild` hook (electron-builder.yml). Makes the optional native addon
// raw-socket (under net-ping, raw ICMP sockets) best-effort instead of a reason to fail the build.
//
// Without this hook electron-builder rebuilds every native production dependency for Electron and
// aborts the whole package when one of them fails (no C++ toolchain, Electron headers unreachable,
// building for another OS). Here we rebuild raw-socket ourselves, for the exact Electron version /
// platform / arch being packaged. If that fails we write @electron/rebuild's own "already built"
// marker (build/Release/.forge-meta = platform--arch--ABI), so electron-builder's rebuild pass skips
// the module and packaging goes on. The app then cannot load the addon (wrong ABI, or not built)
// and src/core/probe/icmp.ts, which require()s net-ping lazily inside try/catch, uses the system
// `ping` instead: the packaged app works either way, only without raw-socket precision.
//
// Resolving to true lets electron-builder go on collecting and rebuilding the other production
// dependencies exactly as it would without the hook.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');

const MODULE = 'raw-socket';

/** Loads @electron/rebuild and node-abi from electron-builder's own dependency tree (ESM packages). */
async function loadRebuildTools() {
  const fromProject = createRequire(__filename);
  const fromBuilder = createRequire(fromProject.resolve('app-builder-lib/package.json'));
  const rebuildEntry = fromBuilder.resolve('@electron/rebuild');
  const abiEntry = createRequire(rebuildEntry).resolve('node-abi');
  const { rebuild } = await import(pathToFileURL(rebuildEntry).href);
  const { getAbi } = await import(pathToFileURL(abiEntry).href);
  return { rebuild, getAbi };
}

function platformName(platform) {
  // electron-builder passes its Platform object; tests and manual runs may pass 'linux' etc.
  return typeof platform === 'string' ? platform : platform.nodeName;
}

/** What @electron/rebuild writes after a successful build and compares against to skip one. */
function forgeMeta(platform, arch, abi) {
  return `${platform}--${arch}--${abi}`;
}

async function beforeBuild(context, deps = {}) {
  const { appDir, arch } = context;
  const platform = platformName(context.platform);
  const log = deps.log || ((msg) => console.log(`  • sg-doctor beforeBuild: ${msg}`));
  const modulePath = path.join(appDir, 'node_modules', MODULE);
  if (!fs.existsSync(path.join(modulePath, 'binding.gyp'))) {
    log(`${MODULE} is not installed (optional); the app will use the system ping for ICMP`);
    if (deps.onResult) deps.onResult({ status: 'absent' });
    return true;
  }
  const electronVersion =
    context.electronVersion ||
    JSON.parse(fs.readFileSync(createRequire(path.join(appDir, 'package.json')).resolve('electron/package.json'), 'utf8')).version;
  const tools = deps.tools || (await loadRebuildTools());
  const abi = tools.getAbi(electronVersion, 'electron');
  const result = await rebuildRawSocket({ appDir, modulePath, electronVersion, platform, arch, abi }, tools, log);
  if (deps.onResult) deps.onResult(result);
  return true;
}

async function rebuildRawSocket({ appDir, modulePath, electronVersion, platform, arch, abi }, tools, log) {
  const releaseDir = path.join(modulePath, 'build', 'Release');
  if (platform !== process.platform) {
    // node-gyp cannot cross-compile a native addon for another OS.
    markBuilt(releaseDir, platform, arch, abi);
    log(`${MODULE}: cannot be built for ${platform} on ${process.platform}; the ${platform} app will use the system ping`);
    return { status: 'skipped', reason: 'cross-platform' };
  }
  // node-gyp starts with `clean`: keep the Node build of the addon (used by the CLI and the tests)
  // so that a failed attempt leaves node_modules as it found it.
  const binary = path.join(releaseDir, 'raw.node');
  const saved = fs.existsSync(binary) ? fs.readFileSync(binary) : null;
  try {
    await tools.rebuild({
      buildPath: appDir,
      projectRootPath: appDir,
      electronVersion,
      platform,
      arch,
      onlyModules: [MODULE],
      force: true,
      mode: 'sequential',
      ...(process.env.SGD_ELECTRON_HEADERS_URL ? { headerURL: process.env.SGD_ELECTRON_HEADERS_URL } : {}),
    });
    log(`${MODULE} rebuilt for Electron ${electronVersion} (${platform}-${arch}, ABI ${abi}); run \`npm rebuild ${MODULE}\` to get the Node build back for the CLI`);
    return { status: 'rebuilt' };
  } catch (e) {
    if (saved && !fs.existsSync(binary)) {
      fs.mkdirSync(releaseDir, { recursive: true });
      fs.writeFileSync(binary, saved);
    }
    markBuilt(releaseDir, platform, arch, abi);
    const why = String((e && e.message) || e).split('\n')[0];
    log(`${MODULE} could not be rebuilt for Electron ${electronVersion} (${why}); packaging goes on and the app will use the system ping for ICMP`);
    return { status: 'failed', reason: why };
  }
}

function markBuilt(releaseDir, platform, arch, abi) {
  fs.mkdirSync(releaseDir, { recursive: true });
  fs.writeFileSync(path.join(releaseDir, '.forge-meta'), forgeMeta(platform, arch, abi));
}

module.exports = { beforeBuild, forgeMeta, loadRebuildTools };
