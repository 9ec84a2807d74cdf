import { sql, type Kysely } from 'kysely';

// The chainer asks "which services have unlinked events" several times a second, and the
// readiness check how many wait: over the whole trail that is a scan that grows with it (tens of
// milliseconds at a few hundred thousand events, holding SQLite's one connection). A partial
// index holds only the unlinked rows, a few seconds' worth, so both questions stay small.
// Partial indexes run on SQLite, PostgreSQL and CockroachDB alike.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('audit_events_unlinked_idx')
    .ifNotExists()
    .on('audit_events')
    .columns(['service_id', 'at'])
    .where(sql.ref('seq'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_unlinked_idx').ifExists().execute();
}
