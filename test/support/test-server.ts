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

/** RFC 6749 §5.2 (and RFC 6750 §3): error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** Every error_description an answer carries: a JSON body's, inside its `responseContent`, in a Bearer challenge. */
function errorDescriptionsIn(payload: string, challenge: unknown): unknown[] {
  const found: unknown[] = [];
  const fromChallenge = (value: unknown) => {
    if (typeof value !== 'string') return;
    const match = /error_description="((?:[^"\\]|\\.)*)"/.exec(value);
    if (match) found.push(match[1]);
  };
  const fromJson = (text: string, nested: boolean) => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (nested) fromChallenge(text);
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const record = body as Record<string, unknown>;
    if ('error_description' in record) found.push(record.error_description);
    if (!nested && typeof record.responseContent === 'string') fromJson(record.responseContent, true);
  };
  fromJson(payload, false);
  fromChallenge(challenge);
  return found;
}

/**
 * Records every answer of the server whose error_description breaks the character rule, so each
 * test that uses the test server enforces it (close() throws). Bodies are checked as sent.
 */
function watchErrorDescriptions(runtime: Runtime, violations: string[]): void {
  runtime.app.addHook('onSend', async (request, reply, payload) => {
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text === undefined) return payload;
    for (const description of errorDescriptionsIn(text, reply.getHeader('www-authenticate'))) {
      if (typeof description !== 'string' || !DESCRIPTION_CHARSET.test(description)) {
        violations.push(`${request.method} ${request.url.slice(0, 200)} → ${JSON.stringify(description)}`);
      }
    }
    return payload;
  });
}

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
  /** The public URL's host instead of 127.0.0.1 (`localhost` for WebAuthn, which refuses IP addresses as RP IDs). */
  publicHost?: string;
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
  const descriptionViolations: string[] = [];
  const { config, runtime } = await withFreePort(async (port) => {
    const config = loadConfig({ ...env, PORT: String(port), ...(options.publicHost ? { OPENCIBA_PUBLIC_URL: `http://${options.publicHost}:${port}` } : {}) });
    const runtime = await createRuntime(config, {
      logger: false,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.background !== undefined ? { background: options.background } : {}),
      ...(options.authenticationDevice ? { authenticationDevice: options.authenticationDevice } : {}),
    });
    try {
      watchErrorDescriptions(runtime, descriptionViolations);
      await runtime.app.listen({ port: config.port, host: '127.0.0.1' });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return { config, runtime };
  });
  return {
    baseUrl: `${config.tls.server ? 'https' : 'http'}://127.0.0.1:${config.port}`,
    adminToken,
    runtime,
    config,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (descriptionViolations.length > 0) {
        throw new Error(`error_description outside the RFC 6749 §5.2 character set:\n${descriptionViolations.join('\n')}`);
      }
    },
  };
}

