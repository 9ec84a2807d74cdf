import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase, type StatementEvent } from '../../src/store/database.js';
import { groupCommit, type GroupCommit } from '../../src/store/group-commit.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { preparedQuery } from '../../src/store/prepared-query.js';
import type { Database } from '../../src/store/schema.js';
import { createDatabase, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

// Hot statements (prepared-query.ts → hot-path.ts): straight on the driver, yet inside group
// commit's unit of work, seen by the statement-timing hook, and never reading a batch that has
// not committed.
describe.each(DIALECTS)('hot statements on %s', (dialect) => {
  let dataDir: string;
  let opened: OpenedDatabase;
  let writes: GroupCommit<Database>;
  const events: StatementEvent[] = [];
  let insert: (db: Kysely<any>, scope: string, jti: string) => Promise<unknown>;
  let byScope: (db: Kysely<any>, scope: string) => Promise<{ rows: { jti: string }[] }>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-hot-'));
    const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    // One pooled connection on PostgreSQL, so that its prepared statements can be listed.
    opened = openDatabase({ dataDir, databaseUrl, poolSize: 1, onStatement: (event) => events.push(event) });
    await migrateToLatest(opened.db);
    writes = groupCommit(opened.db);
    insert = preparedQuery(opened.hot, (db: Kysely<Database>, scope: string, jti: string) => db.insertInto('used_jtis').values({ scope, jti, expires_at: 1 }));
    byScope = preparedQuery(opened.hot, (db: Kysely<Database>, scope: string) => db.selectFrom('used_jtis').select('jti').where('scope', '=', scope).orderBy('jti'));
  });
  afterAll(async () => {
    await writes?.drain();
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs with new arguments each time, and the timing hook sees every run, failures included', async () => {
    events.length = 0;
    await writes.write((trx) => insert(trx, 'timed', 'a'));
    await writes.write((trx) => insert(trx, 'timed', 'b'));
    await expect(writes.write((trx) => insert(trx, 'timed', 'a'))).rejects.toThrow();
    expect((await byScope(opened.db, 'timed')).rows).toEqual([{ jti: 'a' }, { jti: 'b' }]);
    const mine = events.filter((e) => /used_jtis/.test(e.sql));
    expect(mine.filter((e) => e.sql.startsWith('insert')).map((e) => e.ok)).toEqual(expect.arrayContaining([true, true, false]));
    expect(mine.some((e) => e.sql.startsWith('select') && e.ok)).toBe(true);
    expect(mine.every((e) => Number.isFinite(e.durationMs) && e.durationMs >= 0)).toBe(true);
  });

  it('runs inside the unit of work: a unit that fails after a hot insert leaves nothing', async () => {
    const results = await Promise.allSettled([
      writes.write((trx) => insert(trx, 'unit', 'kept')),
      writes.write(async (trx) => {
        await insert(trx, 'unit', 'half');
        await insert(trx, 'unit', 'kept');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await byScope(opened.db, 'unit')).rows).toEqual([{ jti: 'kept' }]);
  });

  it('a read outside the unit never sees a batch that has not committed', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((r) => (inserted = r));
    const unit = writes.write(async (trx) => {
      await insert(trx, 'open', 'uncommitted');
      inserted();
      await held;
    });
    await insertedYet;
    // The batch's transaction is open with the row in it; a read now must not answer from it.
    const read = byScope(opened.db, 'open');
    const early = await Promise.race([read.then((r) => r.rows), new Promise((r) => setImmediate(() => r('waiting')))]);
    expect(early).not.toEqual([{ jti: 'uncommitted' }]);
    // SQLite's one connection is the batch's: the read waits for its commit.
    if (dialect === 'sqlite') expect(early).toBe('waiting');
    release();
    await unit;
    expect((await read).rows).toEqual([{ jti: 'uncommitted' }]);
  });

});

describe.runIf(DIALECTS.includes('postgres'))('PostgreSQL sessions', () => {
  let dataDir: string;
  let opened: OpenedDatabase;
  let writes: GroupCommit<Database>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-timeout-'));
    opened = openDatabase({ dataDir, databaseUrl: await freshPostgresUrl(), statementTimeoutMs: 300, poolSize: 1 });
    await migrateToLatest(opened.db);
    writes = groupCommit(opened.db);
  });
  afterAll(async () => {
    await writes?.drain();
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hot statements run as named statements, prepared once per connection', async () => {
    const byScope = preparedQuery(opened.hot, (db: Kysely<Database>, scope: string) => db.selectFrom('used_jtis').select('jti').where('scope', '=', scope));
    await byScope(opened.db, 'a');
    await byScope(opened.db, 'b');
    // One pooled connection: the listing runs in the session that prepared it.
    const rows = (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where name like 'openciba_%'`.execute(opened.db)).rows;
    expect(rows.filter((r) => /from "used_jtis"/.test(r.statement))).toHaveLength(1);
  });

  // A real timer is what is tested: the server cancels the statement after 300 ms.
  it('a hung statement fails on its own and the write queue goes on', async () => {
    const started = Date.now();
    const hung = writes.write(async (trx) => {
      await sql`select pg_sleep(20)`.execute(trx);
    });
    const next = writes.write((trx) => trx.insertInto('used_jtis').values({ scope: 'after', jti: 'x', expires_at: 1 }).execute().then(() => 'written'));
    await expect(hung).rejects.toMatchObject({ code: '57014' });
    expect(await next).toBe('written');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe.runIf(DIALECTS.includes('postgres'))('a PostgreSQL session that stops answering', () => {
  let server: PostgresServer;
  let dataDir: string;
  let opened: OpenedDatabase;
  let writes: GroupCommit<Database>;
  let stopped: number | undefined;

  beforeAll(async () => {
    server = await startPostgresServer();
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-stuck-'));
    opened = openDatabase({ dataDir, databaseUrl: await createDatabase(server.url, 'stuck'), statementTimeoutMs: 200, poolSize: 1 });
    await migrateToLatest(opened.db);
    writes = groupCommit(opened.db);
  }, 60_000);
  afterAll(async () => {
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    await writes?.drain();
    await opened?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // A real timer is what is tested: the server's own timeout cannot fire in a stopped backend,
  // so the client gives up 5 s later, drops the session, and the queue goes on on a fresh one.
  it('gives up on the batch in flight, and its writes run again on a fresh session', async () => {
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(opened.db)).rows[0]!.pid;
    process.kill(pid, 'SIGSTOP');
    stopped = pid;
    const started = Date.now();
    // One batch of two units: it fails when the client gives up, and each unit runs again alone.
    const answers = await Promise.all(['first', 'second'].map((jti) => writes.write((trx) => trx.insertInto('used_jtis').values({ scope: 'stuck', jti, expires_at: 1 }).execute().then(() => jti))));
    expect(answers).toEqual(['first', 'second']);
    // One client timeout (5.2 s), not two: the ROLLBACK is not sent to the silent session.
    expect(Date.now() - started).toBeLessThan(9_500);
    const kept = await opened.db.selectFrom('used_jtis').select('jti').where('scope', '=', 'stuck').orderBy('jti').execute();
    expect(kept.map((r) => r.jti)).toEqual(['first', 'second']);
    process.kill(pid, 'SIGCONT');
    stopped = undefined;
  }, 30_000);
});
