import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { EngineContext } from '../context.js';
import type { BackchannelRequestRecord } from '../../store/ports.js';
import type { MintedTokens } from '../tokens/mint-tokens.js';
import { isOrderedId } from '../../lib/ordered-id.js';

/**
 * The engine's audit events whose details take a little work to gather: the digest of what a
 * client asked to be authorized, and the digests (never the values) of the tokens issued. The
 * others are one `ctx.audit.record` call where they happen.
 */

/**
 * SHA-256 over the canonical JSON of the RAR details (RFC 9396): a party holding the request can
 * show that this is what was asked for, without the trail keeping the details themselves.
 */
export function authorizationDetailsDigest(details: unknown): string | undefined {
  return details === undefined || details === null ? undefined : createHash('sha256').update(canonicalJson(details)).digest('hex');
}

/** `tokens.issued` for a CIBA transaction: the keyed digests the token table is keyed by, and the ID token's. */
export function recordTokensIssued(ctx: EngineContext, record: BackchannelRequestRecord, authReqId: string, minted: MintedTokens, subject: string | undefined): void {
  ctx.audit.queue({
    serviceId: record.serviceId,
    type: 'tokens.issued',
    authReqId,
    ...keyOf(record),
    clientId: String(record.clientId),
    ...(subject ? { subject } : {}),
    data: {
      accessTokenDigest: minted.record.accessTokenDigest,
      ...(minted.record.refreshTokenDigest ? { refreshTokenDigest: minted.record.refreshTokenDigest } : {}),
      ...(minted.idToken ? { idTokenDigest: ctx.keyring.digest(minted.idToken) } : {}),
      // For the request→token histogram; the event's own `at` is when the tokens were issued.
      requestedAt: record.createdAt,
    },
  });
}

/**
 * `{ requestKey }` for an event of this request: the key the trail finds a request's events by
 * (store migration 0016), the id of the engine's record when that id grows with time. Records of
 * earlier versions have random ids and their first events were stored without a key, so theirs
 * stay without one (nothing): they are found by the auth_req_id's and ticket's digests, like
 * every event stored without a key.
 */
export function keyOf(record: Pick<BackchannelRequestRecord, 'id'>): { requestKey?: string } {
  return isOrderedId(record.id) ? { requestKey: record.id } : {};
}
