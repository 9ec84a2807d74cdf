import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 700_000_000_013;

/** claimRequestPlace: a user's per-minute counter and pending cap in one write. */
describe.each(DIALECTS)('request place store contract on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-place-'));
    store = (await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined })).store;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const claim = (scope: string, subject: string, rateLimit: number, cap: number, id: string, now: number) =>
    store.claimRequestPlace(scope, SERVICE, subject, rateLimit, 10_000, cap, id, now + 30_000, now);

  it('concurrent claims never pass the pending cap; the refusal says which limit', async () => {
    const places = await Promise.all(Array.from({ length: 12 }, (_, i) => claim('rate-zoe', 'zoe', 100, 4, `zoe-${i}`, 1_000)));
    expect(places.filter((p) => p.granted)).toHaveLength(4);
    const refused = places.filter((p) => !p.granted);
    expect(refused).toHaveLength(8);
    // The soonest end of a held place.
    for (const r of refused) expect(r).toEqual({ granted: false, limit: 'pending', retryAt: 31_000 });
    // A place given back is free again; another user has places of their own.
    await store.releasePending('zoe-0');
    expect((await claim('rate-zoe', 'zoe', 100, 4, 'zoe-again', 1_001)).granted).toBe(true);
    expect((await claim('rate-yan', 'yan', 100, 4, 'yan-0', 1_001)).granted).toBe(true);
  });

  it('the per-minute counter refuses first, until its window ends, and then takes no place', async () => {
    expect(await claim('rate-ada', 'ada', 2, 10, 'ada-0', 5_000)).toEqual({ granted: true, hits: 1 });
    expect(await claim('rate-ada', 'ada', 2, 10, 'ada-1', 5_001)).toEqual({ granted: true, hits: 2 });
    expect(await claim('rate-ada', 'ada', 2, 10, 'ada-2', 5_002)).toEqual({ granted: false, limit: 'rate', retryAt: 15_000 });
    // The refused one holds no place: with a cap of 3, one more fits in the next window, then the cap refuses.
    expect((await claim('rate-ada', 'ada', 2, 3, 'ada-3', 15_000)).granted).toBe(true);
    expect(await claim('rate-ada', 'ada', 2, 3, 'ada-4', 15_001)).toEqual({ granted: false, limit: 'pending', retryAt: 35_000 });
  });

  it('a device request stored with its place takes the place over in the same write: the cap counts it once, and a failed store keeps the place', async () => {
    const now = 50_000;
    const request = (digest: string) => ({
      authReqIdDigest: digest, serviceId: SERVICE, subject: 'kim', clientId: 1, ticketSealed: 't', authReqIdSealed: 'a',
      details: {}, status: 'pending' as const, channel: 'simulator' as const, createdAt: now, expiresAt: now + 60_000,
    });
    expect((await claim('rate-kim', 'kim', 100, 2, 'kim-0', now)).granted).toBe(true);
    await store.createFrontRequest(request('kim-request-0'), { releaseReservation: 'kim-0' });
    // One pending request and no place held: one more fits under a cap of 2, then the cap refuses.
    expect((await claim('rate-kim', 'kim', 100, 2, 'kim-1', now + 1)).granted).toBe(true);
    expect(await claim('rate-kim', 'kim', 100, 2, 'kim-2', now + 2)).toMatchObject({ granted: false, limit: 'pending' });
    // A store that fails (the digest is taken) rolls the release back with it: the place still counts.
    await expect(store.createFrontRequest(request('kim-request-0'), { releaseReservation: 'kim-1' })).rejects.toThrow();
    expect(await claim('rate-kim', 'kim', 100, 2, 'kim-3', now + 3)).toMatchObject({ granted: false, limit: 'pending' });
    await store.releasePending('kim-1');
    expect((await claim('rate-kim', 'kim', 100, 2, 'kim-4', now + 4)).granted).toBe(true);
  });

  it('shares counters with claimAttempt on the same scope', async () => {
    await store.claimAttempt('rate-bo', SERVICE, 1, 10_000, 9_000);
    expect(await claim('rate-bo', 'bo', 1, 10, 'bo-0', 9_001)).toEqual({ granted: false, limit: 'rate', retryAt: 19_000 });
  });
});
