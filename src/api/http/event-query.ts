import type { Keyring } from '../../lib/keyring.js';
import type { AuditEventFilter } from '../../store/ports.js';

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;
const MAX_TYPES = 20;
const TYPE = /^[a-z][a-z.]{0,63}$/;
// ISO-8601 UTC or with an offset, as Date.parse reads it; anything looser is refused.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const EVENT_ID = /^\d{15}-\d{6}-[A-Za-z0-9_-]{1,16}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,64}$/;
const AUTH_REQ_ID = /^[\x21-\x7e]{1,256}$/;

/** What /events may be filtered by, each a single string parameter. */
const KNOWN = new Set(['type', 'since', 'until', 'authReqId', 'clientId', 'cursor', 'limit']);

/** A paging cursor: the last id of the page, opaque to callers. */
export const cursorOf = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/**
 * The filters of `GET /admin/services/{id}/events` from its query string, or why they are
 * refused (the 400's error_description, in RFC 6749 §5.2's characters). Every parameter must be
 * given at most once, and unknown ones are refused rather than ignored.
 */
export function parseEventQuery(query: Record<string, unknown>, keyring: Keyring): AuditEventFilter | string {
  for (const [name, value] of Object.entries(query)) {
    if (!KNOWN.has(name)) return `Unknown parameter '${name.slice(0, 40).replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?')}'.`;
    if (typeof value !== 'string') return `'${name}' must be given once.`;
  }
  const q = query as Record<string, string | undefined>;
  const filter: AuditEventFilter = { limit: DEFAULT_EVENT_LIMIT };
  if (q.limit !== undefined) {
    if (!/^\d{1,7}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > MAX_EVENT_LIMIT) return `'limit' must be a whole number from 1 to ${MAX_EVENT_LIMIT}.`;
    filter.limit = Number(q.limit);
  }
  if (q.type !== undefined) {
    const types = q.type.split(',');
    if (types.length > MAX_TYPES || !types.every((t) => TYPE.test(t))) return `'type' must be up to ${MAX_TYPES} event types, separated by commas.`;
    filter.types = types;
  }
  for (const name of ['since', 'until'] as const) {
    const value = q[name];
    if (value === undefined) continue;
    const at = ISO.test(value) ? Date.parse(value) : NaN;
    if (!Number.isFinite(at)) return `'${name}' must be an ISO-8601 date and time with a zone, e.g. 2026-01-31T12:00:00Z.`;
    filter[name] = at;
  }
  if (q.authReqId !== undefined) {
    if (!AUTH_REQ_ID.test(q.authReqId)) return "'authReqId' is malformed.";
    filter.authReqIdDigest = keyring.digest(q.authReqId);
  }
  if (q.clientId !== undefined) {
    if (!CLIENT_ID.test(q.clientId)) return "'clientId' is malformed.";
    filter.clientId = q.clientId;
  }
  if (q.cursor !== undefined) {
    const id = /^[A-Za-z0-9_-]{1,64}$/.test(q.cursor) ? Buffer.from(q.cursor, 'base64url').toString('utf8') : '';
    if (!EVENT_ID.test(id)) return "'cursor' is not a cursor this server gave out.";
    filter.afterId = id;
  }
  return filter;
}
