import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { BackchannelRequestRecord, OutboxRecord, Store, TokenRecord, UserRecord } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 710_000_000_001;
const OTHER_SERVICE = 710_000_000_002;
let seq = 0;
const next = () => ++seq;

const user = (subject: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
  serviceId: SERVICE, subject, email: null, phoneNumber: null, status: 'active', data: {}, createdAt: 1, modifiedAt: 1, ...overrides,
});

function token(subject: string, serviceId = SERVICE): TokenRecord {
  const n = next();
  return {
    id: `tok-${n}`, accessTokenDigest: `at-${n}`, refreshTokenDigest: `rt-${n}`, serviceId, clientId: 1, subject, grantId: null,
    grantType: 'CIBA', data: {}, accessExpiresAt: 50_000, refreshExpiresAt: 90_000, createdAt: 1_000,
  };
}

function backchannel(overrides: Partial<BackchannelRequestRecord> = {}): BackchannelRequestRecord {
  const n = next();
  return {
    id: `req-${n}`, ticketDigest: `ticket-${n}`, authReqIdDigest: `arid-${n}`, authReqIdSealed: 'sealed', serviceId: SERVICE, clientId: 1,
    status: 'issued', deliveryMode: 'POLL', request: {}, result: null, interval: 5, lastPolledAt: null, createdAt: 1_000, expiresAt: 100_000,
    ...overrides,
  };
}

function outbox(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  const n = next();
  return {
    id: `ob-${n}`, serviceId: SERVICE, clientId: 1, kind: 'push', endpoint: 'https://client.example.com/cb', authorizationSealed: null,
    bodySealed: 'body', summary: {}, status: 'pending', attempts: 0, nextAttemptAt: 1_000, claimedUntil: null, lastError: null,
    createdAt: 1_000, expiresAt: 100_000, finishedAt: null, ...overrides,
  };
}

describe.each(DIALECTS)('revocation by subject on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-store-'));
    store = (await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined })).store;
    for (const apiKey of [SERVICE, OTHER_SERVICE]) await store.createService({ apiKey, number: apiKey % 10, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Everything alice could still get tokens or notifications from, and the same for others. */
  async function seed() {
    for (const subject of ['alice', 'alice%', 'bob']) await store.putUser(user(subject));
    const t = { alice: token('alice'), aliceElsewhere: token('alice', OTHER_SERVICE), like: token('alice%'), bob: token('bob') };
    for (const record of Object.values(t)) await store.insertToken(record);
    // Approved, not redeemed: the completion named her.
    const approved = backchannel();
    await store.createBackchannelRequest(approved);
    await store.completeBackchannelRequest(SERVICE, approved.ticketDigest, 'authorized', { grant: { subject: 'alice' } }, 2_000, undefined, undefined, 'alice');
    // Waiting on her device: only the front's request names her.
    const waiting = backchannel();
    await store.createBackchannelRequest(waiting);
    const device = { authReqIdDigest: waiting.authReqIdDigest!, serviceId: SERVICE, subject: 'alice', clientId: 1, ticketSealed: 't', authReqIdSealed: 'a', details: {}, status: 'pending' as const, channel: 'simulator' as const, createdAt: 1, expiresAt: 100_000 };
    await store.createFrontRequest(device);
    const bobs = backchannel();
    await store.createBackchannelRequest(bobs);
    await store.completeBackchannelRequest(SERVICE, bobs.ticketDigest, 'authorized', { grant: { subject: 'bob' } }, 2_000, undefined, undefined, 'bob');
    const rows = { push: outbox({ subject: 'alice' }), ping: outbox({ kind: 'ping' }), bobPush: outbox({ subject: 'bob' }) };
    for (const row of Object.values(rows)) await store.enqueueOutbox(row);
    return { t, approved, waiting, device, bobs, rows };
  }

  const outboxRow = async (id: string) => (await store.listOutbox(SERVICE, 0, 1_000)).items.find((r) => r.id === id);
  const requestStatus = async (r: BackchannelRequestRecord) => (await store.findBackchannelRequestByTicket(SERVICE, r.ticketDigest))?.status;

  beforeEach(async () => {
    for (const subject of ['alice', 'alice%', 'bob']) await store.deleteUser(SERVICE, subject, 0);
  });

  for (const how of ['lock', 'delete'] as const) {
    it(`${how}: her tokens, open requests and queued push go in one step; nobody else's`, async () => {
      const s = await seed();
      if (how === 'lock') await store.putUser(user('alice', { status: 'locked', modifiedAt: 5_000 }));
      else expect(await store.deleteUser(SERVICE, 'alice', 5_000)).toBe(true);

      expect(await store.findTokenByAccessDigest(SERVICE, s.t.alice.accessTokenDigest)).toBeUndefined();
      expect(await store.findTokenByRefreshDigest(SERVICE, s.t.alice.refreshTokenDigest!)).toBeUndefined();
      expect(await store.rotateRefreshToken(SERVICE, s.t.alice.refreshTokenDigest!, 3_000, token('alice'))).toBe(false);
      expect(await requestStatus(s.approved)).toBe('denied');
      expect((await store.findBackchannelRequestByTicket(SERVICE, s.approved.ticketDigest))?.result).toMatchObject({ result: 'ACCESS_DENIED' });
      expect(await store.consumeAuthorizedRequest(s.approved.id, 3_000, token('alice'))).toBe(false);
      expect(await requestStatus(s.waiting)).toBe('denied');
      expect(await store.completeBackchannelRequest(SERVICE, s.waiting.ticketDigest, 'consumed', {}, 3_000, token('alice'))).toBeUndefined();
      expect((await store.findFrontRequest(SERVICE, s.device.authReqIdDigest))?.status).toBe('denied');
      expect(await outboxRow(s.rows.push.id)).toMatchObject({ status: 'failed', finishedAt: 5_000, lastError: 'cancelled: the user was locked or deleted' });

      // Untouched: the same subject in another service, a look-alike subject, another user, a ping (no tokens in it).
      for (const other of [s.t.like, s.t.bob]) expect(await store.findTokenByAccessDigest(SERVICE, other.accessTokenDigest)).toBeDefined();
      expect(await store.findTokenByAccessDigest(OTHER_SERVICE, s.t.aliceElsewhere.accessTokenDigest)).toBeDefined();
      expect(await requestStatus(s.bobs)).toBe('authorized');
      expect(await outboxRow(s.rows.bobPush.id)).toMatchObject({ status: 'pending', lastError: null });
      expect(await outboxRow(s.rows.ping.id)).toMatchObject({ status: 'pending' });

      // Unlocking (or creating her again) gives nothing back.
      await store.putUser(user('alice', { status: 'active', modifiedAt: 6_000 }));
      expect(await store.findTokenByAccessDigest(SERVICE, s.t.alice.accessTokenDigest)).toBeUndefined();
      expect(await requestStatus(s.approved)).toBe('denied');
    });
  }

  it('deleting a user the directory does not hold revokes nothing', async () => {
    const stray = token('carol');
    await store.insertToken(stray);
    expect(await store.deleteUser(SERVICE, 'carol', 5_000)).toBe(false);
    expect(await store.findTokenByAccessDigest(SERVICE, stray.accessTokenDigest)).toBeDefined();
  });

  it('an active user stored again keeps her tokens', async () => {
    await store.putUser(user('dave'));
    const kept = token('dave');
    await store.insertToken(kept);
    await store.putUser(user('dave', { data: { name: 'Dave' }, modifiedAt: 9 }));
    expect(await store.findTokenByAccessDigest(SERVICE, kept.accessTokenDigest)).toBeDefined();
  });
});
