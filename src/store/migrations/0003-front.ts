import type { Kysely } from 'kysely';

// The OpenID Provider front: its per-service settings, the requests waiting on a user's
// device, and the durable outbox of notifications and webhooks. No foreign keys to services:
// a front that runs apart from its engine (OPENCIBA_ENGINE_URL) does not store the services.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('front_settings')
    .addColumn('service_id', 'bigint', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('webhook_secret_sealed', 'text')
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('front_requests')
    .addColumn('auth_req_id_digest', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('client_id', 'bigint', (c) => c.notNull())
    // Sealed: the ticket completes the request, the auth_req_id redeems it.
    .addColumn('ticket_sealed', 'text', (c) => c.notNull())
    .addColumn('auth_req_id_sealed', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    // pending → allowed | denied | failed
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('front_requests_subject_idx').on('front_requests').columns(['service_id', 'subject', 'status']).execute();
  await db.schema.createIndex('front_requests_expiry_idx').on('front_requests').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    // 'ping' | 'push' | 'webhook'
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    // Sealed: bearer tokens, and push bodies that hold access tokens.
    .addColumn('authorization_sealed', 'text')
    .addColumn('body_sealed', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    // pending → delivered | failed
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_service_idx').on('outbox').columns(['service_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['outbox', 'front_requests', 'front_settings']) await db.schema.dropTable(table).ifExists().execute();
}
