import type { Kysely } from 'kysely';

// The console polls a service's requests newest first (contract C, every few seconds while the
// page is open): this index serves that order and its keyset paging (created_at, then digest)
// without sorting the service's whole history on each poll.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('front_requests_listing_idx')
    .ifNotExists()
    .on('front_requests')
    .columns(['service_id', 'created_at', 'auth_req_id_digest'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('front_requests_listing_idx').ifExists().execute();
}
