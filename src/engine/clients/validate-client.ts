import type { Mode } from '../../lib/mode.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { hasPrivateMembers, parseJwkSet } from '../keys/service-keys.js';
import { DELIVERY_MODES, isAsymmetricAlg } from '../../wire/enums.js';
import { isPlainObject } from '../../lib/json.js';
import { checkOutboundUrl, parseAbsoluteUrl } from '../../lib/urls.js';
import { refuseUnsupported, UNSUPPORTED_CLIENT_SETTINGS } from '../services/unsupported-settings.js';
import { resourceServerAttributeProblem } from '../token-apis/introspection-access.js';
import { fapiClientProblem } from '../fapi/fapi-registration.js';

const bad = (text: string) => apiErrors.badRequest(text);

/** Checks a client's metadata as CIBA (and, where it applies, FAPI-CIBA) needs it; returns the first problem as a 400. */
export function validateClient(client: Record<string, unknown>, mode: Mode, service: Record<string, unknown> = {}): ApiError | undefined {
  const deliveryMode = client.bcDeliveryMode;
  if (deliveryMode !== undefined && !(DELIVERY_MODES as readonly unknown[]).includes(deliveryMode)) {
    return bad(`'bcDeliveryMode' must be one of ${DELIVERY_MODES.join(', ')}.`);
  }
  const endpoint = client.bcNotificationEndpoint;
  if (deliveryMode === 'PING' || deliveryMode === 'PUSH') {
    if (typeof endpoint !== 'string' || endpoint === '') {
      return bad(`A client with 'bcDeliveryMode' ${deliveryMode} needs 'bcNotificationEndpoint'.`);
    }
  }
  if (typeof endpoint === 'string' && endpoint !== '') {
    const problem = checkOutboundUrl(endpoint, mode);
    if (problem) return bad(`'bcNotificationEndpoint' ${problem}.`);
  }

  const requestSignAlg = client.bcRequestSignAlg;
  if (requestSignAlg !== undefined && !isAsymmetricAlg(String(requestSignAlg))) {
    return bad("'bcRequestSignAlg' must be an asymmetric algorithm (CIBA §7.1.1).");
  }
  const idTokenSignAlg = client.idTokenSignAlg;
  if (idTokenSignAlg !== undefined && idTokenSignAlg === 'NONE') {
    return bad("'idTokenSignAlg' NONE is not allowed: CIBA ID tokens are always signed.");
  }
  if (client.tokenAuthMethod === 'PRIVATE_KEY_JWT' && client.tokenAuthSignAlg !== undefined && !isAsymmetricAlg(String(client.tokenAuthSignAlg))) {
    return bad("'tokenAuthSignAlg' must be asymmetric for PRIVATE_KEY_JWT.");
  }
  if (client.tokenAuthMethod === 'CLIENT_SECRET_JWT' && client.tokenAuthSignAlg !== undefined && !/^HS(256|384|512)$/.test(String(client.tokenAuthSignAlg))) {
    return bad("'tokenAuthSignAlg' must be HS256, HS384 or HS512 for CLIENT_SECRET_JWT.");
  }
  if (client.clientType === 'PUBLIC' && client.tokenAuthMethod !== undefined && client.tokenAuthMethod !== 'NONE') {
    return bad("A PUBLIC client's 'tokenAuthMethod' must be NONE.");
  }

  if (client.jwks !== undefined && client.jwks !== '') {
    if (client.jwksUri !== undefined) return bad("'jwks' and 'jwksUri' must not both be set.");
    if (typeof client.jwks !== 'string') return bad("'jwks' must be a string holding a JWK Set.");
    const set = parseJwkSet(client.jwks);
    if (typeof set === 'string') return bad(`'jwks' ${set}.`);
    if (set.keys.some(hasPrivateMembers)) return bad("'jwks' must hold public keys only.");
  }
  if (client.jwksUri !== undefined) {
    const problem = typeof client.jwksUri === 'string' ? checkOutboundUrl(client.jwksUri, mode) : 'must be a string';
    if (problem) return bad(`'jwksUri' ${problem}.`);
  }
  for (const member of ['logoUri', 'clientUri', 'policyUri', 'tosUri', 'sectorIdentifierUri'] as const) {
    const value = client[member];
    if (value !== undefined && (typeof value !== 'string' || !parseAbsoluteUrl(value))) return bad(`'${member}' must be an absolute URL.`);
  }
  if (client.extension !== undefined) {
    if (!isPlainObject(client.extension)) return bad("'extension' must be an object.");
    for (const member of ['accessTokenDuration', 'refreshTokenDuration', 'idTokenDuration']) {
      const value = client.extension[member];
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
        return bad(`'extension.${member}' must be a non-negative integer.`);
      }
    }
    const enabled = client.extension.requestableScopesEnabled;
    if (enabled !== undefined && typeof enabled !== 'boolean') return bad("'extension.requestableScopesEnabled' must be a boolean.");
    const requestable = client.extension.requestableScopes;
    if (requestable !== undefined && !(Array.isArray(requestable) && requestable.length <= 1000 && requestable.every((s) => typeof s === 'string' && s !== '' && !s.includes(' ')))) {
      return bad("'extension.requestableScopes' must be a list of at most 1000 scope names.");
    }
  }
  if (client.clientIdAliasEnabled !== undefined && typeof client.clientIdAliasEnabled !== 'boolean') return bad("'clientIdAliasEnabled' must be a boolean.");
  if (client.locked !== undefined && typeof client.locked !== 'boolean') return bad("'locked' must be a boolean.");
  const roleProblem = resourceServerAttributeProblem(client.attributes);
  if (roleProblem) return bad(`'attributes': ${roleProblem}.`);
  const fapiProblem = fapiClientProblem(client, service);
  if (fapiProblem) return bad(`${fapiProblem}.`);
  return refuseUnsupported(client, UNSUPPORTED_CLIENT_SETTINGS);
}
