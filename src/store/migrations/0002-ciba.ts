import type { Kysely } from 'kysely';

// CIBA transactions, issued tokens and used JWT ids.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backchannel_requests')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('ticket_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('auth_req_id_digest', 'varchar(64)', (c) => c.unique())
    // Sealed, for the ping and push notifications that must carry it.
    .addColumn('auth_req_id_sealed', 'text')
    .addColumn('service_id', 'bigint', (c) => c.notNull().references('services.api_key').onDelete('cascade'))
    .addColumn('client_id', 'bigint', (c) => c.notNull())
    // identified → issued → authorized | denied | failed → consumed
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('delivery_mode', 'varchar(8)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('interval', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('backchannel_requests_expiry_idx').on('backchannel_requests').column('expires_at').execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('access_token_digest', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('refresh_token_digest', 'varchar(64)', (c) => c.unique())
    .addColumn('service_id', 'bigint', (c) => c.notNull().references('services.api_key').onDelete('cascade'))
    .addColumn('client_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)')
    // The CIBA transaction the tokens came from: a replayed auth_req_id revokes them.
    .addColumn('grant_id', 'varchar(64)')
    .addColumn('grant_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('refresh_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_grant_idx').on('tokens').column('grant_id').execute();
  await db.schema.createIndex('tokens_expiry_idx').on('tokens').column('access_expires_at').execute();

  await db.schema
    .createTable('used_jtis')
    .addColumn('scope', 'varchar(96)', (c) => c.notNull())
    .addColumn('jti', 'varchar(256)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('used_jtis_pk', ['scope', 'jti'])
    .execute();
  await db.schema.createIndex('used_jtis_expiry_idx').on('used_jtis').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['used_jtis', 'tokens', 'backchannel_requests']) await db.schema.dropTable(table).ifExists().execute();
}
