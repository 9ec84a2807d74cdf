import { errors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { invalidClient, isOAuthError, type OAuthError } from '../protocol/oauth-error.js';
import { ASYMMETRIC_JWS_ALGS, SYMMETRIC_JWS_ALGS } from '../../wire/enums.js';
import { checkAssertionClaims } from './assertion-claims.js';
import { verificationKeys } from '../keys/verification-keys.js';
import { methodName } from './method-names.js';
import type { PresentedAssertion } from './presented-credentials.js';
import type { AuthClient, ClientAuthContext } from './types.js';

/** RFC 7523 §2.2. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * CLIENT_SECRET_JWT and PRIVATE_KEY_JWT (OIDC Core §9, RFC 7523 §2.2 and §3). Order matters: the
 * signature is checked before any claim, and the jti is recorded last, so that nobody without the
 * key can burn a client's jti values or learn which claims would have been accepted.
 */
export async function verifyClientAssertion(client: AuthClient, assertion: PresentedAssertion, ctx: ClientAuthContext): Promise<OAuthError | undefined> {
  if (assertion.type !== JWT_BEARER_ASSERTION_TYPE) {
    return invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
  }
  const algProblem = checkAlgorithm(client, assertion.alg) ?? checkProfileAlgorithm(client, assertion.alg, ctx);
  if (algProblem) return algProblem;

  const claims = client.tokenAuthMethod === 'CLIENT_SECRET_JWT' ? await verifyWithSecret(client, assertion, ctx) : await verifyWithClientKeys(client, assertion, ctx);
  if (isOAuthError(claims)) return claims;

  const accepted = checkAssertionClaims(claims, client, ctx);
  if (isOAuthError(accepted)) return accepted;

  // The assertion stays acceptable until exp plus the allowed skew, so the jti must be remembered
  // at least that long or it could be replayed in the gap.
  const fresh = await ctx.claimJti(client.clientId, accepted.jti, accepted.exp + ctx.clockSkew);
  return fresh ? undefined : invalidClient('the client assertion jti has already been used');
}

// A secret-keyed MAC proves nothing for private_key_jwt, and a public-key signature cannot come from
// client_secret_jwt; `none` fits neither. FAPI-CIBA clients pin PS256 or ES256 through tokenAuthSignAlg
// (conformance #35/#36 send RS256 from a PS256 client and expect invalid_client).
function checkAlgorithm(client: AuthClient, alg: string): OAuthError | undefined {
  const allowed: readonly string[] = client.tokenAuthMethod === 'CLIENT_SECRET_JWT' ? SYMMETRIC_JWS_ALGS : ASYMMETRIC_JWS_ALGS;
  if (!allowed.includes(alg)) {
    return invalidClient(`the client assertion algorithm is not allowed for ${methodName(client.tokenAuthMethod)}`);
  }
  const pinned = client.tokenAuthSignAlg;
  if (pinned !== undefined && pinned !== '' && alg !== pinned) {
    // Name the pinned algorithm only when it is a known one, so a stored oddity never reaches the client.
    const named = allowed.includes(pinned) ? `${pinned}, the client's registered algorithm` : "the client's registered algorithm";
    return invalidClient(`the client assertion must be signed with ${named}`);
  }
  return undefined;
}

// FAPI 1.0 Advanced 8.6 (through the profile): PS256 or ES256 whatever the client pinned
// (conformance #35/#36: an RS256 assertion from a FAPI client is invalid_client).
function checkProfileAlgorithm(client: AuthClient, alg: string, ctx: ClientAuthContext): OAuthError | undefined {
  const profile = ctx.profile?.(client);
  if (profile === undefined || profile.assertionAlgs.includes(alg)) return undefined;
  return invalidClient(`the client assertion algorithm is not allowed: ${profile.algRule}`);
}

async function verifyWithSecret(client: AuthClient, assertion: PresentedAssertion, ctx: ClientAuthContext): Promise<JWTPayload | OAuthError> {
  if (client.clientSecret === '') return invalidClient('the client has no secret to verify the client assertion with');
  // OIDC Core §9: the HMAC key is the octets of the UTF-8 representation of the client_secret.
  const key = new TextEncoder().encode(client.clientSecret);
  const outcome = await verifyJwt(assertion, key, ctx);
  return outcome === 'bad-signature' ? invalidClient('the client assertion signature is invalid') : outcome;
}

async function verifyWithClientKeys(client: AuthClient, assertion: PresentedAssertion, ctx: ClientAuthContext): Promise<JWTPayload | OAuthError> {
  let registered: JWK[];
  try {
    registered = await ctx.clientKeys(client);
  } catch {
    // Most likely an unreachable or broken jwks_uri: the client's problem, not a server fault.
    return invalidClient("the client's public keys could not be obtained");
  }
  // RFC 7517 §4.3: a key whose key_ops leave out 'verify' is not for checking assertions.
  const keys = verificationKeys(registered, assertion.alg, assertion.kid).filter((key) => key.key_ops === undefined || key.key_ops.includes('verify'));
  if (keys.length === 0) return invalidClient('no registered client key matches the client assertion kid and algorithm');

  for (const jwk of keys) {
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK(jwk, assertion.alg);
    } catch {
      continue; // A malformed or unsupported registered key cannot have produced the signature.
    }
    const outcome = await verifyJwt(assertion, key, ctx);
    if (outcome !== 'bad-signature') return outcome;
  }
  return invalidClient('the client assertion signature is invalid');
}

/**
 * jose checks the signature, then the structure and exp/nbf; a claim failure therefore means the
 * signature was good and no other key needs trying. The full claim rules run afterwards.
 */
async function verifyJwt(assertion: PresentedAssertion, key: Awaited<ReturnType<typeof importJWK>>, ctx: ClientAuthContext): Promise<JWTPayload | OAuthError | 'bad-signature'> {
  try {
    const { payload } = await jwtVerify(assertion.jwt, key, {
      algorithms: [assertion.alg],
      currentDate: new Date(ctx.now * 1000),
      clockTolerance: ctx.clockSkew,
    });
    return payload;
  } catch (error) {
    return describeVerifyError(error);
  }
}

function describeVerifyError(error: unknown): OAuthError | 'bad-signature' {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWTExpired) return invalidClient('the client assertion has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    // The claim name comes from jose, but keep descriptions to a known vocabulary anyway.
    const claim = ['nbf', 'iat', 'exp'].includes(error.claim) ? error.claim : 'time';
    return invalidClient(`the client assertion ${claim} claim is invalid`);
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return invalidClient('the client assertion is not a valid JWT');
  }
  return invalidClient('the client assertion could not be verified');
}
