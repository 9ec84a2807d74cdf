import type { Selectable } from 'kysely';
import type { AuditEventsTable } from '../schema.js';
import type { StoredAuditEvent } from '../ports/audit-event-store.js';

export function toAuditEvent(row: Selectable<AuditEventsTable>): StoredAuditEvent {
  return {
    id: row.id,
    serviceId: Number(row.service_id),
    seq: row.seq === null ? null : Number(row.seq),
    at: Number(row.at),
    type: row.type,
    authReqIdDigest: row.auth_req_id_digest,
    authReqIdSealed: row.auth_req_id_sealed,
    ticketDigest: row.ticket_digest,
    clientId: row.client_id,
    subject: row.subject,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
    requestKey: row.request_key ?? null,
  };
}

export function auditEventRow(event: StoredAuditEvent): AuditEventsTable {
  return {
    id: event.id,
    service_id: event.serviceId,
    seq: event.seq,
    at: event.at,
    type: event.type,
    auth_req_id_digest: event.authReqIdDigest,
    auth_req_id_sealed: event.authReqIdSealed,
    ticket_digest: event.ticketDigest,
    client_id: event.clientId,
    subject: event.subject,
    data: event.data,
    prev_hash: event.prevHash,
    hash: event.hash,
    request_key: event.requestKey,
  };
}
