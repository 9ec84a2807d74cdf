import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoredAuditEvent } from '../../src/store/ports.js';
import { verifyAuditChain } from '../../src/engine/audit/verify-chain.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

// Store migration 0016: a CIBA transaction's events are found by the engine's time-ordered
// request key; the auth_req_id's and ticket's digests only tie in the request.issued event and
// the rows stored without a key (by an earlier version, or by a node that did not know the key).
const SERVICE = 41;
let clock = 1_764_800_000_000;

function event(type: string, fields: Partial<StoredAuditEvent> = {}): StoredAuditEvent {
  clock += 1;
  return {
    id: `${String(clock).padStart(15, '0')}-000000-test`,
    serviceId: SERVICE,
    seq: null,
    at: clock,
    type,
    authReqIdDigest: null,
    authReqIdSealed: null,
    ticketDigest: null,
    clientId: '7',
    subject: null,
    data: '{}',
    prevHash: null,
    hash: null,
    requestKey: null,
    ...fields,
  };
}

describe.each(DIALECTS)('audit events by request key (%s)', (dialect) => {
  let store: Store;
  let dataDir: string;
  let databaseUrl: string | undefined;
  const stored: Record<string, StoredAuditEvent> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-audit-key-'));
    databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    store = (await openStore({ dataDir, databaseUrl })).store;
    const keyed = { requestKey: '001764800000000-000000-keyA' };
    const events: [string, StoredAuditEvent][] = [
      // A request of this version: every engine event carries its key; the front's
      // user.identified got it from the sink, the late device event did not (another node).
      ['requested', event('backchannel.requested', { ...keyed, ticketDigest: 'tA' })],
      ['identified', event('user.identified', { ...keyed, ticketDigest: 'tA', subject: 'alice' })],
      ['issued', event('request.issued', { ...keyed, ticketDigest: 'tA', authReqIdDigest: 'dA', authReqIdSealed: 'sA' })],
      ['notified', event('device.notified', { ...keyed, authReqIdDigest: 'dA', authReqIdSealed: 'sA' })],
      ['lateFront', event('request.expired', { authReqIdDigest: 'dA', authReqIdSealed: 'sA' })],
      ['tokens', event('tokens.issued', { ...keyed, authReqIdDigest: 'dA', authReqIdSealed: 'sA' })],
      // A request stored by an earlier version: no key anywhere, tied together by its digests.
      ['oldRequested', event('backchannel.requested', { ticketDigest: 'tB' })],
      ['oldIssued', event('request.issued', { ticketDigest: 'tB', authReqIdDigest: 'dB', authReqIdSealed: 'sB' })],
      ['oldTokens', event('tokens.issued', { authReqIdDigest: 'dB', authReqIdSealed: 'sB' })],
      // Another request of this version, interleaved: never part of the first one's story.
      ['otherIssued', event('request.issued', { requestKey: '001764800000001-000000-keyC', ticketDigest: 'tC', authReqIdDigest: 'dC', authReqIdSealed: 'sC' })],
      ['otherTokens', event('tokens.issued', { requestKey: '001764800000001-000000-keyC', authReqIdDigest: 'dC', authReqIdSealed: 'sC' })],
    ];
    for (const [name, e] of events) stored[name] = e;
    await Promise.all(events.map(([, e]) => store.appendAuditEvent(e)));
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ids = (events: StoredAuditEvent[]) => events.map((e) => e.id);

  it('finds a keyed transaction whole, with the rows of it stored without a key, and nothing of another', async () => {
    const events = await store.transactionAuditEvents(SERVICE, 'dA');
    expect(ids(events)).toEqual(['requested', 'identified', 'issued', 'notified', 'lateFront', 'tokens'].map((n) => stored[n]!.id));
    expect(events.find((e) => e.type === 'request.issued')?.requestKey).toBe('001764800000000-000000-keyA');
    expect(events.find((e) => e.type === 'request.expired')?.requestKey).toBeNull();
  });

  it('finds a transaction of an earlier version by its digests, as before', async () => {
    expect(ids(await store.transactionAuditEvents(SERVICE, 'dB'))).toEqual(['oldRequested', 'oldIssued', 'oldTokens'].map((n) => stored[n]!.id));
    expect(await store.transactionAuditEvents(SERVICE, 'no-such-digest')).toEqual([]);
    expect(await store.transactionAuditEvents(SERVICE + 1, 'dA')).toEqual([]);
  });

  it('lists the events naming one auth_req_id, with the other filters and paging applied to them', async () => {
    const naming = ['issued', 'notified', 'lateFront', 'tokens'].map((n) => stored[n]!.id);
    expect(ids(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'dA', limit: 100 }))).toEqual(naming);
    expect(ids(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'dA', limit: 2 }))).toEqual(naming.slice(0, 2));
    expect(ids(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'dA', afterId: naming[1]!, limit: 100 }))).toEqual(naming.slice(2));
    expect(ids(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'dA', types: ['tokens.issued'], limit: 100 }))).toEqual([stored.tokens!.id]);
    expect(ids(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'dB', limit: 100 }))).toEqual(['oldIssued', 'oldTokens'].map((n) => stored[n]!.id));
    expect(await store.listAuditEvents(SERVICE, { authReqIdDigest: 'no-such-digest', limit: 100 })).toEqual([]);
  });

  it('covers the request key by the chain: the chain verifies, and an edited key breaks it', async () => {
    expect((await verifyAuditChain(store, SERVICE)).ok).toBe(true);
    // An attacker moves an event to another request's story, behind the store's back.
    const moved = ['001764800000001-000000-keyC', stored.notified!.id];
    if (databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query('UPDATE audit_events SET request_key = $1 WHERE id = $2', moved);
      } finally {
        await client.end();
      }
    } else {
      const db = new SQLite(join(dataDir, 'openciba.sqlite'));
      try {
        db.prepare('UPDATE audit_events SET request_key = ? WHERE id = ?').run(...moved);
      } finally {
        db.close();
      }
    }
    const verdict = await verifyAuditChain(store, SERVICE);
    expect(verdict.ok).toBe(false);
  });
});

describe('audit event indexes on SQLite', () => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-audit-idx-'));
    store = (await openStore({ dataDir })).store;
    await Promise.all([
      event('backchannel.requested', { requestKey: '001764800000000-000000-keyA', ticketDigest: 'tA' }),
      event('request.issued', { requestKey: '001764800000000-000000-keyA', ticketDigest: 'tA', authReqIdDigest: 'dA', authReqIdSealed: 'sA' }),
      event('device.notified', { requestKey: '001764800000000-000000-keyA', authReqIdDigest: 'dA', authReqIdSealed: 'sA' }),
      event('request.expired', { authReqIdDigest: 'dA', authReqIdSealed: 'sA' }),
      event('tokens.issued', { requestKey: '001764800000000-000000-keyA', authReqIdDigest: 'dA', authReqIdSealed: 'sA' }),
    ].map((e) => store.appendAuditEvent(e)));
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('indexes the digests only where they tie a transaction together, and the key for the rest', () => {
    const db = new SQLite(join(dataDir, 'openciba.sqlite'), { readonly: true });
    try {
      const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
      const on = (column: string) => indexes.filter((i) => i.sql.includes(`"${column}"`));
      expect(on('auth_req_id_digest').map((i) => i.sql)).toEqual([expect.stringMatching(/where request_key is null or type = 'request\.issued'$/)]);
      expect(on('ticket_digest').map((i) => i.sql)).toEqual([expect.stringMatching(/where request_key is null$/)]);
      expect(on('request_key').map((i) => i.sql)).toEqual([expect.stringMatching(/\("service_id", "request_key"\) where "request_key" is not null$/)]);
      // Of the request's four keyed rows, only request.issued entered the auth_req_id's index (beside
      // the one stored without a key), and none entered the ticket's.
      const linked = db.prepare("SELECT count(*) AS n FROM audit_events INDEXED BY audit_events_auth_req_link_idx WHERE service_id = ? AND auth_req_id_digest = 'dA' AND (request_key is null or type = 'request.issued')").get(SERVICE) as { n: number };
      expect(linked.n).toBe(2);
      const ticketed = db.prepare("SELECT count(*) AS n FROM audit_events INDEXED BY audit_events_ticket_link_idx WHERE service_id = ? AND ticket_digest = 'tA' AND (request_key is null)").get(SERVICE) as { n: number };
      expect(ticketed.n).toBe(0);
    } finally {
      db.close();
    }
  });
});
