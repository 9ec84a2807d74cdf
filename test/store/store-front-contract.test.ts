import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { FrontRequestRecord, OutboxRecord, Store } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 700_000_000_001;
let seq = 0;

function frontRequest(overrides: Partial<FrontRequestRecord> = {}): FrontRequestRecord {
  seq += 1;
  return {
    authReqIdDigest: `arid-${seq}`,
    serviceId: SERVICE,
    subject: 'alice',
    clientId: 1,
    ticketSealed: 't',
    authReqIdSealed: 'a',
    details: { clientName: 'c' },
    status: 'pending',
    channel: 'simulator',
    createdAt: seq,
    expiresAt: 10_000,
    ...overrides,
  };
}

function outbox(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  seq += 1;
  return {
    id: `ob-${seq}`,
    serviceId: SERVICE,
    kind: 'ping',
    endpoint: 'https://client.example.com/cb',
    authorizationSealed: 'auth',
    bodySealed: 'body',
    summary: { authReqIdPrefix: 'x' },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: 1_000,
    claimedUntil: null,
    lastError: null,
    createdAt: 1_000,
    expiresAt: 100_000,
    finishedAt: null,
    ...overrides,
  };
}

describe.each(DIALECTS)('front store contract on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-store-'));
    store = (await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined })).store;
    await store.createService({ apiKey: SERVICE, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps front settings per service', async () => {
    expect(await store.getFrontSettings(SERVICE)).toBeUndefined();
    await store.putFrontSettings({ serviceId: SERVICE, data: { deviceChannel: 'webhook' }, webhookSecretSealed: 's', modifiedAt: 5 });
    await store.putFrontSettings({ serviceId: SERVICE, data: { deviceChannel: 'simulator' }, webhookSecretSealed: null, modifiedAt: 6 });
    expect(await store.getFrontSettings(SERVICE)).toEqual({ serviceId: SERVICE, data: { deviceChannel: 'simulator' }, webhookSecretSealed: null, modifiedAt: 6 });
  });

  it('lists pending requests per subject and decides each once', async () => {
    const a = frontRequest();
    const b = frontRequest({ subject: 'bob' });
    const expired = frontRequest({ expiresAt: 50 });
    for (const r of [a, b, expired]) await store.createFrontRequest(r);
    expect((await store.listPendingFrontRequests(SERVICE, 'alice', 100, 10)).map((r) => r.authReqIdDigest)).toEqual([a.authReqIdDigest]);
    expect(await store.listPendingFrontRequests(SERVICE, undefined, 100, 10)).toHaveLength(2);

    const decisions = await Promise.all([
      store.decideFrontRequest(SERVICE, a.authReqIdDigest, 'allowed', 100),
      store.decideFrontRequest(SERVICE, a.authReqIdDigest, 'denied', 100),
    ]);
    expect(decisions.filter(Boolean)).toHaveLength(1);
    const winner = decisions.find(Boolean)!;
    expect(['allowed', 'denied']).toContain(winner.status);
    expect(winner).toEqual({ ...a, status: winner.status });
    expect(await store.decideFrontRequest(SERVICE, expired.authReqIdDigest, 'allowed', 100)).toBeUndefined();
    expect(await store.findFrontRequest(SERVICE, a.authReqIdDigest)).toEqual({ ...a, status: winner.status });
  });

  it('hands each expiring request to one sweeper', async () => {
    const soon = frontRequest({ expiresAt: 2_000 });
    const later = frontRequest({ expiresAt: 90_000 });
    await store.createFrontRequest(soon);
    await store.createFrontRequest(later);
    const [first, second] = await Promise.all([store.claimExpiringFrontRequests(5_000, 10), store.claimExpiringFrontRequests(5_000, 10)]);
    const claimed = [...first!, ...second!].map((r) => r.authReqIdDigest);
    expect(claimed.filter((d) => d === soon.authReqIdDigest)).toHaveLength(1);
    expect(claimed).not.toContain(later.authReqIdDigest);
  });

  it('a sweep claims at most its limit, soonest expiry first', async () => {
    const expiring = Array.from({ length: 6 }, (_, i) => frontRequest({ expiresAt: 1_000 + i }));
    for (const r of expiring) await store.createFrontRequest(r);
    const firstTwo = await store.claimExpiringFrontRequests(5_000, 2);
    expect(firstTwo.map((r) => r.authReqIdDigest)).toEqual([expiring[0]!.authReqIdDigest, expiring[1]!.authReqIdDigest]);
    const rest = await store.claimExpiringFrontRequests(5_000, 10);
    expect(rest.map((r) => r.authReqIdDigest).sort()).toEqual(expiring.slice(2).map((r) => r.authReqIdDigest).sort());
  });

  it('leases due outbox rows to one claimer at a time and records outcomes', async () => {
    const rows = [outbox(), outbox(), outbox({ nextAttemptAt: 50_000 })];
    for (const r of rows) await store.enqueueOutbox(r);
    const [x, y] = await Promise.all([store.claimDueOutbox(2_000, 32_000, 10), store.claimDueOutbox(2_000, 32_000, 10)]);
    const ids = [...x!, ...y!].map((r) => r.id);
    expect(ids.sort()).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(await store.claimDueOutbox(3_000, 33_000, 10)).toEqual([]); // leased
    await store.retryOutbox(rows[0]!.id, 1, 4_000, 'HTTP 503');
    await store.finishOutbox(rows[1]!.id, 'delivered', 1, 3_000, null);
    const again = await store.claimDueOutbox(4_000, 34_000, 10);
    expect(again.map((r) => r.id)).toEqual([rows[0]!.id]);
    expect(again[0]).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });
    // An expired lease frees the row for another claimer.
    expect((await store.claimDueOutbox(40_000, 70_000, 10)).map((r) => r.id)).toEqual([rows[0]!.id]);
    expect((await store.claimDueOutbox(80_000, 90_000, 10)).map((r) => r.id).sort()).toEqual([rows[0]!.id, rows[2]!.id].sort());
    const page = await store.listOutbox(SERVICE, 0, 10);
    expect(page.totalCount).toBe(3);
    expect(page.items.find((r) => r.id === rows[1]!.id)).toMatchObject({ status: 'delivered', finishedAt: 3_000 });
  });

  it('writes a notification in the same transaction as the result', async () => {
    const request = {
      id: 'bc-1', ticketDigest: 'tk-1', authReqIdDigest: 'ar-1', authReqIdSealed: 's', serviceId: SERVICE, clientId: 1,
      status: 'issued' as const, deliveryMode: 'PING' as const, request: {}, result: null, interval: 5, lastPolledAt: null, createdAt: 1, expiresAt: 100_000,
    };
    await store.createBackchannelRequest(request);
    const row = outbox();
    expect(await store.completeBackchannelRequest(SERVICE, 'tk-1', 'authorized', {}, 2_000, undefined, row)).toEqual({ ...request, status: 'authorized', result: {} });
    expect((await store.listOutbox(SERVICE, 0, 100)).items.some((r) => r.id === row.id)).toBe(true);
    // A refused completion writes nothing.
    const late = outbox();
    expect(await store.completeBackchannelRequest(SERVICE, 'tk-1', 'denied', {}, 2_000, undefined, late)).toBeUndefined();
    expect((await store.listOutbox(SERVICE, 0, 100)).items.some((r) => r.id === late.id)).toBe(false);
  });

  it("deletes a client with its device requests, CIBA requests and tokens, and fails its pending deliveries, in one go", async () => {
    const [gone, kept] = [44_000_000_000_001, 44_000_000_000_002];
    for (const [clientId, number] of [[gone, 9001], [kept, 9002]] as const) {
      await store.createClient({ clientId, serviceId: SERVICE, number, developer: null, data: {}, secretSealed: 's', clientIdAlias: null, createdAt: 1, modifiedAt: 1 });
    }
    const goneRequest = frontRequest({ clientId: gone, subject: 'dora' });
    const keptRequest = frontRequest({ clientId: kept, subject: 'dora' });
    await store.createFrontRequest(goneRequest);
    await store.createFrontRequest(keptRequest);
    await store.createBackchannelRequest({
      id: 'bc-gone', ticketDigest: 'tk-gone', authReqIdDigest: goneRequest.authReqIdDigest, authReqIdSealed: 's', serviceId: SERVICE, clientId: gone,
      status: 'issued', deliveryMode: 'PING', request: {}, result: null, interval: 5, lastPolledAt: null, createdAt: 1, expiresAt: 100_000,
    });
    const rows = {
      ping: outbox({ clientId: gone, kind: 'ping', nextAttemptAt: 50_000 }),
      push: outbox({ clientId: gone, kind: 'push', nextAttemptAt: 50_000 }),
      webhook: outbox({ clientId: gone, kind: 'webhook', nextAttemptAt: 50_000 }),
      delivered: outbox({ clientId: gone, status: 'delivered', attempts: 1, finishedAt: 2_000, nextAttemptAt: 50_000 }),
      other: outbox({ clientId: kept, nextAttemptAt: 50_000 }),
    };
    for (const row of Object.values(rows)) await store.enqueueOutbox(row);
    // What the store gives back is what it was given, client included.
    expect((await store.listOutbox(SERVICE, 0, 100)).items.find((r) => r.id === rows.ping.id)).toEqual(rows.ping);

    expect(await store.deleteClient(SERVICE, gone, 3_000)).toBe(true);

    expect(await store.getClient(SERVICE, gone)).toBeUndefined();
    expect(await store.findFrontRequest(SERVICE, goneRequest.authReqIdDigest)).toBeUndefined();
    expect((await store.listPendingFrontRequests(SERVICE, 'dora', 0, 10)).map((r) => r.authReqIdDigest)).toEqual([keptRequest.authReqIdDigest]);
    expect(await store.findBackchannelRequestByTicket(SERVICE, 'tk-gone')).toBeUndefined();
    const after = new Map((await store.listOutbox(SERVICE, 0, 100)).items.map((r) => [r.id, r]));
    for (const row of [rows.ping, rows.push, rows.webhook]) {
      expect(after.get(row.id)).toMatchObject({ status: 'failed', finishedAt: 3_000, lastError: expect.stringContaining('deleted'), claimedUntil: null });
    }
    expect(after.get(rows.delivered.id)).toEqual(rows.delivered);
    expect(after.get(rows.other.id)).toEqual(rows.other);
    // Of these, only the other client's row is still due.
    const due = new Set((await store.claimDueOutbox(60_000, 70_000, 100)).map((r) => r.id));
    expect(Object.values(rows).filter((r) => due.has(r.id)).map((r) => r.id)).toEqual([rows.other.id]);
  });
});
