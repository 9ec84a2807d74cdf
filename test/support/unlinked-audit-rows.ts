import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

/**
 * Rows as an earlier version stored its audit events: inserted unlinked (seq and hashes null),
 * for its chainer to link later. Today's store links every event it stores (audit-append.ts);
 * such rows are what a database upgraded in place — or a cluster in a rolling upgrade — still
 * holds, and what the chainer, its lag metrics and `audit verify`'s unlinked tail are about.
 */
export async function insertUnlinkedAuditRows(db: Kysely<Database>, serviceId: number, count: number, at: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${String(at).padStart(15, '0')}-${String(i).padStart(6, '0')}-${randomBytes(6).toString('base64url')}`);
  await db
    .insertInto('audit_events')
    .values(ids.map((id, i) => ({
      id, service_id: serviceId, seq: null, at, type: 'user.unknown', auth_req_id_digest: null, auth_req_id_sealed: null,
      ticket_digest: null, client_id: null, subject: null, data: JSON.stringify({ hintType: 'LOGIN_HINT', legacy: i }), prev_hash: null, hash: null,
    })))
    .execute();
  return ids;
}
