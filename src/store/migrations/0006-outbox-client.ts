import type { Kysely } from 'kysely';

// The client a notification is for (ping, push) or about (the device webhook), so that deleting
// the client cancels its queued deliveries in the same transaction. Rows queued before this
// migration keep null: the only link to their client is the auth_req_id inside the sealed body,
// which SQL cannot open. They are few and short-lived (they expire with their request), and their
// client's requests and tokens are gone with the client, so such a delivery carries nothing usable.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite runs migrations outside a transaction: a rerun after a crash must find the column there.
  const tables = await db.introspection.getTables();
  const outbox = tables.find((t) => t.name === 'outbox');
  if (!outbox?.columns.some((c) => c.name === 'client_id')) {
    await db.schema.alterTable('outbox').addColumn('client_id', 'bigint').execute();
  }
  await db.schema.createIndex('outbox_client_idx').ifNotExists().on('outbox').columns(['service_id', 'client_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_client_idx').ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('client_id').execute();
}
