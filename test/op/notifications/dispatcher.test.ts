import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from '../../../src/lib/keyring.js';
import type { DispatcherDeps } from '../../../src/op/notifications/dispatcher.js';
import { pingOrPushRecord } from '../../../src/op/notifications/outbox-records.js';
import type { Store } from '../../../src/store/ports.js';
import { ManualClock } from '../../support/clock.js';
import { OutboxHarness, SERVICE_ID, type TestStore } from './support.js';
import type { Handler } from '../../support/receiver.js';
import { DIALECTS, type Dialect } from '../../support/test-server.js';

const TOKEN = 'cnt-8d67dc78-7faa-4d41-aabd-67707b374255';
const MINUTE = 60_000;

let h: OutboxHarness;
let db: TestStore;
let store: Store;
let keyring: Keyring;
let clock: ManualClock;

const receiver = (handler?: Handler) => h.receiver(handler);
const dispatcher = (overrides: Partial<DispatcherDeps> = {}) => h.dispatcher(overrides);
const enqueuePing = (endpoint: string, options: { expiresIn?: number; authReqId?: string } = {}) => h.enqueuePing(endpoint, { idPrefix: 'ob', token: TOKEN, ...options });
const row = (id: string) => h.row(id);

/** What a query on a closed handle fails with, per driver. */
const CLOSED_HANDLE: Record<Dialect, RegExp> = {
  sqlite: /^The database connection is not open$/,
  postgres: /^Cannot use a pool after calling end on the pool$/,
};

/** What a claim fails with during the outages that breakClaims causes. */
const OUTAGE_ERROR: Record<Dialect, RegExp> = {
  sqlite: /^no such table: outbox$/,
  postgres: /^relation "outbox" does not exist$/,
};

const WAITING_ON_LOCK = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
const OTHER_BACKENDS = 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
const TERMINATE_OTHERS = 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';

/**
 * pg_terminate_backend only signals; a backend goes once it stops waiting. Until it has gone,
 * the store's pool may not yet have seen its connection close.
 */
async function waitForNoOtherBackends(admin: pg.Client): Promise<void> {
  await expect.poll(async () => (await admin.query(OTHER_BACKENDS)).rows.length, { timeout: 5_000, interval: 10 }).toBe(0);
}

/**
 * Makes every claim fail for real until `end()`: on SQLite the outbox table is renamed away
 * from another connection; on PostgreSQL too, after terminating the store's backends (its pool
 * must replace the dead connections on its own).
 */
async function breakClaims(dialect: Dialect, test: TestStore): Promise<{ end(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const raw = new SQLite(join(test.dataDir, 'openciba.sqlite'));
    raw.exec('ALTER TABLE outbox RENAME TO outbox_away');
    return {
      async end() {
        raw.exec('ALTER TABLE outbox_away RENAME TO outbox');
        raw.close();
      },
    };
  }
  const admin = new pg.Client({ connectionString: test.databaseUrl });
  await admin.connect();
  await admin.query(TERMINATE_OTHERS);
  await waitForNoOtherBackends(admin);
  await admin.query('ALTER TABLE outbox RENAME TO outbox_away');
  return {
    async end() {
      await admin.query('ALTER TABLE outbox_away RENAME TO outbox');
      await admin.end();
    },
  };
}

describe.each(DIALECTS)('NotificationDispatcher on %s', (dialect) => {
  beforeEach(async () => {
    h = await OutboxHarness.open(dialect, { timeoutMs: 2_000 });
    ({ db, clock, keyring } = h);
    store = db.store;
  });

  afterEach(() => h.close());

  it('delivers a ping as CIBA §10.2 describes it and marks the row delivered', async () => {
    const r = await receiver();
    const record = await enqueuePing(r.url('/cb'), { authReqId: 'a1b2c3d4e5f6-rest-of-the-id' });

    expect(await dispatcher().runOnce()).toBe(1);

    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/cb');
    expect(req!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.body).toBe('{"auth_req_id":"a1b2c3d4e5f6-rest-of-the-id"}');
    const stored = await row(record.id);
    expect(stored).toMatchObject({ status: 'delivered', attempts: 1, lastError: null, finishedAt: clock.now() });
    expect(stored.summary).toEqual({ kind: 'ping', endpointHost: `127.0.0.1:${r.port}`, authReqIdPrefix: 'a1b2c3' });
  });

  it('retries a 500 only after the backoff, then delivers', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => res.writeHead(++calls === 1 ? 500 : 200).end());
    const record = await enqueuePing(r.url());
    const d = dispatcher();

    expect(await d.runOnce()).toBe(1);
    expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: clock.now() + 1_000 });

    clock.advance(999);
    expect(await d.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(1);

    clock.advance(1);
    expect(await d.runOnce()).toBe(1);
    expect(r.requests).toHaveLength(2);
    expect(await row(record.id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('never calls again after a 401', async () => {
    const r = await receiver((_req, res) => res.writeHead(401).end());
    const record = await enqueuePing(r.url());
    const d = dispatcher();

    await d.runOnce();
    for (const step of [1_000, 60_000, 5 * MINUTE]) {
      clock.advance(step);
      expect(await d.runOnce()).toBe(0);
    }
    expect(r.requests).toHaveLength(1);
    expect(await row(record.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 401' });
  });

  it('does not follow a 301 and fails the row', async () => {
    const r = await receiver((req, res) => {
      if (req.path === '/cb') res.writeHead(301, { location: '/invalid-ciba-notification-endpoint' }).end();
      else res.writeHead(204).end();
    });
    const record = await enqueuePing(r.url('/cb'));
    const d = dispatcher();

    await d.runOnce();
    clock.advance(MINUTE);
    await d.runOnce();

    expect(r.requests.map((q) => q.path)).toEqual(['/cb']);
    const stored = await row(record.id);
    expect(stored.status).toBe('failed');
    expect(stored.lastError).toMatch(/redirect refused/);
  });

  it('in production refuses loopback endpoints without any connection; in development allows http://127.0.0.1', async () => {
    const r = await receiver();
    const literal = await enqueuePing(`https://127.0.0.1:${r.port}/cb`);
    const named = await enqueuePing(`https://localhost:${r.port}/cb`);

    expect(await dispatcher({ mode: 'production' }).runOnce()).toBe(2);
    expect(r.connections).toBe(0);
    for (const id of [literal.id, named.id]) {
      const stored = await row(id);
      expect(stored.status).toBe('failed');
      expect(stored.lastError).toMatch(/^refused: the endpoint must point to a public address/);
    }

    const allowed = await enqueuePing(r.url());
    expect(await dispatcher({ mode: 'development' }).runOnce()).toBe(1);
    expect(r.requests).toHaveLength(1);
    expect((await row(allowed.id)).status).toBe('delivered');
  });

  it('fails a push that keeps failing once its expiry comes, keeping attempts and the last error visible', async () => {
    const r = await receiver((_req, res) => res.writeHead(500).end());
    const push = pingOrPushRecord(
      {
        id: 'push-1',
        serviceId: SERVICE_ID,
        kind: 'push',
        endpoint: r.url('/push'),
        clientNotificationToken: TOKEN,
        body: { auth_req_id: 'push-arid-1', access_token: 'at-secret', token_type: 'Bearer', expires_in: 120 },
        now: clock.now(),
        expiresAt: clock.now() + 5_000,
      },
      keyring,
    );
    await store.enqueueOutbox(push);
    const d = dispatcher();

    // Attempts at +0 s (next +1 s), +1 s (next +3 s), +3 s (next would be +7 s, past the expiry).
    await d.runOnce();
    clock.advance(1_000);
    await d.runOnce();
    clock.advance(2_000);
    await d.runOnce();
    clock.advance(MINUTE);
    expect(await d.runOnce()).toBe(0);

    expect(r.requests).toHaveLength(3);
    expect(JSON.parse(r.requests[0]!.body)).toMatchObject({ auth_req_id: 'push-arid-1', access_token: 'at-secret' });
    expect(r.requests[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    const { items } = await store.listOutbox(SERVICE_ID, 0, 10);
    const stored = items.find((item) => item.id === 'push-1');
    expect(stored).toMatchObject({ status: 'failed', attempts: 3, lastError: 'expired after 3 attempts: HTTP 500' });
    expect(JSON.stringify(stored!.summary)).not.toContain('at-secret');
  });

  it('fails a row that has expired by the time it is claimed, without sending it', async () => {
    const r = await receiver();
    const record = await enqueuePing(r.url(), { expiresIn: 1_000 });
    clock.advance(1_000);

    expect(await dispatcher().runOnce()).toBe(1);
    expect(r.connections).toBe(0);
    expect(await row(record.id)).toMatchObject({ status: 'failed', attempts: 0, lastError: 'expired before it could be sent' });
  });

  it('retries a receiver that never answers, within the small timeout', async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    const record = await enqueuePing(r.url());
    const started = Date.now();

    expect(await dispatcher({ timeoutMs: 200 }).runOnce()).toBe(1);

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'timed out after 200 ms' });
  });

  it('fails a row it cannot unseal, without throwing and without sending', async () => {
    const r = await receiver();
    const record = await enqueuePing(r.url());
    const otherKeyring = createKeyring(Buffer.alloc(32, 2));

    expect(await dispatcher({ keyring: otherKeyring }).runOnce()).toBe(1);
    expect(r.connections).toBe(0);
    const stored = await row(record.id);
    expect(stored.status).toBe('failed');
    expect(stored.lastError).toMatch(/could not open the sealed notification/);
  });

  it('survives a store handle closed under it: logs the claim failure, sends nothing, leaves the row as it was', async () => {
    const r = await receiver();
    const record = await enqueuePing(r.url());
    const closed = await db.openAnother();
    await closed.close();
    const warnings: { msg: string; obj: object }[] = [];
    const d = dispatcher({ store: closed, log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => {} } });

    expect(await d.runOnce()).toBe(0);
    expect(warnings).toEqual([{ msg: 'could not claim due notifications', obj: { err: expect.stringMatching(CLOSED_HANDLE[dialect]) } }]);
    expect(r.connections).toBe(0);
    expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });

    // The row was never leased, so a live node sends it at once.
    expect(await dispatcher().runOnce()).toBe(1);
    expect(r.requests).toHaveLength(1);
    expect((await row(record.id)).status).toBe('delivered');
  });

  it('keeps its loop going while claims fail for real, and delivers once the database is back', async () => {
    const r = await receiver();
    const record = await enqueuePing(r.url());
    const warnings: { msg: string; obj: object }[] = [];
    const d = dispatcher({ log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => {} } });

    const outage = await breakClaims(dialect, db);
    d.start(5);
    // Several failed runs in a row: the loop goes on after each.
    await expect.poll(() => warnings.length, { timeout: 5_000, interval: 10 }).toBeGreaterThanOrEqual(2);
    expect(r.connections).toBe(0);
    await outage.end();

    await expect.poll(async () => (await row(record.id)).status, { timeout: 5_000, interval: 10 }).toBe('delivered');
    expect(r.requests).toHaveLength(1);
    const failures = warnings.length;
    expect(failures).toBeGreaterThanOrEqual(2);
    for (const warning of warnings) {
      expect(warning).toEqual({ msg: 'could not claim due notifications', obj: { err: expect.stringMatching(OUTAGE_ERROR[dialect]) } });
    }
    // Recovered for good: nothing more is logged and nothing more is sent.
    await d.stop();
    expect(warnings).toHaveLength(failures);
    expect(await row(record.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  if (dialect === 'postgres') {
    it('on PostgreSQL, a claim whose backend is terminated mid-statement is logged, and the next run delivers on a new connection', async () => {
      const r = await receiver();
      const record = await enqueuePing(r.url());
      const warnings: { msg: string; obj: object }[] = [];
      const d = dispatcher({ log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => {} } });

      const admin = new pg.Client({ connectionString: db.databaseUrl });
      await admin.connect();
      try {
        // Hold the outbox so that the claim is certainly in flight when its backend is killed.
        await admin.query('BEGIN');
        await admin.query('LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE');
        const run = d.runOnce();
        await expect
          .poll(async () => (await admin.query(WAITING_ON_LOCK)).rows.length, { timeout: 5_000, interval: 10 })
          .toBe(1);
        const killed = await admin.query(TERMINATE_OTHERS);
        expect(killed.rows.length).toBeGreaterThanOrEqual(1);
        await admin.query('ROLLBACK');
        await waitForNoOtherBackends(admin);

        expect(await run).toBe(0);
        expect(warnings).toEqual([{ msg: 'could not claim due notifications', obj: { err: 'terminating connection due to administrator command' } }]);
        expect(r.connections).toBe(0);
        expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });
      } finally {
        await admin.end();
      }

      expect(await d.runOnce()).toBe(1);
      expect(r.requests).toHaveLength(1);
      expect(warnings).toHaveLength(1);
      expect((await row(record.id)).status).toBe('delivered');
    });
  }

  it('with two dispatchers on one database, delivers every row exactly once', async () => {
    const seen = new Map<string, number>();
    const r = await receiver((req, res) => {
      const id = (JSON.parse(req.body) as { auth_req_id: string }).auth_req_id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      // A little latency keeps both dispatchers busy at once.
      setTimeout(() => res.writeHead(204).end(), 5);
    });
    const records = [];
    for (let i = 0; i < 24; i += 1) records.push(await enqueuePing(r.url(), { authReqId: `both-${i}` }));

    const other = await db.openAnother();
    const a = dispatcher({ batchSize: 5, concurrency: 3 });
    const b = dispatcher({ store: other, batchSize: 5, concurrency: 3 });
    const taken = { a: 0, b: 0 };
    for (let round = 0; round < 10; round += 1) {
      const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
      taken.a += na;
      taken.b += nb;
    }

    expect(taken.a + taken.b).toBe(24);
    expect(taken.a).toBeGreaterThan(0);
    expect(taken.b).toBeGreaterThan(0);
    expect(r.requests).toHaveLength(24);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.size).toBe(24);
    for (const record of records) expect((await row(record.id)).status).toBe('delivered');
  });

  it('runs on its own after start(), and stop() waits for the delivery in flight', async () => {
    let release: (() => void) | undefined;
    const r = await receiver((_req, res) => {
      release = () => res.writeHead(204).end();
    });
    const record = await enqueuePing(r.url());
    const d = dispatcher();

    d.start(10);
    await expect.poll(() => r.requests.length, { timeout: 2_000, interval: 10 }).toBe(1);
    const stopping = d.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);

    release!();
    await stopping;
    expect((await row(record.id)).status).toBe('delivered');

    // Stopped means stopped: a new due row stays put.
    const later = await enqueuePing(r.url());
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.requests).toHaveLength(1);
    expect(await row(later.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });
  });
});
