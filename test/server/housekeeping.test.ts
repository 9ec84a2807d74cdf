import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pingBody, pingOrPushRecord } from '../../src/op/notifications/outbox-records.js';
import { loadConfig } from '../../src/server/config.js';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from '../../src/server/housekeeping.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import type { FrontRequestRecord, FrontRequestStatus, OutboxRecord, Store } from '../../src/store/ports.js';
import { openTestStore, SERVICE_ID, testKeyring, type TestStore } from '../op/notifications/support.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

/** Delivered and failed notifications stay visible for a day. */
const FINISHED_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Device requests stay an hour past their expiry. */
const TRANSACTION_RETENTION_MS = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);
const keyring = testKeyring();
let seq = 0;

async function finishedOutboxRow(store: Store, status: 'delivered' | 'failed', finishedAt: number): Promise<OutboxRecord> {
  // Stored finished at once: as a pending row a running dispatcher could take it first.
  const record: OutboxRecord = { ...pendingOutboxRow(finishedAt - 1_000), status, attempts: 1, finishedAt, lastError: status === 'failed' ? 'HTTP 500' : null };
  await store.enqueueOutbox(record);
  return record;
}

function pendingOutboxRow(createdAt: number): OutboxRecord {
  seq += 1;
  return pingOrPushRecord(
    {
      id: `hk-${seq}`,
      serviceId: SERVICE_ID,
      kind: 'ping',
      endpoint: 'http://127.0.0.1:9/cb',
      clientNotificationToken: 'housekeeping',
      body: pingBody(`hk-arid-${seq}`),
      now: createdAt,
      expiresAt: createdAt + 60_000,
    },
    keyring,
  );
}

async function frontRequest(store: Store, status: FrontRequestStatus, expiresAt: number): Promise<FrontRequestRecord> {
  seq += 1;
  const record: FrontRequestRecord = {
    authReqIdDigest: `hk-digest-${seq}`,
    serviceId: SERVICE_ID,
    subject: 'alice',
    clientId: 1,
    ticketSealed: 'sealed-ticket',
    authReqIdSealed: 'sealed-auth-req-id',
    details: {},
    status,
    channel: 'simulator',
    createdAt: expiresAt - 300_000,
    expiresAt,
  };
  await store.createFrontRequest(record);
  return record;
}

async function outboxIds(store: Store): Promise<string[]> {
  return (await store.listOutbox(SERVICE_ID, 0, 1_000)).items.map((r) => r.id).sort();
}

async function frontIds(store: Store, records: FrontRequestRecord[]): Promise<string[]> {
  const kept: string[] = [];
  for (const r of records) if (await store.findFrontRequest(SERVICE_ID, r.authReqIdDigest)) kept.push(r.authReqIdDigest);
  return kept.sort();
}

describe.each(DIALECTS)('housekeeping on %s', (dialect) => {
  let db: TestStore;
  let clock: ManualClock;

  beforeEach(async () => {
    db = await openTestStore(dialect);
    clock = new ManualClock(NOW);
  });
  afterEach(async () => {
    await db.close();
  });

  it('keeps a finished notification for exactly a day after it finished, and never purges one not yet sent', async () => {
    const store = db.store;
    const deliveredInside = await finishedOutboxRow(store, 'delivered', NOW - FINISHED_RETENTION_MS);
    const failedInside = await finishedOutboxRow(store, 'failed', NOW - FINISHED_RETENTION_MS);
    await finishedOutboxRow(store, 'delivered', NOW - FINISHED_RETENTION_MS - 1);
    await finishedOutboxRow(store, 'failed', NOW - FINISHED_RETENTION_MS - 1);
    // Created and expired long ago, never sent: the dispatcher must see it (and fail it), not housekeeping.
    const unsent = pendingOutboxRow(NOW - 3 * FINISHED_RETENTION_MS);
    await store.enqueueOutbox(unsent);

    expect(await runHousekeeping(store, clock)).toBe(2);
    expect(await outboxIds(store)).toEqual([deliveredInside.id, failedInside.id, unsent.id].sort());

    // One millisecond later the two at the edge have had their day.
    clock.advance(1);
    expect(await runHousekeeping(store, clock)).toBe(2);
    expect(await outboxIds(store)).toEqual([unsent.id]);

    clock.advance(10 * FINISHED_RETENTION_MS);
    expect(await runHousekeeping(store, clock)).toBe(0);
    expect(await outboxIds(store)).toEqual([unsent.id]);
  });

  it('keeps a device request for exactly an hour past its expiry, whatever its status', async () => {
    const store = db.store;
    const inside = [
      await frontRequest(store, 'pending', NOW - TRANSACTION_RETENTION_MS),
      await frontRequest(store, 'allowed', NOW - TRANSACTION_RETENTION_MS),
    ];
    const outside = [
      await frontRequest(store, 'pending', NOW - TRANSACTION_RETENTION_MS - 1),
      await frontRequest(store, 'allowed', NOW - TRANSACTION_RETENTION_MS - 1),
      await frontRequest(store, 'denied', NOW - TRANSACTION_RETENTION_MS - 1),
      await frontRequest(store, 'failed', NOW - TRANSACTION_RETENTION_MS - 1),
    ];
    const live = await frontRequest(store, 'pending', NOW + 60_000);
    const all = [...inside, ...outside, live];

    expect(await runHousekeeping(store, clock)).toBe(outside.length);
    expect(await frontIds(store, all)).toEqual([...inside, live].map((r) => r.authReqIdDigest).sort());

    clock.advance(1);
    expect(await runHousekeeping(store, clock)).toBe(inside.length);
    expect(await frontIds(store, all)).toEqual([live.authReqIdDigest]);
  });

  it('deletes at most its batch per table and call, so no purge holds long locks', async () => {
    const store = db.store;
    for (let i = 0; i < 10; i += 1) {
      await frontRequest(store, 'failed', NOW - TRANSACTION_RETENTION_MS - 1);
      await finishedOutboxRow(store, 'delivered', NOW - FINISHED_RETENTION_MS - 1);
    }
    const retention = { finishedMs: FINISHED_RETENTION_MS, transactionsMs: TRANSACTION_RETENTION_MS };
    const counts = [];
    for (let call = 0; call < 4; call += 1) {
      const { frontRequests, outbox } = await store.purgeExpired(clock.now(), retention, 4);
      counts.push([frontRequests, outbox]);
    }
    expect(counts).toEqual([[4, 4], [4, 4], [2, 2], [0, 0]]);
  });

  it('purges more than one batch in a pass', async () => {
    const store = db.store;
    // 1 000 rows a statement: 1 001 need two batches of the same pass.
    for (let i = 0; i < 1_001; i += 1) await frontRequest(store, 'failed', NOW - TRANSACTION_RETENTION_MS - 1);
    expect(await runHousekeeping(store, clock)).toBe(1_001);
    expect((await store.purgeExpired(clock.now(), { finishedMs: FINISHED_RETENTION_MS, transactionsMs: TRANSACTION_RETENTION_MS }, 1_000)).frontRequests).toBe(0);
  }, 60_000);
});

describe.each(DIALECTS)('a server with background timers on %s', (dialect) => {
  let runtime: Runtime | undefined;
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-housekeeping-'));
  });
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs housekeeping every interval without being called (a minute by default)', async () => {
    expect(HOUSEKEEPING_INTERVAL_MS).toBe(60_000);
    const clock = new ManualClock(NOW);
    const config = loadConfig({
      OPENCIBA_DATA_DIR: dataDir,
      OPENCIBA_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      OPENCIBA_MODE: 'development',
      OPENCIBA_DEMO: '0',
      ...(dialect === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    });
    runtime = await createRuntime(config, { clock, logger: false, housekeepingIntervalMs: 20 });
    const store = runtime.store;
    await store.createService({ apiKey: SERVICE_ID, number: 99, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });

    const kept = await finishedOutboxRow(store, 'delivered', NOW - FINISHED_RETENTION_MS);
    await finishedOutboxRow(store, 'delivered', NOW - FINISHED_RETENTION_MS - 1);
    await expect.poll(() => outboxIds(store), { timeout: 5_000, interval: 10 }).toEqual([kept.id]);

    // It keeps running: the clock moves on, and the next pass takes the other one too.
    clock.advance(1);
    await expect.poll(() => outboxIds(store), { timeout: 5_000, interval: 10 }).toEqual([]);
  });
});
