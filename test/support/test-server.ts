import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Clock } from '../../src/lib/clock.js';
import { withFreePort } from './ports.js';
import type { Mode } from '../../src/lib/mode.js';
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
    ...options.env,
  };
  if (options.dialect === 'postgres') env.DATABASE_URL = await freshPostgresUrl();
  // The public URL needs the real port before the runtime is built, so a probed port is bound
  // afterwards; if another process took it in between, the runtime is built again on a new one.
  const { config, runtime } = await withFreePort(async (port) => {
    const config = loadConfig({ ...env, PORT: String(port) });
    const runtime = await createRuntime(config, {
      logger: false,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.background !== undefined ? { background: options.background } : {}),
      ...(options.authenticationDevice ? { authenticationDevice: options.authenticationDevice } : {}),
    });
    try {
      await runtime.app.listen({ port: config.port, host: '127.0.0.1' });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return { config, runtime };
  });
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

