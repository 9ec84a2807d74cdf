import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { EngineContext } from '../context.js';
import type { BackchannelRequestRecord } from '../../store/ports.js';
import type { MintedTokens } from '../tokens/mint-tokens.js';

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
