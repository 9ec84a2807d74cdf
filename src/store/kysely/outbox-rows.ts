import type { Kysely, Selectable } from 'kysely';
import type { OutboxRecord } from '../ports/outbox-store.js';
import type { Database, OutboxTable } from '../schema.js';

export function outboxRow(r: OutboxRecord): OutboxTable {
  return {
    id: r.id,
    service_id: r.serviceId,
    client_id: r.clientId ?? null,
    subject: r.subject ?? null,
    kind: r.kind,
    endpoint: r.endpoint,
    authorization_sealed: r.authorizationSealed,
    body_sealed: r.bodySealed,
    summary: JSON.stringify(r.summary),
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.nextAttemptAt,
    claimed_until: r.claimedUntil,
    last_error: r.lastError,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    finished_at: r.finishedAt,
  };
}

export function toOutbox(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: row.id,
    serviceId: Number(row.service_id),
    ...(row.client_id === null || row.client_id === undefined ? {} : { clientId: Number(row.client_id) }),
    ...(row.subject === null || row.subject === undefined ? {} : { subject: row.subject }),
    kind: row.kind as OutboxRecord['kind'],
    endpoint: row.endpoint,
    authorizationSealed: row.authorization_sealed,
    bodySealed: row.body_sealed,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    status: row.status as OutboxRecord['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    claimedUntil: row.claimed_until === null ? null : Number(row.claimed_until),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** Writes one notification (within a completion's transaction, or on its own). */
export async function insertOutbox(db: Kysely<Database>, record: OutboxRecord): Promise<void> {
  await db.insertInto('outbox').values(outboxRow(record)).execute();
}

/**
 * Fails the pending deliveries of one client or one user of a service at `now`, with `reason` as
 * their last error: failed rather than dropped, so operators see why they never went.
 */
export async function cancelPendingOutbox(
  db: Kysely<Database>,
  serviceId: number,
  owner: { client_id: number } | { subject: string },
  now: number,
  reason: string,
): Promise<void> {
  const [column, value] = 'client_id' in owner ? (['client_id', owner.client_id] as const) : (['subject', owner.subject] as const);
  await db
    .updateTable('outbox')
    .set({ status: 'failed', finished_at: now, last_error: reason, claimed_until: null })
    .where('service_id', '=', serviceId)
    .where(column, '=', value)
    .where('status', '=', 'pending')
    .execute();
}
