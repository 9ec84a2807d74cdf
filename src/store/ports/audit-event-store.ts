import type { HashedAuditFields } from '../../lib/audit-hash.js';

/**
 * The audit trail (issue 14): events each service's CIBA transactions and administration leave,
 * appended through one sink and linked into a hash chain per service as they are stored.
 */

/** An event as its emitter reports it (contract A's AuditEventRecord, plus the ticket that ties pre-/issue events to a transaction). */
export interface AuditEventRecord {
  serviceId: number;
  type: string;
  /** Epoch ms; the sink fills it from its clock when absent. */
  at: number;
  authReqId?: string;
  clientId?: string;
  subject?: string;
  data: Record<string, unknown>;
}

export type AuditEventInput = Omit<AuditEventRecord, 'at'> & {
  at?: number;
  /** The engine's ticket, before an auth_req_id exists; stored only as a keyed digest. */
  ticket?: string;
  /**
   * The key of the engine's record of the CIBA request, where the emitter has it: the sink
   * remembers it for the request's auth_req_id and ticket, so that the events that name only
   * those (the front's) get it too.
   */
  requestKey?: string;
};

/** Sees every event after it is stored (metrics, for one). A listener must not throw or block. */
export type AuditListener = (event: AuditEventRecord) => void;

/** The one way events are emitted: stored, logged as a JSON line, and handed to the listeners. */
export interface AuditSink {
  /** Stores the event; resolves once its transaction committed (and rejects if it did not). */
  record(event: AuditEventInput): Promise<void>;
  /**
   * Stores the event with the writes queued now, without waiting for its commit: for events
   * emitted while an answer is being made (an HTTP request, an in-process API call). The answer
   * waits for `settled()` before it goes out (server/audit/answer-barrier.ts, sdk/in-process.ts),
   * so an answer still follows its events to disk; a request's later steps need not wait for a
   * commit of each. An event that cannot be stored is logged in full, at error level.
   */
  queue(event: AuditEventInput): void;
  /** Resolves once every event queued so far has been stored (or failed); undefined if none is outstanding. */
  settled(): Promise<void> | undefined;
  /** Adds a listener that sees every event this node stores from now on. */
  listen(listener: AuditListener): void;
}

/**
 * An event row as stored: the fields its hash covers (lib/audit-hash.ts), and the link (null in
 * rows an earlier version stored unlinked, until the chainer links them).
 */
export interface StoredAuditEvent extends Omit<HashedAuditFields, 'seq' | 'prevHash' | 'requestKey'> {
  seq: number | null;
  requestKey: string | null;
  prevHash: string | null;
  hash: string | null;
}

export interface AuditEventFilter {
  types?: string[];
  since?: number;
  until?: number;
  authReqIdDigest?: string;
  clientId?: string;
  /** Events after this id (the paging cursor). */
  afterId?: string;
  limit: number;
}

export interface AuditChainHead {
  seq: number;
  hash: string;
}

export interface AuditChainLag {
  unlinked: number;
  oldestUnlinkedAt: number | null;
}

export interface AuditEventStore {
  /**
   * Stores the event linked into its service's chain (its seq and hashes are set here, whatever
   * it carries), in the next group-commit transaction; resolves once that committed.
   */
  appendAuditEvent(event: StoredAuditEvent): Promise<void>;
  /** Oldest first (by id), at most `limit`. */
  listAuditEvents(serviceId: number, filter: AuditEventFilter): Promise<StoredAuditEvent[]>;
  /** Every event of one transaction: those carrying the auth_req_id and those carrying its ticket. Oldest first. */
  transactionAuditEvents(serviceId: number, authReqIdDigest: string): Promise<StoredAuditEvent[]>;
  /** Chained events with `fromSeq <= seq`, by seq, at most `limit`. */
  chainedAuditEvents(serviceId: number, fromSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  auditChainHead(serviceId: number): Promise<AuditChainHead | undefined>;
  /** How many of the service's events wait for the chainer. */
  countUnchainedAuditEvents(serviceId: number): Promise<number>;
  /** Services with events waiting for the chainer. */
  servicesWithUnchainedAuditEvents(limit: number): Promise<number[]>;
  /** The chainer's lag over every service: how many events wait to be linked, and the oldest one's time (null when none waits). */
  auditChainLag(): Promise<AuditChainLag>;
  /**
   * Links up to `batch` unchained events of the service, oldest first, after its head. Returns
   * how many; 0 also when another chainer extended the chain meanwhile (its work stands, ours is
   * rolled back and retried on the next pass).
   */
  chainAuditEvents(serviceId: number, batch: number): Promise<number>;
  /**
   * Deletes the service's chained events up to the last one older than `before`, and in the same
   * transaction appends a chained `audit.checkpoint` naming the last purged seq and its hash, so
   * that the chain still verifies from the first kept event. Returns how many were deleted.
   */
  purgeAuditEvents(serviceId: number, before: number, checkpoint: { id: string; at: number }): Promise<number>;
  /** Services that have a chain (for retention). */
  auditedServices(): Promise<number[]>;
}
