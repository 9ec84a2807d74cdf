import type { Page } from './page.js';

/** `webpush`: a Web Push message to an authenticator device (RFC 8030), encrypted when it is sent. */
export type OutboxKind = 'ping' | 'push' | 'webhook' | 'webpush';

export interface OutboxRecord {
  id: string;
  serviceId: number;
  /**
   * The client the notification is for (ping, push) or about (the device webhook): deleting the
   * client cancels its pending rows. Absent on rows queued before the store recorded it.
   */
  clientId?: number;
  /**
   * The user whose tokens the row carries (push) or whose request it is about (the device
   * webhook): locking or deleting her cancels the pending row. Absent on other rows.
   */
  subject?: string;
  kind: OutboxKind;
  endpoint: string;
  /** Sealed `Authorization` header value, if any. */
  authorizationSealed: string | null;
  bodySealed: string;
  /** What operators may see: no tokens. */
  summary: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

/** What the notification dispatcher needs: leasing due rows and recording each attempt. */
export interface OutboxQueue {
  /** Leases due pending rows until `leaseUntil`; each row goes to one claimer (SKIP LOCKED on PostgreSQL). */
  claimDueOutbox(now: number, leaseUntil: number, limit: number): Promise<OutboxRecord[]>;
  finishOutbox(id: string, status: 'delivered' | 'failed', attempts: number, now: number, error: string | null): Promise<void>;
  retryOutbox(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  /**
   * Moves the lease of rows this claimer still holds (their lease is still `heldUntil`) to
   * `leaseUntil`; returns the ids it renewed. A row another claimer took meanwhile is left alone.
   */
  renewOutboxLeases(ids: string[], heldUntil: number, leaseUntil: number): Promise<string[]>;
  /** Gives up rows this claimer still holds (lease `heldUntil`), so another claimer may take them at once. */
  releaseOutboxLeases(ids: string[], heldUntil: number): Promise<void>;
}

/** The queue at a glance, for the metrics: rows due now and when the oldest of them fell due. */
export interface OutboxBacklog {
  due: number;
  oldestDueAt: number | null;
}

/** The notification outbox: written to by the front, drained by the dispatcher, read by operators. */
export interface OutboxStore extends OutboxQueue {
  enqueueOutbox(record: OutboxRecord): Promise<void>;
  listOutbox(serviceId: number, start: number, end: number): Promise<Page<OutboxRecord>>;
  /** Pending rows due at `now`, leased or not (one aggregate over the due-time index). */
  outboxBacklog(now: number): Promise<OutboxBacklog>;
}
