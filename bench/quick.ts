// Shared by every benchmark: the one-run quick mode (SGD_BENCH_QUICK=1) that `.ci/run` uses so that a
// change elsewhere (a UI label, a CLI flag) breaks the benchmark in CI instead of silently, and the rule
// for benchmarks that need the network lab.
export const QUICK = process.env.SGD_BENCH_QUICK === '1';

/** Runs (or iterations) of one measurement: 1 in quick mode, else `env` (bounded) or the default. */
export function benchRuns(dflt: number, env?: string, max = 1000): number {
  if (QUICK) return 1;
  const v = env ? Number(process.env[env]) : NaN;
  return Math.max(1, Math.min(max, Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt));
}

/**
 * A benchmark that cannot run here (no lab, no nmap): says so and exits 0, except where the lab is required
 * (SGD_REQUIRE_LAB=1, as in CI), where that is a failure.
 */
export function cannotRun(name: string, reason: string): never {
  if (process.env.SGD_REQUIRE_LAB === '1') {
    console.error(`${name}: cannot run (${reason}) and SGD_REQUIRE_LAB=1`);
    process.exit(1);
  }
  console.log(`${name} skipped: ${reason}`);
  process.exit(0);
}
