import type { Selectable } from 'kysely';
import type { BackchannelRequestRecord, BackchannelStatus } from '../ports/backchannel-request-store.js';
import type { BackchannelRequestsTable } from '../schema.js';

export function backchannelRow(r: BackchannelRequestRecord): BackchannelRequestsTable {
  return {
    id: r.id,
    ticket_digest: r.ticketDigest,
    auth_req_id_digest: r.authReqIdDigest,
    auth_req_id_sealed: r.authReqIdSealed,
    service_id: r.serviceId,
    client_id: r.clientId,
    status: r.status,
    delivery_mode: r.deliveryMode,
    request: JSON.stringify(r.request),
    result: r.result === null ? null : JSON.stringify(r.result),
    // Known once an AUTHORIZED completion names the user (kysely/completion.ts).
    subject: null,
    interval: r.interval,
    last_polled_at: r.lastPolledAt,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

export function toBackchannel(row: Selectable<BackchannelRequestsTable>): BackchannelRequestRecord {
  return {
    id: row.id,
    ticketDigest: row.ticket_digest,
    authReqIdDigest: row.auth_req_id_digest,
    authReqIdSealed: row.auth_req_id_sealed,
    serviceId: Number(row.service_id),
    clientId: Number(row.client_id),
    status: row.status as BackchannelStatus,
    deliveryMode: row.delivery_mode as BackchannelRequestRecord['deliveryMode'],
    request: JSON.parse(row.request) as Record<string, unknown>,
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
    interval: Number(row.interval),
    lastPolledAt: row.last_polled_at === null ? null : Number(row.last_polled_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}
