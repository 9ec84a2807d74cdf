import type { Kysely } from 'kysely';

// Types are kept to what SQLite, PostgreSQL and its distributed cousins all accept.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meta')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('counters')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('services')
    .addColumn('api_key', 'bigint', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('jwks_sealed', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'bigint', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull().references('services.api_key').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('developer', 'varchar(256)')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clients_service_idx').on('clients').columns(['service_id', 'number']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('digest', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.references('services.api_key').onDelete('cascade'))
    .addColumn('description', 'varchar(256)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    // No foreign key: a front that runs apart from its engine keeps users of services it does not store.
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)')
    .addColumn('phone_number', 'varchar(64)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['service_id', 'subject'])
    .execute();
  await db.schema.createIndex('users_email_idx').on('users').columns(['service_id', 'email']).execute();
  await db.schema.createIndex('users_phone_idx').on('users').columns(['service_id', 'phone_number']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'api_tokens', 'clients', 'services', 'counters', 'meta']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
