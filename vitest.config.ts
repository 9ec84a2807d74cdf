import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two forks even on two cores: most tests wait on sockets, PostgreSQL, TLS handshakes and
    // scrypt rather than compute (282 s against 422 s for one fork, the default there).
    maxWorkers: 2,
    // Each fork runs its files one after another in one process, so Fastify, Kysely, jose, pg and
    // our modules load once per fork rather than once per file (a fifth of the run: 420 s against
    // 525 s). Test files share no state but the module cache: none stubs globals or modules.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
