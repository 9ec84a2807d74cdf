import { invalidRequest, type OAuthError } from '../protocol/oauth-error.js';
import type { RequestObjectClient, RequestObjectContext } from './verify-request-object.js';

/** The JWT registered claims CIBA Core §7.1.1 requires; they describe the JWT, not the request. */
export const REQUEST_OBJECT_JWT_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'nbf', 'jti'] as const;

/** FAPI-CIBA §5.2.2: `exp` at most 60 minutes after `nbf`, and `nbf` at most 60 minutes in the past. */
export const MAX_REQUEST_OBJECT_LIFETIME = 3600;
export const MAX_NBF_AGE = 3600;
export const MAX_JTI_LENGTH = 256;

type Claims = Record<string, unknown>;
type Check = OAuthError | undefined;

/** The claims a request object must satisfy once its signature is verified, in a stable order. */
export function checkRequestObjectClaims(claims: Claims, client: RequestObjectClient, ctx: RequestObjectContext): Check {
  return (
    checkIssuer(claims, client) ??
    checkAudience(claims, ctx) ??
    checkTimes(claims, ctx) ??
    checkJtiSyntax(claims) ??
    checkClientId(claims, client) ??
    checkNoNestedRequest(claims)
  );
}

function clientIdentifiers(client: RequestObjectClient): string[] {
  const ids = [String(client.clientId)];
  if (client.clientIdAlias) ids.push(client.clientIdAlias);
  return ids;
}

// CIBA Core §7.1.1: `iss` "MUST be the client_id of the Client". Either spelling of the client's
// identifier (numeric id or alias) names the same client. A JSON number is not accepted: `iss`
// is a StringOrURI (RFC 7519 §4.1.1).
function checkIssuer(claims: Claims, client: RequestObjectClient): Check {
  const iss = claims.iss;
  if (iss === undefined) return invalidRequest("request object has no 'iss' claim");
  if (typeof iss !== 'string') return invalidRequest("request object 'iss' claim is not a string");
  if (!clientIdentifiers(client).includes(iss)) return invalidRequest("request object 'iss' claim is not the client_id of the authenticated client");
  return undefined;
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

// CIBA Core §7.1.1: `aud` "SHOULD be the OP's Issuer Identifier URL"; the backchannel endpoint URL
// is accepted too, as RFC 9101 §4 and many clients do. Issuer comparison ignores one trailing
// slash because issuers are often configured and quoted both ways.
function audienceAccepted(aud: string, ctx: RequestObjectContext): boolean {
  return withoutTrailingSlash(aud) === withoutTrailingSlash(ctx.issuer) || ctx.audiences.includes(aud);
}

function checkAudience(claims: Claims, ctx: RequestObjectContext): Check {
  const aud = claims.aud;
  if (aud === undefined) return invalidRequest("request object has no 'aud' claim");
  const values = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v): v is string => typeof v === 'string')) {
    return invalidRequest("request object 'aud' claim is not a string or a non-empty array of strings");
  }
  if (!values.some((v) => audienceAccepted(v, ctx))) return invalidRequest("request object 'aud' claim does not contain the issuer identifier of this server");
  return undefined;
}

function numericDate(claims: Claims, name: 'exp' | 'iat' | 'nbf'): number | OAuthError {
  const value = claims[name];
  if (value === undefined) return invalidRequest(`request object has no '${name}' claim`);
  // RFC 7519 §2 NumericDate: a JSON number. A numeric string is not one.
  if (typeof value !== 'number' || !Number.isFinite(value)) return invalidRequest(`request object '${name}' claim is not a number`);
  return value;
}

// CIBA Core §7.1.1 requires exp, iat and nbf; FAPI-CIBA §5.2.2 bounds the validity window so a
// captured or pre-generated request cannot be replayed for long. Clock skew widens the checks
// against `now` only; the lifetime is a property of the token itself and gets no allowance.
function checkTimes(claims: Claims, ctx: RequestObjectContext): Check {
  const exp = numericDate(claims, 'exp');
  if (typeof exp !== 'number') return exp;
  if (ctx.now >= exp + ctx.clockSkew) return invalidRequest("request object has expired ('exp' is in the past)");
  const iat = numericDate(claims, 'iat');
  if (typeof iat !== 'number') return iat;
  const nbf = numericDate(claims, 'nbf');
  if (typeof nbf !== 'number') return nbf;
  if (nbf > ctx.now + ctx.clockSkew) return invalidRequest("request object is not yet valid ('nbf' is in the future)");
  if (ctx.now - nbf > MAX_NBF_AGE + ctx.clockSkew) return invalidRequest("request object 'nbf' is more than 60 minutes in the past");
  if (exp <= nbf) return invalidRequest("request object 'exp' is not after 'nbf'");
  if (exp - nbf > MAX_REQUEST_OBJECT_LIFETIME) return invalidRequest("request object lifetime ('exp' minus 'nbf') exceeds 60 minutes");
  return undefined;
}

// CIBA Core §7.1.1 requires `jti`; its value is recorded to refuse replays (see verifyRequestObject).
function checkJtiSyntax(claims: Claims): Check {
  const jti = claims.jti;
  if (jti === undefined) return invalidRequest("request object has no 'jti' claim");
  if (typeof jti !== 'string' || jti.length === 0) return invalidRequest("request object 'jti' claim is not a non-empty string");
  if (jti.length > MAX_JTI_LENGTH) return invalidRequest(`request object 'jti' claim is longer than ${MAX_JTI_LENGTH} characters`);
  return undefined;
}

// CIBA does not require `client_id` inside the request object, but when present it must name the
// authenticated client (RFC 9101 §5), otherwise the parameters would speak for another client.
function checkClientId(claims: Claims, client: RequestObjectClient): Check {
  const clientId = claims.client_id;
  if (clientId === undefined) return undefined;
  if (typeof clientId !== 'string' || !clientIdentifiers(client).includes(clientId)) {
    return invalidRequest("request object 'client_id' claim is not the client_id of the authenticated client");
  }
  return undefined;
}

// RFC 9101 §4: a request object must not contain `request` or `request_uri`.
function checkNoNestedRequest(claims: Claims): Check {
  if (Object.hasOwn(claims, 'request') || Object.hasOwn(claims, 'request_uri')) return invalidRequest("request object must not contain 'request' or 'request_uri'");
  return undefined;
}

/**
 * The authentication request parameters carried by the request object: every claim except the JWT
 * registered claims. Values keep their JSON type (e.g. `requested_expiry` may be a number or a
 * string). `Object.fromEntries` defines own properties, so a `__proto__` claim stays plain data.
 */
export function authenticationParameters(claims: Claims): Record<string, unknown> {
  const registered: readonly string[] = REQUEST_OBJECT_JWT_CLAIMS;
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !registered.includes(name)));
}
