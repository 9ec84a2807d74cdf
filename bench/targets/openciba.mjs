// Target: OpenCIBA itself (bench/targets/openciba-server.mjs: the library entry started like
// `openciba serve`), on SQLite (a fresh temp data dir) or on PostgreSQL (DATABASE_URL). Set up over
// its own API exactly as an operator would: a service with a 1 s polling interval, a poll-mode
// ES256 client, the user alice, and the front's `embedded` device channel. Approval happens
// in-process, inside the backchannel request, through the embedded authentication device — as
// oidc-provider's target approves inside its triggerAuthenticationDevice hook.
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnPinned, stopChild, onCleanup, cpuSecondsOfCommand } from '../procs.mjs';
import { waitListening, callJson, cibaRequests } from './common.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
/**
 * The lean variant: audit trail and metrics off. Both switches are development-only (production
 * refuses them); the bench runs in development mode (no OPENCIBA_MODE below), so they apply.
 */
export const LEAN_ENV = { OPENCIBA_AUDIT_TRAIL: 'off', OPENCIBA_METRICS: 'off' };

/**
 * @param {{port:number, cpu:number, databaseUrl?:string, cpuProfDir?:string}} options
 *   cpuProfDir: run under `node --cpu-prof` and write the profile there on exit (bench/profile.mjs).
 *   preload/extraEnv: an extra `--import` module and its environment (sql-count.mjs, what-if runs).
 *   lean: with the audit trail and metrics off (LEAN_ENV), to measure what they cost.
 */
export async function startOpenCiba({ port, cpu, databaseUrl, cpuProfDir, preload, extraEnv, lean, refreshTokens = false }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-bench-'));
  // PostgreSQL gets what SQLite gets: an empty database — created next to DATABASE_URL's and
  // dropped at the end — so a run never touches existing OpenCIBA data and our random master key
  // never meets a database set up with another one. Without CREATEDB, DATABASE_URL's database is
  // used as is, with OPENCIBA_MASTER_KEY from the environment when set (it must match that data).
  const scratch = databaseUrl ? await createScratchDatabase(databaseUrl) : undefined;
  const benchDatabaseUrl = scratch ? scratch.url : databaseUrl;
  const adminToken = `bench-admin-${randomBytes(24).toString('base64url')}`;
  // A clean environment: nothing of the caller's OPENCIBA_* (mode, public URL, remote engine…)
  // may leak in and change what is measured. DATABASE_URL only for the PostgreSQL variant.
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENCIBA_DATA_DIR: dataDir,
    OPENCIBA_DEMO: '0',
    OPENCIBA_ADMIN_TOKEN: adminToken,
    OPENCIBA_MASTER_KEY: (databaseUrl && !scratch && process.env.OPENCIBA_MASTER_KEY) || randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...(benchDatabaseUrl ? { DATABASE_URL: benchDatabaseUrl } : {}),
    ...(lean ? LEAN_ENV : {}),
    ...extraEnv,
  };
  const nodeArgs = ['--import', here('./parent-guard.mjs'), ...(preload ? ['--import', preload] : [])];
  if (cpuProfDir) {
    mkdirSync(cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', cpuProfDir);
  }
  const label = `${databaseUrl ? 'OpenCIBA (PostgreSQL)' : 'OpenCIBA (SQLite)'}${lean ? ' lean' : ''}`;
  const child = spawnPinned(cpu, process.execPath, [...nodeArgs, here('./openciba-server.mjs')], { cwd: root, env, label });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    rmSync(dataDir, { recursive: true, force: true });
    if (scratch) await dropScratchDatabase(databaseUrl, scratch.name);
  };
  // Also on Ctrl-C or a fatal error: stopAll() runs this once the server is stopped.
  onCleanup(cleanup);
  try {
    await waitListening(child, port);
    const base = `http://127.0.0.1:${port}`;
    const service = await callJson('POST', `${base}/api/service/create`, { token: adminToken, body: { backchannelPollingInterval: 1 } });
    const serviceId = service.apiKey;
    const client = await callJson('POST', `${base}/api/${serviceId}/client/create`, {
      token: adminToken,
      // The grants oidc-provider's client has (bench/targets/oidc-provider-server.mjs).
      body: { clientName: 'bench', bcDeliveryMode: 'POLL', idTokenSignAlg: 'ES256', grantTypes: refreshTokens ? ['CIBA', 'REFRESH_TOKEN'] : ['CIBA'] },
    });
    await callJson('PUT', `${base}/admin/services/${serviceId}/users/alice`, { token: adminToken, body: { name: 'Alice' } });
    // Load on one user is not push-bombing: the limits stay on (their counters cost what they
    // cost) but at their ceilings, so that no request of the run is refused.
    await callJson('PUT', `${base}/admin/services/${serviceId}/front`, {
      token: adminToken,
      body: { deviceChannel: 'embedded', maxPendingRequestsPerUser: 1000, maxRequestsPerMinutePerUser: 1_000_000, maxRequestsPerMinutePerClient: 1_000_000 },
    });
    const prefix = `/s/${serviceId}`;
    return {
      key: databaseUrl ? 'opencibaPostgres' : 'opencibaSqlite',
      label,
      child,
      port,
      flows: true,
      refreshTokens,
      serviceId,
      // PostgreSQL's processes, for the database's share of each round's CPU.
      ...(databaseUrl ? { databaseCpu: () => cpuSecondsOfCommand('postgres') } : {}),
      requests: cibaRequests({
        backchannelPath: `${prefix}/backchannel/authentication`,
        tokenPath: `${prefix}/token`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
      }),
      async stop() {
        await stopChild(child, 15_000); // SIGTERM: OpenCIBA closes its store; --cpu-prof writes on exit
        await cleanup();
      },
    };
  } catch (error) {
    await stopChild(child);
    await cleanup();
    throw error;
  }
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function createScratchDatabase(url) {
  const name = `openciba_bench_${randomBytes(6).toString('hex')}`;
  try {
    await withClient(url, (c) => c.query(`create database ${name}`));
  } catch (error) {
    console.error(`bench: cannot create a scratch database (${error.message}); using DATABASE_URL's database as is`);
    return undefined;
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { name, url: u.toString() };
}

async function dropScratchDatabase(url, name) {
  // Best effort: a leftover database is named openciba_bench_* and holds only benchmark data.
  await withClient(url, (c) => c.query(`drop database if exists ${name} with (force)`)).catch((error) => {
    console.error(`bench: could not drop database ${name}: ${error.message}`);
  });
}
