import type { Mode } from '../../lib/mode.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { hasPrivateMembers, parseJwkSet, type JwkSet } from '../keys/service-keys.js';
import { parseAbsoluteUrl } from '../../lib/urls.js';
import { CLIENT_AUTH_METHODS } from '../../wire/enums.js';
import { refuseUnsupported, UNSUPPORTED_SERVICE_SETTINGS } from './unsupported-settings.js';
import { fapiServiceProblem } from '../fapi/fapi-registration.js';

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
  return checkEnforcedMembers(service) ?? refuseUnsupported(service, UNSUPPORTED_SERVICE_SETTINGS);
}

const AUTH_METHOD_LISTS = ['supportedTokenAuthMethods', 'supportedRevocationAuthMethods', 'supportedIntrospectionAuthMethods'];
// Scope attributes Authlete reads as shorter token lifetimes; OpenCIBA does not apply them.
const DURATION_SCOPE_ATTRIBUTES = new Set(['access_token.duration', 'refresh_token.duration']);

/** The members the protocol enforces must hold values it can enforce, so none is misread. */
function checkEnforcedMembers(service: Record<string, unknown>): ApiError | undefined {
  for (const member of AUTH_METHOD_LISTS) {
    const value = service[member];
    if (value !== undefined && (!Array.isArray(value) || !value.every((m) => (CLIENT_AUTH_METHODS as readonly unknown[]).includes(m) && m !== 'NONE'))) {
      return apiErrors.badRequest(`'${member}' must be a list of ${CLIENT_AUTH_METHODS.filter((m) => m !== 'NONE').join(', ')}.`);
    }
  }
  if (service.clientIdAliasEnabled !== undefined && typeof service.clientIdAliasEnabled !== 'boolean') {
    return apiErrors.badRequest("'clientIdAliasEnabled' must be a boolean.");
  }
  if (service.clientAssertionAudRestrictedToIssuer !== undefined && typeof service.clientAssertionAudRestrictedToIssuer !== 'boolean') {
    return apiErrors.badRequest("'clientAssertionAudRestrictedToIssuer' must be a boolean.");
  }
  if (service.supportedClaims !== undefined && !(Array.isArray(service.supportedClaims) && service.supportedClaims.every((c) => typeof c === 'string'))) {
    return apiErrors.badRequest("'supportedClaims' must be a list of claim names.");
  }
  const scopes = Array.isArray(service.supportedScopes) ? (service.supportedScopes as unknown[]) : [];
  for (const scope of scopes) {
    const attributes = typeof scope === 'object' && scope !== null ? (scope as { attributes?: unknown }).attributes : undefined;
    const durations = Array.isArray(attributes) ? attributes.find((a) => DURATION_SCOPE_ATTRIBUTES.has((a as { key?: unknown })?.key as string)) : undefined;
    if (durations !== undefined) {
      return apiErrors.badRequest(`'supportedScopes' attribute '${String((durations as { key: string }).key)}' is not implemented by OpenCIBA; use the service or client durations.`);
    }
  }
  const fapiProblem = fapiServiceProblem(service);
  return fapiProblem ? apiErrors.badRequest(`${fapiProblem}.`) : undefined;
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
