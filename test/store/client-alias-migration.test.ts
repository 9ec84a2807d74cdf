import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { migrateTo } from '../../src/store/migrate.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

describe.each(DIALECTS)('migration 0004 (client id aliases) on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-migration-'));
  let opened: OpenedDatabase | undefined;
  afterAll(async () => {
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('can run again after a crash half-way (SQLite migrates without a transaction)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-migration-'));
    const half = openDatabase({ dataDir: dir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    try {
      const db = half.db as any;
      await migrateTo(db, '0003-front');
      // As if the process died right after adding the column.
      await db.schema.alterTable('clients').addColumn('client_id_alias', 'varchar(255)').execute();
      expect((await migrateTo(db, '0004-client-alias')).applied).toEqual(['0004-client-alias']);
    } finally {
      await half.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backfills the aliases clients already had; of two clients with one alias, the older keeps it', async () => {
    opened = openDatabase({ dataDir, databaseUrl: dialect === 'postgres' ? await freshPostgresUrl() : undefined });
    const db = opened.db as any;
    await migrateTo(db, '0003-front');
    await db.insertInto('services').values({ api_key: 1, number: 1, data: '{}', created_at: 0, modified_at: 0 }).execute();
    const client = (clientId: number, number: number, data: Record<string, unknown> | string) => ({
      client_id: clientId, service_id: 1, number, developer: null, data: typeof data === 'string' ? data : JSON.stringify(data), secret_sealed: 's', created_at: 0, modified_at: 0,
    });
    await db.insertInto('clients').values([
      client(11, 1, { clientIdAlias: 'shared' }),
      client(12, 2, { clientIdAlias: 'shared' }),
      client(13, 3, { clientIdAlias: '13' }),
      client(14, 4, {}),
      client(15, 5, 'not json'),
      // Aliases the API would refuse today stay unindexed (and cannot break the upgrade).
      client(16, 6, { clientIdAlias: 'x'.repeat(300) }),
      client(17, 7, { clientIdAlias: '99' }),
      client(18, 8, { clientIdAlias: 'with space' }),
      client(19, 9, { clientIdAlias: 'ok-app' }),
    ]).execute();

    expect((await migrateTo(db, '0004-client-alias')).applied).toEqual(['0004-client-alias']);
    const rows = await db.selectFrom('clients').select(['client_id', 'client_id_alias']).orderBy('client_id').execute();
    expect(rows.map((r: { client_id: unknown; client_id_alias: unknown }) => [Number(r.client_id), r.client_id_alias])).toEqual([
      [11, 'shared'], [12, null], [13, null], [14, null], [15, null], [16, null], [17, null], [18, null], [19, 'ok-app'],
    ]);
  });
});
