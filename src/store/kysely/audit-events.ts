import type { AuditEventStore } from '../ports/audit-event-store.js';
import { toAuditEvent } from './audit-rows.js';
import { auditAppendTail } from './audit-append.js';
import { kyselyAuditChain } from './audit-chain.js';
import type { SqlContext } from './sql-context.js';

type Reads = Omit<AuditEventStore, 'chainAuditEvents' | 'purgeAuditEvents'>;

/** Appending and reading the audit trail; linking and purging are in audit-chain.ts. */
export function kyselyAuditEvents(context: SqlContext): AuditEventStore {
  const { db } = context;
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
      if (filter.authReqIdDigest !== undefined) query = query.where('auth_req_id_digest', '=', filter.authReqIdDigest);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
      return (await query.orderBy('id').limit(filter.limit).execute()).map(toAuditEvent);
    },
    async transactionAuditEvents(serviceId, authReqIdDigest) {
      // The ticket is what ties the events before /issue to the auth_req_id /issue gave out.
      const tickets = db
        .selectFrom('audit_events')
        .select('ticket_digest')
        .where('service_id', '=', serviceId)
        .where('auth_req_id_digest', '=', authReqIdDigest)
        .where('ticket_digest', 'is not', null);
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where((eb) => eb.or([eb('auth_req_id_digest', '=', authReqIdDigest), eb('ticket_digest', 'in', tickets)]))
        .orderBy('id')
        .execute();
      return rows.map(toAuditEvent);
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
