import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit tests live next to the code (src/**/*.test.ts); loopback integration tests in test/;
// network-lab tests (root + namespaces) in test/lab/ and skip or fail per SGD_REQUIRE_LAB.
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    environment: 'node',
    // The slow files (network lab, CLI subprocesses) mostly wait on timeouts, not the CPU: on a 2-core CI machine
    // vitest's default (cores - 1 = one worker) runs them one after another (13.5 min); three workers take 6 min.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    reporters: ['default'],
  },
});
