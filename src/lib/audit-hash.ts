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
}

/**
 * SHA-256 (hex) over sorted-key JSON of the event's fields and the previous event's hash: the
 * same bytes on every node and in every dialect, whatever order a driver returns columns in.
 */
export function auditEventHash(fields: HashedAuditFields): string {
  // Named one by one: a caller's object may carry more (the stored hash itself), which must not count.
  const { id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash } = fields;
  const covered = { id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values have one encoding. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
