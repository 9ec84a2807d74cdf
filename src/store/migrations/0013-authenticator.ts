import type { Kysely } from 'kysely';

// The authenticator app (issue 15): one-time enrolment codes, enrolled devices with their passkey,
// their Web Push subscriptions, single-use WebAuthn challenges, the per-service VAPID key pair,
// "this wasn't me" suspensions, and the signed approvals kept as evidence. Codes and device
// tokens are stored as keyed digests; the VAPID private key and push secrets sealed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('authenticator_enrolments')
    .ifNotExists()
    .addColumn('code_digest', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('authenticator_enrolments_expiry_idx').ifNotExists().on('authenticator_enrolments').column('expires_at').execute();

  await db.schema
    .createTable('authenticator_devices')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('label', 'varchar(128)', (c) => c.notNull())
    .addColumn('token_digest', 'varchar(64)', (c) => c.notNull().unique())
    // base64url of at most 1023 bytes (WebAuthn §7.1): one credential belongs to one user only.
    .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_count', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('backup_eligible', 'integer', (c) => c.notNull())
    .addColumn('backup_state', 'integer', (c) => c.notNull())
    .addColumn('aaguid', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('authenticator_devices_user_idx').ifNotExists().on('authenticator_devices').columns(['service_id', 'subject']).execute();

  await db.schema
    .createTable('authenticator_subscriptions')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('device_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('endpoint', 'varchar(2048)', (c) => c.notNull().unique())
    .addColumn('keys_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('authenticator_subscriptions_device_idx').ifNotExists().on('authenticator_subscriptions').column('device_id').execute();

  await db.schema
    .createTable('authenticator_challenges')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    // 'register' | 'decide'
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    // register: the challenge itself; decide: the nonce that goes into the transaction digest.
    .addColumn('value', 'varchar(128)', (c) => c.notNull())
    .addColumn('request_digest', 'varchar(64)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('authenticator_challenges_expiry_idx').ifNotExists().on('authenticator_challenges').column('expires_at').execute();

  await db.schema
    .createTable('authenticator_vapid_keys')
    .ifNotExists()
    .addColumn('service_id', 'bigint', (c) => c.primaryKey())
    .addColumn('public_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('authenticator_suspensions')
    .ifNotExists()
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('client_id', 'bigint', (c) => c.notNull())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('authenticator_suspensions_pk', ['service_id', 'subject', 'client_id'])
    .execute();

  await db.schema
    .createTable('authenticator_evidence')
    .ifNotExists()
    .addColumn('request_digest', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.notNull())
    .addColumn('device_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    // JSON: the canonical transaction, credential id, authenticator data, client data, signature.
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'authenticator_evidence',
    'authenticator_suspensions',
    'authenticator_vapid_keys',
    'authenticator_challenges',
    'authenticator_subscriptions',
    'authenticator_devices',
    'authenticator_enrolments',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
