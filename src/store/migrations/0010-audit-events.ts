import type { Kysely } from 'kysely';

// The audit trail (issue 14): an append-only log per service. Rows are inserted unchained (seq,
// prev_hash and hash null) so the hot path never waits on a per-service lock; a chainer links
// them in order afterwards (store/kysely/audit-chain.ts says why). audit_heads holds each
// service's last link, updated by compare-and-swap, so two chainers on two nodes cannot both
// extend the same chain.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .ifNotExists()
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('auth_req_id_digest', 'varchar(64)')
    .addColumn('auth_req_id_sealed', 'text')
    .addColumn('ticket_digest', 'varchar(64)')
    .addColumn('client_id', 'varchar(64)')
    .addColumn('subject', 'varchar(255)')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'varchar(64)')
    .addColumn('hash', 'varchar(64)')
    .execute();
  await db.schema.createIndex('audit_events_service_idx').ifNotExists().on('audit_events').columns(['service_id', 'id']).execute();
  await db.schema.createIndex('audit_events_seq_idx').ifNotExists().on('audit_events').columns(['service_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_auth_req_idx').ifNotExists().on('audit_events').columns(['service_id', 'auth_req_id_digest']).execute();
  await db.schema.createIndex('audit_events_ticket_idx').ifNotExists().on('audit_events').columns(['service_id', 'ticket_digest']).execute();

  await db.schema
    .createTable('audit_heads')
    .ifNotExists()
    .addColumn('service_id', 'bigint', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_heads').ifExists().execute();
  await db.schema.dropTable('audit_events').ifExists().execute();
}
