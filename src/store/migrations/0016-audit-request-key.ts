import { sql, type Kysely } from 'kysely';

// A transaction's audit events are found by the engine's time-ordered key of its request
// (request_key) rather than by the keyed digests of its auth_req_id and ticket. A digest is
// random, so every event used to put an entry at a random page of two indexes — a page written
// to the WAL, and again at the checkpoint, for each of a flow's five or six events, the largest
// part of what a flow wrote. Request keys grow with time: the events of the requests in flight
// share the rightmost pages. The digest indexes keep only what still needs them: the rows without
// a key (stored before this migration, or by a node that did not know the key), and, for the
// auth_req_id, the one `request.issued` event per request that ties it to its key.
// Partial indexes run on SQLite, PostgreSQL and CockroachDB alike; the queries that use them
// (store/kysely/audit-events.ts) repeat these predicates word for word, as SQLite asks.
const AUTH_REQ_LINK = sql<boolean>`request_key is null or type = 'request.issued'`;
const TICKET_LINK = sql<boolean>`request_key is null`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('request_key', 'varchar(40)').execute();
  await db.schema
    .createIndex('audit_events_request_idx')
    .ifNotExists()
    .on('audit_events')
    .columns(['service_id', 'request_key'])
    .where(sql.ref('request_key'), 'is not', null)
    .execute();
  await db.schema.dropIndex('audit_events_auth_req_idx').ifExists().execute();
  await db.schema.dropIndex('audit_events_ticket_idx').ifExists().execute();
  await db.schema
    .createIndex('audit_events_auth_req_link_idx')
    .ifNotExists()
    .on('audit_events')
    .columns(['service_id', 'auth_req_id_digest'])
    .where(AUTH_REQ_LINK)
    .execute();
  await db.schema
    .createIndex('audit_events_ticket_link_idx')
    .ifNotExists()
    .on('audit_events')
    .columns(['service_id', 'ticket_digest'])
    .where(TICKET_LINK)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_ticket_link_idx').ifExists().execute();
  await db.schema.dropIndex('audit_events_auth_req_link_idx').ifExists().execute();
  await db.schema.dropIndex('audit_events_request_idx').ifExists().execute();
  await db.schema.createIndex('audit_events_auth_req_idx').ifNotExists().on('audit_events').columns(['service_id', 'auth_req_id_digest']).execute();
  await db.schema.createIndex('audit_events_ticket_idx').ifNotExists().on('audit_events').columns(['service_id', 'ticket_digest']).execute();
  await db.schema.alterTable('audit_events').dropColumn('request_key').execute();
}
