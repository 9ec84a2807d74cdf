import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { BackchannelRequestRecord, Store, TokenRecord } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 800_000_000_001;
let seq = 0;

function request(overrides: Partial<BackchannelRequestRecord> = {}): BackchannelRequestRecord {
  seq += 1;
  return {
    id: `req-${seq}`,
    ticketDigest: `ticket-${seq}`,
    authReqIdDigest: null,
    authReqIdSealed: null,
    serviceId: SERVICE,
    clientId: 1,
    status: 'identified',
    deliveryMode: 'POLL',
    request: { scopes: ['openid'] },
    result: null,
    interval: 5,
    lastPolledAt: null,
    createdAt: 1_000,
    expiresAt: 100_000,
    ...overrides,
  };
}

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  seq += 1;
  return {
    id: `tok-${seq}`,
    accessTokenDigest: `at-${seq}`,
    refreshTokenDigest: `rt-${seq}`,
    serviceId: SERVICE,
    clientId: 1,
    subject: 'alice',
    grantId: null,
    grantType: 'CIBA',
    data: { scopes: ['openid'] },
    accessExpiresAt: 50_000,
    refreshExpiresAt: 90_000,
    createdAt: 1_000,
    ...overrides,
  };
}

describe.each(DIALECTS)('CIBA store contract on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-store-'));
    const opened = await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    store = opened.store;
    await store.createService({ apiKey: SERVICE, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues an auth_req_id once, and only before the ticket expires', async () => {
    const r = request();
    await store.createBackchannelRequest(r);
    expect(await store.issueAuthReqId(SERVICE, r.ticketDigest, { digest: 'arid-1', sealed: 's1' }, 200_000)).toBeUndefined(); // expired
    const issued = await store.issueAuthReqId(SERVICE, r.ticketDigest, { digest: 'arid-1', sealed: 's1' }, 2_000);
    expect(issued).toMatchObject({ status: 'issued', authReqIdDigest: 'arid-1', authReqIdSealed: 's1', expiresAt: 100_000, interval: 5 });
    expect(await store.issueAuthReqId(SERVICE, r.ticketDigest, { digest: 'arid-2', sealed: 's2' }, 2_000)).toBeUndefined();
    expect((await store.findBackchannelRequestByAuthReqId(SERVICE, 'arid-1'))?.id).toBe(r.id);
    expect(await store.findBackchannelRequestByAuthReqId(SERVICE + 1, 'arid-1')).toBeUndefined();
  });

  it('completes once, before expiry, and stores push tokens in the same step', async () => {
    const r = request({ status: 'issued', authReqIdDigest: 'arid-c' });
    await store.createBackchannelRequest(r);
    expect(await store.completeBackchannelRequest(SERVICE, r.ticketDigest, 'authorized', { subject: 'a' }, 200_000)).toBeUndefined();
    const done = await store.completeBackchannelRequest(SERVICE, r.ticketDigest, 'authorized', { subject: 'a' }, 2_000);
    expect(done).toMatchObject({ status: 'authorized', result: { subject: 'a' } });
    expect(await store.completeBackchannelRequest(SERVICE, r.ticketDigest, 'denied', {}, 2_000)).toBeUndefined();

    const push = request({ status: 'issued', deliveryMode: 'PUSH' });
    await store.createBackchannelRequest(push);
    const t = token({ grantId: push.id });
    expect(await store.completeBackchannelRequest(SERVICE, push.ticketDigest, 'consumed', {}, 2_000, t)).toEqual({ ...push, status: 'consumed', result: {} });
    expect((await store.findTokenByAccessDigest(SERVICE, t.accessTokenDigest))?.grantId).toBe(push.id);
  });

  it('raises the interval when polls come too fast', async () => {
    const r = request({ status: 'issued', interval: 5 });
    await store.createBackchannelRequest(r);
    expect(await store.recordPoll(r.id, 10_000, 5)).toBe(5); // first poll
    expect(await store.recordPoll(r.id, 12_000, 5)).toBe(10); // 2 s later: too soon
    expect(await store.recordPoll(r.id, 22_000, 5)).toBe(10); // 10 s later: fine
    expect(await store.recordPoll('nope', 1, 5)).toBeUndefined();
  });

  it('lets exactly one of many concurrent consumers win', async () => {
    const r = request({ status: 'authorized' });
    await store.createBackchannelRequest(r);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.consumeAuthorizedRequest(r.id, 2_000, token({ grantId: r.id }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.deleteTokensOfGrant(r.id)).toBe(1);
  });

  it('rotates refresh tokens atomically', async () => {
    const first = token();
    await store.insertToken(first);
    const next = token();
    const results = await Promise.all([
      store.rotateRefreshToken(SERVICE, first.refreshTokenDigest!, 2_000, next),
      store.rotateRefreshToken(SERVICE, first.refreshTokenDigest!, 2_000, token()),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.findTokenByRefreshDigest(SERVICE, first.refreshTokenDigest!)).toBeUndefined();
    const expired = token({ refreshExpiresAt: 1_500 });
    await store.insertToken(expired);
    expect(await store.rotateRefreshToken(SERVICE, expired.refreshTokenDigest!, 2_000, token())).toBe(false);
  });

  it('claims a jti once while it lives, and again after it expired', async () => {
    expect(await store.claimJti('c1', 'j', 5_000, 1_000)).toBe(true);
    expect(await store.claimJti('c1', 'j', 5_000, 2_000)).toBe(false);
    expect(await store.claimJti('c2', 'j', 5_000, 2_000)).toBe(true);
    expect(await store.claimJti('c1', 'j', 9_000, 6_000)).toBe(true);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => store.claimJti('c3', 'k', 5_000, 1_000)));
    expect(concurrent.filter(Boolean)).toHaveLength(1);
  });

  it('fail deletes the ticket', async () => {
    const r = request();
    await store.createBackchannelRequest(r);
    expect(await store.deleteBackchannelRequest(SERVICE, r.ticketDigest)).toBe(true);
    expect(await store.findBackchannelRequestByTicket(SERVICE, r.ticketDigest)).toBeUndefined();
    expect(await store.deleteBackchannelRequest(SERVICE, r.ticketDigest)).toBe(false);
  });
});

describe.each(DIALECTS)('housekeeping on %s', (dialect) => {
  it('purges only what has expired, in batches, and is idempotent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openciba-purge-'));
    const { store } = await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    try {
      await store.createService({ apiKey: SERVICE, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
      for (let i = 0; i < 5; i++) await store.createBackchannelRequest(request({ expiresAt: 1_000 }));
      const live = request({ expiresAt: 1_000_000 });
      await store.createBackchannelRequest(live);
      await store.insertToken(token({ accessExpiresAt: 1_000, refreshExpiresAt: 2_000 }));
      const refreshable = token({ accessExpiresAt: 1_000, refreshExpiresAt: 1_000_000 });
      await store.insertToken(refreshable);
      await store.claimJti('s', 'old', 1_000, 0);
      await store.claimJti('s', 'new', 1_000_000, 0);

      const retention = { finishedMs: 0, transactionsMs: 0 };
      const first = await store.purgeExpired(500_000, retention, 3);
      expect(first).toMatchObject({ backchannelRequests: 3, tokens: 1, usedJtis: 1 });
      const second = await store.purgeExpired(500_000, retention, 3);
      expect(second.backchannelRequests).toBe(2);
      expect(await store.purgeExpired(500_000, retention, 3)).toEqual({ backchannelRequests: 0, tokens: 0, usedJtis: 0, outbox: 0, frontRequests: 0, attemptCounters: 0, requestReservations: 0, authenticatorCeremonies: 0 });
      expect(await store.findBackchannelRequestByTicket(SERVICE, live.ticketDigest)).toEqual(live);
      expect(await store.findTokenByRefreshDigest(SERVICE, refreshable.refreshTokenDigest!)).toEqual(refreshable);
      expect(await store.claimJti('s', 'new', 1_000_000, 500_000)).toBe(false);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
