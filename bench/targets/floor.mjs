// Target: the floor (bench/targets/floor-server.mjs) — the least work a durable CIBA poll flow
// needs on Node: two HTTP requests, two group-committed durable writes, one ES256 ID token.
// What OpenCIBA could at best reach by any design; not a server anyone should run.
// `databaseUrl`: on PostgreSQL (its own tables, floor_*, dropped before and after), else SQLite
// in a fresh temp directory.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, onCleanup, cpuSecondsOfCommand } from '../procs.mjs';
import { waitListening, cibaRequests, spawnTargetScript } from './common.mjs';

async function dropFloorTables(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS floor_requests, floor_tokens');
  } finally {
    await client.end();
  }
}

/**
 * `fastify`: the same handlers behind Fastify; `audit`: with the least audit trail (SQLite only)
 * — see floor-server.mjs. `cpuProfDir`: run under `node --cpu-prof` and write the profile there
 * on exit (bench/profile.mjs).
 */
export async function startFloor({ port, cpu, databaseUrl, cpuProfDir, fastify = false, audit = false }) {
  const dataDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'openciba-floor-'));
  if (dataDir) onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  if (databaseUrl) await dropFloorTables(databaseUrl);
  const clientId = 'bench';
  const clientSecret = randomBytes(32).toString('base64url');
  const extras = [fastify && 'Fastify', audit && 'audit'].filter(Boolean);
  const label = `floor (${databaseUrl ? 'PostgreSQL' : 'SQLite'})${extras.length ? ` + ${extras.join(' + ')}` : ''}`;
  const child = spawnTargetScript({
    cpu, script: './floor-server.mjs', port, label, clientId, clientSecret, cpuProfDir,
    env: {
      ...(databaseUrl ? { BENCH_FLOOR_PG: databaseUrl } : { BENCH_FLOOR_SQLITE: join(dataDir, 'floor.sqlite') }),
      ...(fastify ? { BENCH_FLOOR_FASTIFY: '1' } : {}),
      ...(audit ? { BENCH_FLOOR_AUDIT: '1' } : {}),
    },
  });
  await waitListening(child, port);
  return {
    key: `floor${databaseUrl ? 'Postgres' : ''}${fastify ? 'Fastify' : ''}${audit ? 'Audit' : ''}`,
    label,
    child,
    port,
    flows: true,
    refreshTokens: false,
    requests: cibaRequests({ backchannelPath: '/backchannel', tokenPath: '/token', clientId, clientSecret }),
    // The database's CPU, for the PostgreSQL share (the same reader OpenCIBA's target uses).
    ...(databaseUrl ? { databaseCpu: () => cpuSecondsOfCommand('postgres') } : {}),
    async stop() {
      await stopChild(child);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl) await dropFloorTables(databaseUrl);
    },
  };
}
