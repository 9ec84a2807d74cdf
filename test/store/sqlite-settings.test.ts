import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';

// What the SQLite connection runs with (database.ts): durable commits in a WAL that is
// checkpointed in large steps and cut back to a bounded size afterwards.
describe('the SQLite connection', () => {
  let dataDir: string;
  let opened: OpenedDatabase;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-sqlite-settings-'));
    opened = openDatabase({ dataDir });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(opened.db)).rows[0]!)[0];

  it('journals to a WAL, syncs it at checkpoints (NORMAL), checkpoints every 16,384 pages and keeps the WAL under 64 MiB', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(1);
    expect(await pragma('wal_autocheckpoint')).toBe(16_384);
    expect(await pragma('journal_size_limit')).toBe(64 * 1024 * 1024);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
  });
});
