import { defineConfig } from 'vitest/config';

// The browser check (scripts/browser-check.sh): one file, its checks in order.
export default defineConfig({
  test: {
    include: ['scripts/browser-check/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    passWithNoTests: false,
  },
});
