import type { Mode } from '../../lib/mode.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { hasPrivateMembers, parseJwkSet, type JwkSet } from '../keys/service-keys.js';
import { parseAbsoluteUrl } from '../../lib/urls.js';

const ENDPOINT_MEMBERS = [
  'tokenEndpoint', 'backchannelAuthenticationEndpoint', 'jwksUri', 'userInfoEndpoint',
  'introspectionEndpoint', 'revocationEndpoint', 'authorizationEndpoint',
];
const DURATION_MEMBERS = [
  'backchannelAuthReqIdDuration', 'backchannelPollingInterval', 'accessTokenDuration', 'refreshTokenDuration',
  'idTokenDuration', 'allowableClockSkew',
];

/** Checks what the wire schema cannot; returns the first problem as a 400. */
export function validateService(service: Record<string, unknown>, mode: Mode): ApiError | undefined {
  const issuer = service.issuer;
  if (typeof issuer === 'string') {
    const url = parseAbsoluteUrl(issuer);
    if (!url || url.search || url.hash || issuer.includes('?') || issuer.includes('#')) {
      return apiErrors.badRequest(`'issuer' must be an absolute URL without query or fragment: ${JSON.stringify(issuer)}.`);
    }
    if (mode === 'production' && url.protocol !== 'https:') {
      return apiErrors.badRequest("'issuer' must use https in production mode.");
    }
  }
  for (const member of ENDPOINT_MEMBERS) {
    const value = service[member];
    if (value !== undefined && (typeof value !== 'string' || !parseAbsoluteUrl(value))) {
      return apiErrors.badRequest(`'${member}' must be an absolute http(s) URL.`);
    }
  }
  for (const member of DURATION_MEMBERS) {
    const value = service[member];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)) {
      return apiErrors.badRequest(`'${member}' must be a non-negative integer number of seconds.`);
    }
  }
  return undefined;
}

/** A service's `jwks` must parse and hold the private parts of its signing keys. */
export function parseServiceJwks(text: unknown): JwkSet | ApiError {
  if (typeof text !== 'string') return apiErrors.badRequest("'jwks' must be a string holding a JWK Set.");
  const set = parseJwkSet(text);
  if (typeof set === 'string') return apiErrors.badRequest(`'jwks' ${set}.`);
  if (set.keys.length > 100) return apiErrors.badRequest("'jwks' holds more than 100 keys.");
  return set;
}

export function hasSigningKeys(set: JwkSet): boolean {
  return set.keys.some((k) => hasPrivateMembers(k) && k.use !== 'enc');
}
