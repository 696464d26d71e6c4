// Is the build in out/ current? `npm start` type-checks and rebuilds only when it is not: when a build input
// (sources, configs, the lockfile, resources) is newer than the stamp the last successful build left, or
// an output is missing. The stamp holds the time the build started, so a file saved during a build makes
// the next start rebuild.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP = join('out', '.build-stamp');
/** What the build reads (folders are walked). */
export const BUILD_INPUTS = ['src', 'resources', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json', 'scripts/build-cli.mjs'];
/** What the app needs from the build. */
export const BUILD_OUTPUTS = [join('out', 'main', 'index.js'), join('out', 'renderer', 'index.html'), join('out', 'cli', 'index.cjs')];

function newestMtime(path, budget = { files: 20_000 }) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (--budget.files < 0) return Number.POSITIVE_INFINITY; // unexpectedly large: rebuild rather than guess
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, e.name), budget));
  }
  return newest;
}

/** { current, reason }: reason says why a rebuild is needed (for the start message). */
export function buildState(root) {
  const stampFile = join(root, STAMP);
  const missing = BUILD_OUTPUTS.find((o) => !existsSync(join(root, o)));
  if (missing) return { current: false, reason: `${missing} is missing` };
  if (!existsSync(stampFile)) return { current: false, reason: 'no record of a complete build' };
  const stamp = Number(readFileSync(stampFile, 'utf8').trim());
  if (!Number.isFinite(stamp)) return { current: false, reason: 'the build record is unreadable' };
  for (const input of BUILD_INPUTS) {
    if (newestMtime(join(root, input)) > stamp) return { current: false, reason: `${input} changed since the last build` };
  }
  return { current: true, reason: 'the build is current' };
}

/** Records a successful build that started at `startedAt` (ms since the epoch). */
export function writeStamp(root, startedAt) {
  writeFileSync(join(root, STAMP), `${startedAt}\n`);
}
