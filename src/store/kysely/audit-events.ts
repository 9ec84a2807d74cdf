import { sql } from 'kysely';
import type { AuditEventStore } from '../ports/audit-event-store.js';
import { toAuditEvent } from './audit-rows.js';
import { auditAppendTail } from './audit-append.js';
import { kyselyAuditChain } from './audit-chain.js';
import type { SqlContext } from './sql-context.js';

// The partial indexes' predicates (0016), word for word: SQLite uses a partial index only for a
// query whose WHERE holds the index's own terms.
const AUTH_REQ_LINK_TERM = sql<boolean>`(request_key is null or type = 'request.issued')`;
const TICKET_LINK_TERM = sql<boolean>`(request_key is null)`;

type Reads = Omit<AuditEventStore, 'chainAuditEvents' | 'purgeAuditEvents'>;

/** Appending and reading the audit trail; linking and purging are in audit-chain.ts. */
export function kyselyAuditEvents(context: SqlContext): AuditEventStore {
  const { db } = context;
  /** Every row of one CIBA transaction, by id: those naming its auth_req_id, its key, or (stored without a key) its ticket. */
  const transactionRows = async (serviceId: number, authReqIdDigest: string) => {
    // The rows that tie the auth_req_id to the rest (the link index, 0016): its request.issued
    // event, which carries the request's key and its ticket, and any row stored without a key.
    const linked = await db.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('auth_req_id_digest', '=', authReqIdDigest).where(AUTH_REQ_LINK_TERM).execute();
    const byId = new Map(linked.map((row) => [row.id, row]));
    for (const key of new Set(linked.map((row) => row.request_key).filter((k): k is string => k !== null))) {
      const rows = await db.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('request_key', '=', key).execute();
      for (const row of rows) byId.set(row.id, row);
    }
    // The ticket ties the events before /issue that were stored without a key to the auth_req_id.
    const tickets = [...new Set(linked.map((row) => row.ticket_digest).filter((t): t is string => t !== null))];
    if (tickets.length > 0) {
      const rows = await db.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('ticket_digest', 'in', tickets).where(TICKET_LINK_TERM).execute();
      for (const row of rows) byId.set(row.id, row);
    }
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  // Appended through group commit: linked into the chain in the batch that stores them (audit-append.ts).
  const tail = auditAppendTail(context);
  const reads: Reads = {
    async appendAuditEvent(e) {
      await context.writes.append(tail, e);
    },
    async listAuditEvents(serviceId, filter) {
      let query = db.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId);
      if (filter.types && filter.types.length > 0) query = query.where('type', 'in', filter.types);
      if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('at', '<', filter.until);
      if (filter.authReqIdDigest !== undefined) {
        // The events naming one auth_req_id are a handful, found through the request's key and
        // the digest's link index; the other filters and the paging then apply to those ids.
        const ids = (await transactionRows(serviceId, filter.authReqIdDigest)).filter((row) => row.auth_req_id_digest === filter.authReqIdDigest).map((row) => row.id);
        if (ids.length === 0) return [];
        query = query.where('id', 'in', ids);
      }
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
      return (await query.orderBy('id').limit(filter.limit).execute()).map(toAuditEvent);
    },
    async transactionAuditEvents(serviceId, authReqIdDigest) {
      return (await transactionRows(serviceId, authReqIdDigest)).map(toAuditEvent);
    },
    async chainedAuditEvents(serviceId, fromSeq, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
      return rows.map(toAuditEvent);
    },
    async auditChainHead(serviceId) {
      const row = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('service_id', '=', serviceId).executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
    },
    async countUnchainedAuditEvents(serviceId) {
      const row = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('service_id', '=', serviceId).where('seq', 'is', null).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async auditChainLag() {
      const row = await db.selectFrom('audit_events').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')]).where('seq', 'is', null).executeTakeFirst();
      const oldest = row?.oldest;
      return { unlinked: Number(row?.n ?? 0), oldestUnlinkedAt: oldest === null || oldest === undefined ? null : Number(oldest) };
    },
    async servicesWithUnchainedAuditEvents(limit) {
      // Grouped with min(at) so that only the partial index of unlinked rows (0015) covers the
      // query: a plain DISTINCT is answered by scanning (service_id, seq), the whole trail.
      const rows = await db
        .selectFrom('audit_events')
        .select((eb) => ['service_id', eb.fn.min('at').as('oldest')])
        .where('seq', 'is', null)
        .groupBy('service_id')
        .limit(limit)
        .execute();
      return rows.map((r) => Number(r.service_id));
    },
    async auditedServices() {
      const rows = await db.selectFrom('audit_heads').select('service_id').execute();
      return rows.map((r) => Number(r.service_id));
    },
  };
  return { ...reads, ...kyselyAuditChain(context) };
}
