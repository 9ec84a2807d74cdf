import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { groupCommit, type BatchTail, type GroupCommit } from '../../src/store/group-commit.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

describe.each(DIALECTS)('group commit on %s', (dialect) => {
  let dataDir: string;
  let opened: OpenedDatabase;
  /** A second connection to the same database: it sees only what was committed. */
  let other: OpenedDatabase;
  let writes: GroupCommit<Database>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-group-'));
    const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    opened = openDatabase({ dataDir, databaseUrl });
    await migrateToLatest(opened.db);
    other = openDatabase({ dataDir, databaseUrl });
    writes = groupCommit(opened.db);
  });
  afterAll(async () => {
    await writes?.drain();
    await other?.close();
    await opened?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const insertJti = (scope: string, jti: string) => writes.write((trx) => trx.insertInto('used_jtis').values({ scope, jti, expires_at: 1 }).execute().then(() => jti));
  const committed = async (scope: string) =>
    (await other.db.selectFrom('used_jtis').select('jti').where('scope', '=', scope).orderBy('jti').execute()).map((r) => r.jti);

  it('writes queued in one turn share one transaction, and each answer comes after its commit', async () => {
    const before = writes.stats();
    const jtis = Array.from({ length: 20 }, (_, i) => `j${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(jtis.map(async (jti) => {
      const value = await insertJti('shared', jti);
      // Resolved: another connection sees it already.
      const seen = await other.db.selectFrom('used_jtis').select('jti').where('scope', '=', 'shared').where('jti', '=', jti).executeTakeFirst();
      return { value, seen: seen?.jti };
    }));
    expect(answers).toEqual(jtis.map((jti) => ({ value: jti, seen: jti })));
    const after = writes.stats();
    expect(after.batches - before.batches).toBe(1);
    expect(after.batchedUnits - before.batchedUnits).toBe(20);
  });

  it('a failing unit fails only its own caller, and none of its writes is kept', async () => {
    await insertJti('fail', 'taken');
    const before = writes.stats();
    const results = await Promise.allSettled([
      insertJti('fail', 'a'),
      // Writes one row, then fails on a duplicate: neither may remain.
      writes.write(async (trx) => {
        await trx.insertInto('used_jtis').values({ scope: 'fail', jti: 'half', expires_at: 1 }).execute();
        await trx.insertInto('used_jtis').values({ scope: 'fail', jti: 'taken', expires_at: 1 }).execute();
      }),
      insertJti('fail', 'b'),
      // Not a database error at all.
      writes.write(async () => {
        throw new Error('refused by the unit');
      }),
      insertJti('fail', 'c'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
    expect(String((results[3] as PromiseRejectedResult).reason)).toContain('refused by the unit');
    expect(await committed('fail')).toEqual(['a', 'b', 'c', 'taken']);
    expect(writes.stats().retriedBatches - before.retriedBatches).toBe(1);
  });

  it('a unit that catches its own failed statement does not take the others with it', async () => {
    await insertJti('caught', 'taken');
    const results = await Promise.allSettled([
      insertJti('caught', 'x'),
      insertJti('caught', 'y'),
      // Last in the batch, so that no later statement would reveal an aborted PostgreSQL transaction.
      writes.write(async (trx) => {
        try {
          await trx.insertInto('used_jtis').values({ scope: 'caught', jti: 'taken', expires_at: 1 }).execute();
          return 'inserted';
        } catch {
          return 'duplicate';
        }
      }),
    ]);
    expect(results.slice(0, 2)).toEqual([{ status: 'fulfilled', value: 'x' }, { status: 'fulfilled', value: 'y' }]);
    // What it would get alone: SQLite goes on after a failed statement; on PostgreSQL the
    // transaction is aborted and its commit is reported as rolled back.
    if (dialect === 'sqlite') expect(results[2]).toEqual({ status: 'fulfilled', value: 'duplicate' });
    else expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/rolled back/);
    expect(await committed('caught')).toEqual(['taken', 'x', 'y']);
  });

  it('a single statement alone runs without a transaction of its own, and is committed when answered', async () => {
    const before = writes.stats();
    const one = (jti: string) => writes.write((trx) => trx.insertInto('used_jtis').values({ scope: 'one', jti, expires_at: 1 }).execute(), { oneStatement: true });
    await one('s1');
    expect(await committed('one')).toEqual(['s1']);
    // Failing alone fails alone; in a batch it is a unit like any other.
    await expect(one('s1')).rejects.toThrow(/unique|duplicate/i);
    const together = await Promise.allSettled([one('s2'), one('s1'), one('s3')]);
    expect(together.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await committed('one')).toEqual(['s1', 's2', 's3']);
    expect(writes.stats().batches - before.batches).toBe(0);
    expect(writes.stats().retriedBatches - before.retriedBatches).toBe(1);
  });

  it('a flood of writes is cut into bounded batches, all committed', async () => {
    const before = writes.stats();
    const n = 1000;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => insertJti('flood', `f${String(i).padStart(4, '0')}`)));
    expect(answers).toHaveLength(n);
    expect(await committed('flood')).toHaveLength(n);
    const after = writes.stats();
    expect(after.batchedUnits - before.batchedUnits).toBe(n);
    // At most 128 units per transaction.
    expect(after.batches - before.batches).toBeGreaterThanOrEqual(Math.ceil(n / 128));
  });

  it('writes queued while a batch commits go into the next one; drain waits for all', async () => {
    const first = insertJti('waves', 'w1');
    // Queued during the first batch (which starts after this turn).
    const second = new Promise<string>((resolve, reject) => setImmediate(() => insertJti('waves', 'w2').then(resolve, reject)));
    await writes.drain();
    await expect(Promise.all([first, second])).resolves.toEqual(['w1', 'w2']);
    expect(await committed('waves')).toEqual(['w1', 'w2']);
  });

  it("a tail runs once per batch, after the batch's units, with its items in queue order", async () => {
    const runs: { items: string[]; unitsSeen: string[] }[] = [];
    const tail: BatchTail<Database, string> = {
      async run(trx, items) {
        // The units of the same batch have already written, in this transaction.
        const unitsSeen = (await trx.selectFrom('used_jtis').select('jti').where('scope', '=', 'tail-unit').orderBy('jti').execute()).map((r) => r.jti);
        runs.push({ items, unitsSeen });
        for (const jti of items) await trx.insertInto('used_jtis').values({ scope: 'tail', jti, expires_at: 1 }).execute();
      },
    };
    const before = writes.stats();
    await Promise.all([
      writes.append(tail, 't1'),
      insertJti('tail-unit', 'u1'),
      writes.append(tail, 't2'),
      insertJti('tail-unit', 'u2'),
      writes.append(tail, 't3'),
    ]);
    expect(runs).toEqual([{ items: ['t1', 't2', 't3'], unitsSeen: ['u1', 'u2'] }]);
    expect(await committed('tail')).toEqual(['t1', 't2', 't3']);
    expect(writes.stats().batches - before.batches).toBe(1);
  });

  it('when a unit fails, the tail items are stored alone; a failing tail fails only its own items', async () => {
    await insertJti('tail-fail', 'taken');
    const tail: BatchTail<Database, string> = {
      async run(trx, items) {
        if (items.includes('bad')) throw new Error('refused by the tail');
        for (const jti of items) await trx.insertInto('used_jtis').values({ scope: 'tail-fail', jti, expires_at: 1 }).execute();
      },
    };
    const results = await Promise.allSettled([
      writes.append(tail, 'k1'),
      insertJti('tail-fail', 'taken'),
      writes.append(tail, 'bad'),
      insertJti('tail-fail', 'u'),
      writes.append(tail, 'k2'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toContain('refused by the tail');
    expect(await committed('tail-fail')).toEqual(['k1', 'k2', 'taken', 'u']);
  });
});
