import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 700_000_000_008;

describe.each(DIALECTS)('attempt limit store contract on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-limits-'));
    store = (await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined })).store;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a fixed window: places up to the limit, then retry at the window end; a new window starts again', async () => {
    expect(await store.claimAttempt('w', SERVICE, 2, 1_000, 10_000)).toEqual({ granted: true, hits: 1 });
    expect(await store.claimAttempt('w', SERVICE, 2, 1_000, 10_500)).toEqual({ granted: true, hits: 2 });
    expect(await store.claimAttempt('w', SERVICE, 2, 1_000, 10_900)).toEqual({ granted: false, retryAt: 11_000 });
    expect(await store.claimAttempt('w', SERVICE, 2, 1_000, 11_000)).toEqual({ granted: true, hits: 1 });
  });

  it('release gives a place back; clear forgets the counter', async () => {
    await store.claimAttempt('r', SERVICE, 1, 1_000, 0);
    expect((await store.claimAttempt('r', SERVICE, 1, 1_000, 1)).granted).toBe(false);
    await store.releaseAttempt('r');
    expect((await store.claimAttempt('r', SERVICE, 1, 1_000, 2)).granted).toBe(true);
    await store.clearAttempts('r');
    expect(await store.claimAttempt('r', SERVICE, 1, 1_000, 3)).toEqual({ granted: true, hits: 1 });
  });

  it('a lockout outlasts the window, is taken once, and ends at its time', async () => {
    await store.claimAttempt('l', SERVICE, 2, 1_000, 0);
    expect(await store.lockAttempts('l', 2, 5_000, 0)).toBe(false); // below the limit
    await store.claimAttempt('l', SERVICE, 2, 1_000, 0);
    expect(await store.lockAttempts('l', 2, 5_000, 0)).toBe(true);
    expect(await store.lockAttempts('l', 2, 6_000, 1)).toBe(false); // already locked
    expect(await store.claimAttempt('l', SERVICE, 2, 1_000, 2_000)).toEqual({ granted: false, retryAt: 5_000 });
    expect(await store.claimAttempt('l', SERVICE, 2, 1_000, 5_000)).toEqual({ granted: true, hits: 1 });
  });

  it('concurrent claims never pass the limit', async () => {
    const claims = await Promise.all(Array.from({ length: 40 }, () => store.claimAttempt('c', SERVICE, 7, 60_000, 100)));
    expect(claims.filter((c) => c.granted)).toHaveLength(7);
    expect(claims.filter((c) => c.granted).map((c) => (c as { hits: number }).hits).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('pending places: the cap counts pending device requests and held places; concurrent reservations never pass it', async () => {
    await store.createFrontRequest({
      authReqIdDigest: 'pending-1', serviceId: SERVICE, subject: 'zoe', clientId: 1, ticketSealed: 't', authReqIdSealed: 'a', details: {}, status: 'pending', channel: 'simulator', createdAt: 0, expiresAt: 9_000,
    });
    const places = await Promise.all(Array.from({ length: 12 }, (_, i) => store.reservePending(SERVICE, 'zoe', 4, `hold-${i}`, 20_000, 100)));
    expect(places.filter((p) => p.granted)).toHaveLength(3);
    expect(places.find((p) => !p.granted)).toEqual({ granted: false, retryAt: 9_000 });
    const granted = places.map((p, i) => (p.granted ? `hold-${i}` : undefined)).filter((id): id is string => id !== undefined);
    await store.releasePending(granted[0]!);
    expect((await store.reservePending(SERVICE, 'zoe', 4, 'again', 20_000, 100)).granted).toBe(true);
    expect((await store.reservePending(SERVICE, 'someone-else', 4, 'other', 20_000, 100)).granted).toBe(true);
  });

  it('housekeeping deletes counters and places once they no longer count', async () => {
    const counts = await store.purgeExpired(10_000_000, { finishedMs: 0, transactionsMs: 0 }, 1_000);
    expect(counts.attemptCounters).toBeGreaterThanOrEqual(5);
    expect(counts.requestReservations).toBe(4); // three held, one released, two more
    expect((await store.purgeExpired(10_000_000, { finishedMs: 0, transactionsMs: 0 }, 1_000)).attemptCounters).toBe(0);
  });
});
