import type { Kysely } from 'kysely';

// Counters that bound what one user or client may try at the front (issue 12): failed user codes
// (with a lockout) and backchannel requests per minute, shared by every node because they live
// here. Rows are small, keyed by a scope string, and carry their own expiry, so housekeeping
// removes them once they no longer count. Reservations hold a place under a user's cap on pending
// requests while a backchannel request is between the check and its device request row.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attempt_counters')
    .ifNotExists()
    .addColumn('scope', 'varchar(320)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_counters_expiry_idx').ifNotExists().on('attempt_counters').column('expires_at').execute();

  await db.schema
    .createTable('request_reservations')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_reservations_subject_idx').ifNotExists().on('request_reservations').columns(['service_id', 'subject']).execute();
  await db.schema.createIndex('request_reservations_expiry_idx').ifNotExists().on('request_reservations').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_reservations').ifExists().execute();
  await db.schema.dropTable('attempt_counters').ifExists().execute();
}
