import type { JWTPayload } from 'jose';
import { invalidClient, type OAuthError } from '../protocol/oauth-error.js';
import { MAX_REQUEST_OBJECT_LIFETIME } from '../request-object/request-object-claims.js';
import { isIdentifierOf } from './method-names.js';
import type { AuthClient, ClientAuthContext } from './types.js';

/** RFC 7523 §3 does not bound jti; a bound keeps the replay store small and predictable. */
export const MAX_JTI_LENGTH = 256;

/**
 * RFC 7523 §3 item 4: "The authorization server MAY reject JWTs with an "exp" claim value that is
 * unreasonably far in the future." Every accepted jti is remembered until its exp, so without a cap
 * one client could grow the replay table for years. The bound is the one request objects have
 * (FAPI-CIBA §5.2.2, 60 minutes): exp at most this long after iat (after now when iat is absent),
 * and iat at most this long ago.
 */
export const MAX_CLIENT_ASSERTION_LIFETIME = MAX_REQUEST_OBJECT_LIFETIME;
const LIFETIME_WORDS = `${MAX_CLIENT_ASSERTION_LIFETIME / 60} minutes`;

export interface AcceptedAssertionClaims {
  jti: string;
  exp: number;
}

type ClaimContext = Pick<ClientAuthContext, 'issuer' | 'audiences' | 'now' | 'clockSkew'>;

/**
 * The claim rules of RFC 7523 §3 for a client assertion whose signature has already been verified.
 * Replay (the jti) is left to the caller because it has a side effect.
 */
export function checkAssertionClaims(claims: JWTPayload, client: AuthClient, ctx: ClaimContext): AcceptedAssertionClaims | OAuthError {
  const identity = checkIssuerAndSubject(claims, client);
  if (identity) return identity;
  if (!audienceAccepted(claims.aud, ctx)) return invalidClient('the client assertion aud does not name this authorization server');
  const times = checkTimes(claims, ctx);
  if (typeof times !== 'number') return times;
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti === '') return invalidClient('the client assertion has no jti claim');
  if (jti.length > MAX_JTI_LENGTH) return invalidClient(`the client assertion jti is longer than ${MAX_JTI_LENGTH} characters`);
  return { jti, exp: times };
}

// RFC 7523 §3 items 1 and 2 with OIDC Core §9: for client authentication both iss and sub are the
// client_id. Requiring them to be the same string keeps one reading of "the client_id".
function checkIssuerAndSubject(claims: JWTPayload, client: AuthClient): OAuthError | undefined {
  if (typeof claims.iss !== 'string' || claims.iss === '') return invalidClient('the client assertion has no iss claim');
  if (typeof claims.sub !== 'string' || claims.sub === '') return invalidClient('the client assertion has no sub claim');
  if (claims.iss !== claims.sub) return invalidClient('the client assertion iss and sub differ; both must be the client_id');
  if (!isIdentifierOf(client, claims.sub)) return invalidClient('the client assertion sub is not the client_id');
  return undefined;
}

// RFC 7523 §3 item 3: aud must identify the authorization server; the issuer and the endpoint URLs
// both do (conformance #3 and #37 send each). A trailing slash is not a different server.
function audienceAccepted(aud: unknown, ctx: ClaimContext): boolean {
  const presented = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const accepted = new Set([ctx.issuer, ...ctx.audiences].map(withoutTrailingSlash));
  return presented.some((value) => typeof value === 'string' && accepted.has(withoutTrailingSlash(value)));
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Returns `exp` when the time claims are acceptable. */
function checkTimes(claims: JWTPayload, ctx: ClaimContext): number | OAuthError {
  const { exp, iat, nbf } = claims;
  // RFC 7523 §3 item 4: exp is mandatory, so an assertion cannot be replayed forever once its jti is forgotten.
  if (!isNumericDate(exp)) return invalidClient('the client assertion has no valid exp claim');
  if (exp <= ctx.now - ctx.clockSkew) return invalidClient('the client assertion has expired');
  // RFC 7523 §3 items 5 and 6: nbf and iat are optional, but when present they must not lie ahead.
  if (nbf !== undefined && (!isNumericDate(nbf) || nbf > ctx.now + ctx.clockSkew)) {
    return invalidClient('the client assertion is not yet valid (nbf)');
  }
  if (iat !== undefined && (!isNumericDate(iat) || iat > ctx.now + ctx.clockSkew)) {
    return invalidClient('the client assertion iat is in the future');
  }
  // RFC 7523 §3 item 4 (see MAX_CLIENT_ASSERTION_LIFETIME). As for request objects, the skew widens
  // the checks against now only; the lifetime is a property of the assertion and gets no allowance.
  if (iat !== undefined) {
    if (ctx.now - iat > MAX_CLIENT_ASSERTION_LIFETIME + ctx.clockSkew) return invalidClient(`the client assertion iat is more than ${LIFETIME_WORDS} in the past`);
    if (exp - iat > MAX_CLIENT_ASSERTION_LIFETIME) return invalidClient(`the client assertion lifetime (exp minus iat) exceeds ${LIFETIME_WORDS}`);
  } else if (exp - ctx.now > MAX_CLIENT_ASSERTION_LIFETIME + ctx.clockSkew) {
    return invalidClient(`the client assertion exp is more than ${LIFETIME_WORDS} ahead`);
  }
  return exp;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
