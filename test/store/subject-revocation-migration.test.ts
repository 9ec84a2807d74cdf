import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

describe.each(DIALECTS)('migration 0007 (subjects for revocation) on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-migration-'));
  let opened: OpenedDatabase | undefined;
  afterAll(async () => {
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('backfills the subject of approved, unredeemed requests from their recorded grant, and nothing else', async () => {
    opened = openDatabase({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    const db = opened.db as any;
    await migrateTo(db, '0006-outbox-client');
    await db.insertInto('services').values({ api_key: 1, number: 1, data: '{}', jwks_sealed: null, created_at: 0, modified_at: 0 }).execute();
    const row = (id: string, status: string, result: string | null) => ({
      id, ticket_digest: `t-${id}`, auth_req_id_digest: `a-${id}`, auth_req_id_sealed: null, service_id: 1, client_id: 1, status,
      delivery_mode: 'POLL', request: '{}', result, interval: 5, last_polled_at: null, created_at: 0, expires_at: 1,
    });
    await db.insertInto('backchannel_requests').values([
      row('approved', 'authorized', JSON.stringify({ result: 'AUTHORIZED', grant: { subject: 'alice' } })),
      row('consumed', 'consumed', JSON.stringify({ grant: { subject: 'alice' } })),
      row('garbled', 'authorized', 'not json'),
      row('no-subject', 'authorized', JSON.stringify({ grant: { subject: 7 } })),
      row('waiting', 'issued', null),
    ]).execute();

    expect((await migrateToLatest(db)).applied).toEqual(['0007-subject-revocation', '0008-attempt-limits', '0010-audit-events', '0013-authenticator', '0014-front-request-listing', '0015-audit-unlinked', '0016-audit-request-key']);
    const rows = await db.selectFrom('backchannel_requests').select(['id', 'subject']).orderBy('id').execute();
    expect(Object.fromEntries(rows.map((r: { id: string; subject: string | null }) => [r.id, r.subject]))).toEqual({
      approved: 'alice', consumed: null, garbled: null, 'no-subject': null, waiting: null,
    });
    // Down and up again: the same.
    await migrateTo(db, '0006-outbox-client');
    expect((await migrateToLatest(db)).applied).toEqual(['0007-subject-revocation', '0008-attempt-limits', '0010-audit-events', '0013-authenticator', '0014-front-request-listing', '0015-audit-unlinked', '0016-audit-request-key']);
    expect((await db.selectFrom('backchannel_requests').select('subject').where('id', '=', 'approved').executeTakeFirst()).subject).toBe('alice');
  });
});
