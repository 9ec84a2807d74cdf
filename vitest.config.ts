import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two forks even on two cores: most tests wait on sockets, PostgreSQL, TLS handshakes and
    // scrypt rather than compute (282 s against 422 s for one fork, the default there).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
