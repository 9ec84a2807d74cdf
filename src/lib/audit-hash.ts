import { createHash } from 'node:crypto';

/** The prevHash of a service's first event: nothing came before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a stored audit event that its hash covers: every column but the hash itself. */
export interface HashedAuditFields {
  id: string;
  serviceId: number;
  seq: number;
  at: number;
  type: string;
  authReqIdDigest: string | null;
  authReqIdSealed: string | null;
  ticketDigest: string | null;
  clientId: string | null;
  subject: string | null;
  /** The stored JSON text, hashed as stored so that re-encoding cannot change a hash. */
  data: string;
  prevHash: string;
  /**
   * The CIBA request's time-ordered key, that the trail finds a transaction's events by. Covered
   * when present; absent (or null) in rows stored before it existed, whose hashes stand as they were.
   */
  requestKey?: string | null;
}

/** The covered fields in sorted order: the member order of their canonical JSON (canonical-json.ts). */
const COVERED = ['at', 'authReqIdDigest', 'authReqIdSealed', 'clientId', 'data', 'id', 'prevHash', 'requestKey', 'seq', 'serviceId', 'subject', 'ticketDigest', 'type'] as const;
/** Covered only when it has a value (see HashedAuditFields.requestKey). */
const WHEN_PRESENT: ReadonlySet<string> = new Set(['requestKey']);

/**
 * SHA-256 (hex) over sorted-key JSON of the event's fields and the previous event's hash: the
 * same bytes on every node and in every dialect, whatever order a driver returns columns in.
 * The members are fixed and flat, so the canonical text is written member by member in their
 * sorted order — byte for byte what canonicalJson gives for the same object (a test holds the
 * two equal), without sorting every event's keys while its batch holds the database.
 */
export function auditEventHash(fields: HashedAuditFields): string {
  // Named one by one: a caller's object may carry more (the stored hash itself), which must not count.
  let text = '';
  for (const key of COVERED) {
    const value = fields[key];
    if (value === undefined || (value === null && WHEN_PRESENT.has(key))) continue;
    text += `${text === '' ? '{' : ','}"${key}":${value === null ? 'null' : JSON.stringify(value)}`;
  }
  return createHash('sha256').update(text === '' ? '{}' : `${text}}`).digest('hex');
}
