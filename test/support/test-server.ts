import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Clock } from '../../src/engine/clock.js';
import type { Mode } from '../../src/engine/context.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../src/server/runtime.js';
import { createDatabase } from './postgres-server.js';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestServer {
  baseUrl: string;
  adminToken: string;
  runtime: Runtime;
  config: Config;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: Dialect;
  mode?: Mode;
  demo?: boolean;
  clock?: Clock;
  env?: Record<string, string>;
  /** Run the dispatcher and expiry sweep on timers (default true); tests with a manual clock drive them by hand. */
  background?: boolean;
  /** An embedded authentication device (the `embedded` device channel). */
  authenticationDevice?: RuntimeOverrides['authenticationDevice'];
}

/** A fresh database URL on the run's PostgreSQL server. */
export async function freshPostgresUrl(): Promise<string> {
  return createDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`);
}

/** Starts a real server on a loopback port with its own data directory (and database). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-test-'));
  const adminToken = randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    OPENCIBA_DATA_DIR: dataDir,
    OPENCIBA_ADMIN_TOKEN: adminToken,
    OPENCIBA_MODE: options.mode ?? 'development',
    OPENCIBA_DEMO: options.demo ? '1' : '0',
    PORT: '0',
    ...options.env,
  };
  if (options.dialect === 'postgres') env.DATABASE_URL = await freshPostgresUrl();
  // The public URL needs the real port, known only after listen: bind first, then build.
  const probe = await import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
  env.PORT = String(probe);
  const config = loadConfig(env);
  const runtime = await createRuntime(config, {
    logger: false,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.background !== undefined ? { background: options.background } : {}),
    ...(options.authenticationDevice ? { authenticationDevice: options.authenticationDevice } : {}),
  });
  await runtime.app.listen({ port: config.port, host: '127.0.0.1' });
  return {
    baseUrl: `http://127.0.0.1:${config.port}`,
    adminToken,
    runtime,
    config,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
