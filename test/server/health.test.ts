import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.js';
import { createDatabase, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const ready = (server: TestServer) => request(`${server.baseUrl}/health/ready`);

describe.each(DIALECTS)('/health/live and /health/ready on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });
  afterAll(() => server?.close());

  it('live and ready answer 200 with no-store; /health stays as it was', async () => {
    const live = await request(`${server.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ status: 'ok' });
    expect(live.headers.get('cache-control')).toBe('no-store');
    const r = await ready(server);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', dispatcher: 'ok', shutdown: 'ok' },
      // The audit chainer's lag, reported beside the checks (never one of them).
      auditChain: { unlinkedEvents: expect.any(Number), oldestUnlinkedAgeSeconds: expect.any(Number) },
    });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await request(`${server.baseUrl}/health`)).json).toEqual({ status: 'ok' });
    // Hostile variants: a query string changes nothing; another method is not a probe.
    expect((await request(`${server.baseUrl}/health/ready?${'x'.repeat(2_000)}=1`)).status).toBe(200);
    expect((await request(`${server.baseUrl}/health/ready`, { method: 'POST' })).status).toBe(404);
  });

  it('ready goes 503 once the shutdown has begun, while live stays 200', async () => {
    const other = await startTestServer({ dialect });
    try {
      other.runtime.drain();
      const r = await ready(other);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ status: 'unavailable', checks: { shutdown: 'failing', database: 'ok' } });
      expect(r.json.reason).toContain('shutting down');
      expect((await request(`${other.baseUrl}/health/live`)).status).toBe(200);
      // Every answer while draining closes its connection.
      expect((await request(`${other.baseUrl}/health/live`)).headers.get('connection')).toBe('close');
      expect((await request(`${other.baseUrl}/health`)).headers.get('connection')).toBe('close');
      expect((await request(`${other.baseUrl}/s/1/token`, { method: 'POST' })).headers.get('connection')).toBe('close');
    } finally {
      await other.close();
    }
  });
});

describe('readiness needs the dispatcher and every migration', () => {
  it('503 while the dispatcher does not run', async () => {
    const server = await startTestServer({ background: false });
    try {
      const r = await ready(server);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ checks: { dispatcher: 'failing', database: 'ok', migrations: 'ok' } });
      expect(r.json.reason).toContain('dispatcher');
    } finally {
      await server.close();
    }
  });

  it('503 naming the migration the database lacks, 200 again once it is there', async () => {
    const server = await startTestServer();
    const file = join(server.config.dataDir, 'openciba.sqlite');
    const db = new SQLite(file);
    try {
      const last = db.prepare('SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1').get() as { name: string; timestamp: string };
      db.prepare('DELETE FROM kysely_migration WHERE name = ?').run(last.name);
      const r = await ready(server);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ checks: { migrations: 'failing', database: 'ok' } });
      expect(r.json.reason).toContain(last.name);
      db.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run(last.name, last.timestamp);
      expect((await ready(server)).status).toBe(200);
    } finally {
      db.close();
      await server.close();
    }
  });
});

describe('readiness across a PostgreSQL outage (a throwaway cluster of its own)', () => {
  let pg: PostgresServer;
  let server: TestServer;
  beforeAll(async () => {
    pg = await startPostgresServer();
    const url = await createDatabase(pg.url, 'readiness');
    server = await startTestServer({ env: { DATABASE_URL: url } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await pg?.stop();
  });

  it('200, then 503 within the probe timeout while PostgreSQL is down, then 200 when it is back', async () => {
    expect((await ready(server)).status).toBe(200);
    await pg.halt();
    const startedAt = Date.now();
    const down = await ready(server);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ status: 'unavailable', checks: { database: 'failing' } });
    expect(down.json.reason).toContain('database');
    // The process itself is fine: a restart would not help.
    expect((await request(`${server.baseUrl}/health/live`)).status).toBe(200);
    await pg.restart();
    await expect.poll(async () => (await ready(server)).status, { timeout: 15_000, interval: 200 }).toBe(200);
  }, 60_000);
});
