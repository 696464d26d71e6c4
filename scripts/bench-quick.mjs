#!/usr/bin/env node
// `npm run bench:quick`: every benchmark (each package.json "bench:*" script, plus bench/probe-timing.ts)
// once, in its one-run quick mode (SGD_BENCH_QUICK=1), printing its figures. `.ci/run` runs this after the
// tests so that a change elsewhere (a UI label, a CLI flag, a lab helper) cannot silently break a benchmark.
// Lab benchmarks skip where the lab cannot run unless SGD_REQUIRE_LAB=1. Outside contacts are off.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const names = Object.keys(pkg.scripts).filter((n) => n.startsWith('bench:') && n !== 'bench:quick');
const env = {
  ...process.env,
  SGD_BENCH_QUICK: '1',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  SGD_EGRESS_IP_URLS: '',
  SGD_CONTROL_HOSTS: '',
  SGD_DNS_SERVERS: '',
};
const failed = [];
for (const name of names) {
  const t0 = Date.now();
  console.log(`\n=== npm run ${name} (quick) ===`);
  // Each benchmark is bounded in time: a hang is a failure, not a stuck CI job.
  const r = spawnSync('npm', ['run', '--silent', name], { cwd: root, env, stdio: 'inherit', timeout: 10 * 60_000 });
  const ok = r.status === 0;
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (${r.error ? r.error.message : r.signal ?? `exit ${r.status}`})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  if (!ok) failed.push(name);
}
if (failed.length) {
  console.error(`\nbench:quick: ${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nbench:quick: all ${names.length} benchmarks ran.`);
