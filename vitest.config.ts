import { defineConfig } from 'vitest/config';

// Unit tests live next to the code (src/**/*.test.ts); loopback integration tests in test/;
// network-lab tests (root + namespaces) in test/lab/ and skip or fail per SGD_REQUIRE_LAB.
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    reporters: ['default'],
  },
});
