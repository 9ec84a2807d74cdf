import type { Kysely } from 'kysely';

// Locking or deleting a user revokes everything of hers in one transaction (kysely/user-revocation.ts):
// her tokens (found by tokens.subject), her approved but unredeemed CIBA requests (by the new
// backchannel_requests.subject, written when the request is completed) and her queued push
// deliveries and device webhooks (by the new outbox.subject).
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite runs migrations outside a transaction: a rerun after a crash must find the columns there.
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string) => tables.find((t) => t.name === table)?.columns.some((c) => c.name === column) ?? false;
  if (!has('backchannel_requests', 'subject')) await db.schema.alterTable('backchannel_requests').addColumn('subject', 'varchar(255)').execute();
  if (!has('outbox', 'subject')) await db.schema.alterTable('outbox').addColumn('subject', 'varchar(255)').execute();

  // Backfill the requests that can still be redeemed: their subject is in the recorded grant.
  // Outbox bodies are sealed, so older queued rows keep null; they expire with their request, and
  // the tokens a push row carries are revoked with the rest.
  // They are few (an authorized request lives minutes), so they are read here rather than with
  // each database's own JSON functions.
  const authorized = await db.selectFrom('backchannel_requests').select(['id', 'result']).where('status', '=', 'authorized').where('subject', 'is', null).execute();
  for (const row of authorized as { id: string; result: string | null }[]) {
    const subject = grantSubjectOf(row.result);
    if (subject !== undefined) await db.updateTable('backchannel_requests').set({ subject }).where('id', '=', row.id).execute();
  }

  await db.schema.createIndex('backchannel_requests_subject_idx').ifNotExists().on('backchannel_requests').columns(['service_id', 'subject', 'status']).execute();
  await db.schema.createIndex('outbox_subject_idx').ifNotExists().on('outbox').columns(['service_id', 'subject', 'status']).execute();
  await db.schema.createIndex('tokens_subject_idx').ifNotExists().on('tokens').columns(['service_id', 'subject']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tokens_subject_idx').ifExists().execute();
  await db.schema.dropIndex('outbox_subject_idx').ifExists().execute();
  await db.schema.dropIndex('backchannel_requests_subject_idx').ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('subject').execute();
  await db.schema.alterTable('backchannel_requests').dropColumn('subject').execute();
}

function grantSubjectOf(result: string | null): string | undefined {
  try {
    const subject = (JSON.parse(result ?? 'null') as { grant?: { subject?: unknown } } | null)?.grant?.subject;
    return typeof subject === 'string' && subject !== '' ? subject : undefined;
  } catch {
    return undefined;
  }
}
