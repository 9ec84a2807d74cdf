import { sql } from 'kysely';
import type { MetaStore } from '../ports/meta-store.js';
import type { SqlContext } from './sql-context.js';

export function kyselyMeta({ db }: SqlContext): MetaStore {
  const getMeta = async (name: string): Promise<string | undefined> => {
    const row = await db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  };
  return {
    getMeta,

    async putMetaIfAbsent(name, value) {
      await db
        .insertInto('meta')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const stored = await getMeta(name);
      if (stored === undefined) throw new Error(`meta ${name} vanished`);
      return stored;
    },

    async nextNumber(counter) {
      // One statement: insert the first value or increment, and read what was written.
      const row = await db
        .insertInto('counters')
        .values({ name: counter, value: 1 })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number(row.value);
    },
  };
}
