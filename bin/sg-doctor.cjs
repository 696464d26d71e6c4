#!/usr/bin/env node
'use strict';
// Runs the bundled CLI; in a checkout that was not built yet, runs the TypeScript source through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundled = join(__dirname, '..', 'out', 'cli', 'index.cjs');
if (existsSync(bundled)) {
  require(bundled);
} else {
  const { spawnSync } = require('node:child_process');
  const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  if (!existsSync(tsx)) {
    console.error('sg-doctor: not built. Run "npm run build" first.');
    process.exit(2);
  }
  const src = join(__dirname, '..', 'src', 'cli', 'index.ts');
  const r = spawnSync(tsx, [src, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
