import { compactVerify, importJWK, type JWK } from 'jose';
import { invalidRequest, isOAuthError, type OAuthError } from '../protocol/oauth-error.js';
import { isAsymmetricAlg } from '../../wire/enums.js';
import { echoed } from '../../lib/error-description.js';
import { verificationKeys } from '../keys/verification-keys.js';
import { decodeUtf8, parseCompactJws, parseJsonObject } from './jws-compact.js';
import { authenticationParameters, checkRequestObjectClaims } from './request-object-claims.js';

export interface RequestObjectClient {
  clientId: number;
  clientIdAlias?: string;
  /** The client's registered backchannel_authentication_request_signing_alg (Authlete `bcRequestSignAlg`), if any. */
  bcRequestSignAlg?: string;
  /** A profile's algorithms (FAPI-CIBA: PS256, ES256) and the rule that sets them, named when refused. */
  profileAlgs?: { algs: readonly string[]; rule: string };
}

export interface RequestObjectContext {
  /** The service's issuer: the request object's `aud` must contain it (trailing-slash-insensitive), or equal the backchannel endpoint URL given in `audiences`. */
  issuer: string;
  audiences: string[];
  /** Public keys of the client; the caller fetches them. */
  clientKeys(): Promise<JWK[]>;
  /**
   * Records the request object's jti until expiresAt (epoch seconds); false when it was already used.
   * jti values are only unique per issuer (RFC 7519 §4.1.7), so the caller scopes them to the client.
   */
  claimJti(jti: string, expiresAt: number): Promise<boolean>;
  now: number; // epoch seconds
  clockSkew: number; // seconds >= 0
}

export interface VerifiedRequestObject {
  kind: 'request-object';
  /** The authentication request parameters (claims minus iss, aud, exp, iat, nbf, jti), JSON types kept. */
  claims: Record<string, unknown>;
  /** The JWS algorithm the request object was signed with. */
  alg: string;
}

/**
 * Whether the client must send its authentication request as a signed request object: true once
 * it has registered `backchannel_authentication_request_signing_alg` (CIBA Core §4, FAPI-CIBA
 * §5.2.2). When this is true and the backchannel request has no `request` parameter, the caller
 * answers 400 invalid_request (conformance #43, "ensure-unsigned-backchannel-authorization-request-fails").
 */
export function requestObjectRequired(client: RequestObjectClient): boolean {
  return typeof client.bcRequestSignAlg === 'string' && client.bcRequestSignAlg.length > 0;
}

/**
 * Verifies a signed CIBA authentication request (CIBA Core §7.1.1, FAPI-CIBA §5.2.2, RFC 9101) and
 * returns the authentication request parameters it carries, or an invalid_request OAuthError.
 *
 * CIBA Core §7.1.1: with a signed request, the authentication request parameters are the request
 * object's claims and MUST NOT be sent outside it. The caller therefore ignores every form
 * parameter other than `request` and the client-authentication ones (`client_id`, `client_secret`,
 * `client_assertion`, `client_assertion_type`) and reads scope, hints, binding_message,
 * requested_expiry, … only from the returned claims. Rules that span parameters, such as exactly
 * one hint (CIBA Core §7.1, conformance #28), are the caller's, applied to these claims.
 *
 * Never throws for any `jwt` value; the returned promise rejects only when `ctx.clientKeys` or
 * `ctx.claimJti` reject (an infrastructure failure the caller reports as a server error).
 */
export async function verifyRequestObject(jwt: string, client: RequestObjectClient, ctx: RequestObjectContext): Promise<VerifiedRequestObject | OAuthError> {
  if (typeof jwt !== 'string') return invalidRequest('request object is not a string');
  const jws = parseCompactJws(jwt);
  if (isOAuthError(jws)) return jws;
  const algError = checkAlgorithm(jws.alg, client);
  if (algError) return algError;

  const payload = await verifySignature(jwt, jws.alg, jws.kid, await ctx.clientKeys());
  if (isOAuthError(payload)) return payload;
  const claims = parseClaims(payload);
  if (isOAuthError(claims)) return claims;

  const claimError = checkRequestObjectClaims(claims, client, ctx);
  if (claimError) return claimError;
  // Recorded last, so a request rejected for another reason does not burn its jti. Kept until the
  // last instant the time checks would still accept the object (exp plus the skew allowance).
  const exp = claims.exp as number;
  if (!(await ctx.claimJti(claims.jti as string, exp + ctx.clockSkew))) {
    return invalidRequest("request object 'jti' has already been used");
  }
  return { kind: 'request-object', claims: authenticationParameters(claims), alg: jws.alg };
}

// CIBA Core §7.1.1: "The JWT MUST be secured with an asymmetric signature", so that the signature
// proves the client's origin (non-repudiation), which a MAC with a secret the AS also holds cannot.
// A registered algorithm is enforced exactly (conformance #26: an RS256 request from a PS256
// client fails, FAPI-CIBA §7.10).
function checkAlgorithm(alg: string, client: RequestObjectClient): OAuthError | undefined {
  if (!isAsymmetricAlg(alg)) return invalidRequest(`request object signing algorithm ${echoed(alg)} is not allowed; an asymmetric algorithm is required`);
  if (client.profileAlgs && !client.profileAlgs.algs.includes(alg)) {
    return invalidRequest(`request object signing algorithm ${echoed(alg)} is not allowed: ${client.profileAlgs.rule}`);
  }
  if (requestObjectRequired(client) && alg !== client.bcRequestSignAlg) {
    return invalidRequest(`request object must be signed with ${client.bcRequestSignAlg}, the client's backchannel_authentication_request_signing_alg, not ${alg}`);
  }
  return undefined;
}

/** Tries each candidate key; the payload bytes of the first one that verifies, else an error. */
async function verifySignature(jwt: string, alg: string, kid: string | undefined, keys: readonly unknown[]): Promise<Uint8Array | OAuthError> {
  const candidates = verificationKeys(Array.isArray(keys) ? keys : [], alg, kid);
  if (candidates.length === 0) {
    return invalidRequest(kid === undefined ? `the client has no registered key for ${alg}` : `the client has no registered key with kid '${echoed(kid)}' for ${alg}`);
  }
  for (const jwk of candidates) {
    const payload = await verifyWith(jwt, alg, jwk);
    if (payload !== undefined) return payload;
  }
  return invalidRequest('request object signature does not verify with any key of the client');
}

async function verifyWith(jwt: string, alg: string, jwk: JWK): Promise<Uint8Array | undefined> {
  try {
    const key = await importJWK(jwk, alg);
    const { payload } = await compactVerify(jwt, key, { algorithms: [alg] });
    return payload;
  } catch {
    // A key that cannot be imported, a malformed segment or a bad signature all mean "not this key".
    return undefined;
  }
}

function parseClaims(payload: Uint8Array): Record<string, unknown> | OAuthError {
  const text = decodeUtf8(payload);
  const claims = text === undefined ? undefined : parseJsonObject(text);
  return claims ?? invalidRequest('request object payload is not a JSON object');
}
