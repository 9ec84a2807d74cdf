import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { FrontRequestRecord, Store } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const SERVICE = 700_000_000_014;
const OTHER = 700_000_000_015;
const NOW = 5_000;

function record(digest: string, overrides: Partial<FrontRequestRecord> = {}): FrontRequestRecord {
  return {
    authReqIdDigest: digest, serviceId: SERVICE, subject: 'alice', clientId: 1, ticketSealed: 't', authReqIdSealed: 'a',
    details: {}, status: 'pending', channel: 'simulator', createdAt: 1_000, expiresAt: 10_000, ...overrides,
  };
}

/** FrontRequestStore.listFrontRequests: the console's live requests (contract C), on both dialects. */
describe.each(DIALECTS)('listing front requests on %s', (dialect) => {
  let store: Store;
  let dataDir: string;
  const digests = (rows: FrontRequestRecord[]) => rows.map((r) => r.authReqIdDigest);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-store-'));
    store = (await openStore({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined })).store;
    for (const apiKey of [SERVICE, OTHER]) await store.createService({ apiKey, number: apiKey % 100, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
    // Five at the same instant (the digest breaks the tie), one older, one in another service.
    for (const [digest, overrides] of [
      ['d-pending', {}],
      ['d-late', { expiresAt: NOW }],
      ['d-allowed', { status: 'allowed', subject: 'bob' }],
      ['d-denied', { status: 'denied', clientId: 2 }],
      ['d-failed', { status: 'failed' }],
      ['c-older', { createdAt: 900, subject: "o'hara; DROP TABLE front_requests" }],
    ] as const) {
      await store.createFrontRequest(record(digest, overrides as Partial<FrontRequestRecord>));
    }
    await store.createFrontRequest(record('z-other', { serviceId: OTHER }));
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists a service newest first, ties broken by digest, and nothing of another service', async () => {
    expect(digests(await store.listFrontRequests(SERVICE, {}, NOW, 100))).toEqual(['d-pending', 'd-late', 'd-failed', 'd-denied', 'd-allowed', 'c-older']);
    expect(digests(await store.listFrontRequests(OTHER, {}, NOW, 100))).toEqual(['z-other']);
  });

  it('tells pending from expired by the time given, and maps each status to its state', async () => {
    expect(digests(await store.listFrontRequests(SERVICE, { state: 'pending' }, NOW, 100))).toEqual(['d-pending', 'c-older']);
    expect(digests(await store.listFrontRequests(SERVICE, { state: 'expired' }, NOW, 100))).toEqual(['d-late', 'd-failed']);
    expect(digests(await store.listFrontRequests(SERVICE, { state: 'pending' }, NOW - 1, 100))).toEqual(['d-pending', 'd-late', 'c-older']);
    expect(digests(await store.listFrontRequests(SERVICE, { state: 'approved' }, NOW, 100))).toEqual(['d-allowed']);
    expect(digests(await store.listFrontRequests(SERVICE, { state: 'denied' }, NOW, 100))).toEqual(['d-denied']);
  });

  it('filters by subject and client, taking hostile text as a value', async () => {
    expect(digests(await store.listFrontRequests(SERVICE, { subject: 'bob' }, NOW, 100))).toEqual(['d-allowed']);
    expect(digests(await store.listFrontRequests(SERVICE, { subject: "o'hara; DROP TABLE front_requests" }, NOW, 100))).toEqual(['c-older']);
    expect(digests(await store.listFrontRequests(SERVICE, { subject: '%' }, NOW, 100))).toEqual([]);
    expect(digests(await store.listFrontRequests(SERVICE, { clientId: 2 }, NOW, 100))).toEqual(['d-denied']);
    expect(digests(await store.listFrontRequests(SERVICE, { clientId: 2, state: 'pending' }, NOW, 100))).toEqual([]);
  });

  it('pages by key across a tie without losing or repeating a row', async () => {
    const seen: string[] = [];
    let before: { createdAt: number; authReqIdDigest: string } | undefined;
    for (;;) {
      const page = await store.listFrontRequests(SERVICE, before ? { before } : {}, NOW, 2);
      if (page.length === 0) break;
      seen.push(...digests(page));
      const last = page[page.length - 1]!;
      before = { createdAt: last.createdAt, authReqIdDigest: last.authReqIdDigest };
    }
    expect(seen).toEqual(['d-pending', 'd-late', 'd-failed', 'd-denied', 'd-allowed', 'c-older']);
  });
});
