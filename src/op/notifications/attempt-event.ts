import type { AuditEventInput, OutboxRecord } from '../../store/ports.js';

/**
 * The `notification.attempt` event of one delivery. The row names its transaction only inside its
 * sealed body: a ping or push carries the auth_req_id, the device webhook the ticket. Neither
 * the body nor a token in it goes into the event.
 */
export function notificationAttemptEvent(row: OutboxRecord, body: string | Buffer, attempt: number, outcome: 'delivered' | 'retry' | 'failed', status: number | undefined): AuditEventInput {
  const named = transactionOf(body);
  return {
    serviceId: row.serviceId,
    type: 'notification.attempt',
    ...named,
    ...(row.clientId !== undefined ? { clientId: String(row.clientId) } : {}),
    ...(row.subject ? { subject: row.subject } : {}),
    data: { attempt, ...(status !== undefined ? { status } : {}), outcome, kind: row.kind },
  };
}

function transactionOf(body: string | Buffer): { authReqId?: string; ticket?: string } {
  // A Web Push body is encrypted for the device (RFC 8291) and names no transaction in clear.
  if (typeof body !== 'string') return {};
  try {
    const parsed = JSON.parse(body) as { auth_req_id?: unknown; ticket?: unknown };
    if (typeof parsed.auth_req_id === 'string') return { authReqId: parsed.auth_req_id };
    if (typeof parsed.ticket === 'string') return { ticket: parsed.ticket };
  } catch {
    // Not JSON: nothing names the transaction.
  }
  return {};
}
