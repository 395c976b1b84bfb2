import { defineConfig } from 'vitest/config';

// Browser tests (`npm run test:e2e`): each starts what it needs itself (the demo, on free ports,
// with its own state folder), so there is no global stack here.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
