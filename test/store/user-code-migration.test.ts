import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { verifyUserCode } from '../../src/lib/user-code-hash.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

describe.each(DIALECTS)('migration 0005 (user codes hashed) on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-migration-'));
  let opened: OpenedDatabase | undefined;
  afterAll(async () => {
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replaces every clear user code with a salted hash of it and leaves other users alone', async () => {
    opened = openDatabase({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    const db = opened.db as any;
    await migrateTo(db, '0004-client-alias');
    const user = (subject: string, data: Record<string, unknown> | string) => ({
      service_id: 1, subject, email: null, phone_number: null, status: 'active', data: typeof data === 'string' ? data : JSON.stringify(data), created_at: 0, modified_at: 0,
    });
    await db.insertInto('users').values([
      user('ann', { name: 'Ann', userCode: '4321' }),
      user('ben', { name: 'Ben', userCode: '4321' }),
      user('cid', { name: 'Cid' }),
      user('dee', 'not json'),
      user('eve', { userCode: 1234 }),
    ]).execute();

    expect((await migrateToLatest(db)).applied).toEqual(['0005-user-code-hash', '0006-outbox-client', '0007-subject-revocation', '0008-attempt-limits', '0010-audit-events', '0013-authenticator', '0014-front-request-listing', '0015-audit-unlinked', '0016-audit-request-key']);
    const rows = await db.selectFrom('users').select(['subject', 'data']).orderBy('subject').execute();
    const data = Object.fromEntries(rows.map((r: { subject: string; data: string }) => [r.subject, r.data]));
    for (const subject of ['ann', 'ben']) {
      const stored = JSON.parse(data[subject]) as { name: string; userCode: string };
      expect(stored.name).toBe(subject === 'ann' ? 'Ann' : 'Ben');
      expect(stored.userCode).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(await verifyUserCode('4321', stored.userCode)).toBe(true);
      expect(await verifyUserCode('4322', stored.userCode)).toBe(false);
    }
    // One code, two users: two salts, two hashes.
    expect(JSON.parse(data.ann).userCode).not.toBe(JSON.parse(data.ben).userCode);
    expect(data.cid).toBe(JSON.stringify({ name: 'Cid' }));
    expect(data.dee).toBe('not json');
    expect(data.eve).toBe(JSON.stringify({ userCode: 1234 }));
  });

  it('run again (down, then up), leaves the hashes as they are: a hash is never hashed twice', async () => {
    const db = opened!.db as any;
    const before = await db.selectFrom('users').select(['subject', 'data']).orderBy('subject').execute();
    await migrateTo(db, '0004-client-alias');
    expect((await migrateToLatest(db)).applied).toEqual(['0005-user-code-hash', '0006-outbox-client', '0007-subject-revocation', '0008-attempt-limits', '0010-audit-events', '0013-authenticator', '0014-front-request-listing', '0015-audit-unlinked', '0016-audit-request-key']);
    expect(await db.selectFrom('users').select(['subject', 'data']).orderBy('subject').execute()).toEqual(before);
  });
});

describe('user code hashes', () => {
  it('refuse anything that is not a well-formed hash, including the code itself', async () => {
    for (const stored of ['4321', '', 'scrypt$16384$8$1$', 'scrypt$3$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'scrypt$1048576$64$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA']) {
      expect(await verifyUserCode('4321', stored), stored).toBe(false);
    }
  });
});
