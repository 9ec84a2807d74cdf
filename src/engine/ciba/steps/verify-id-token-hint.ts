import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { codes } from '../../../wire/result-codes.js';
import { publicJwks } from '../../keys/service-keys.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

/**
 * CIBA §7.1: an id_token_hint must be an ID token this service issued to this client. Its
 * signature, issuer and audience are checked; an expired one is still accepted, as the spec
 * allows for hints. Returns its `sub`.
 */
export async function verifyIdTokenHint(hint: string, service: ServiceParty, client: ClientParty): Promise<string | Refusal> {
  const bad = (detail: string) => refuse('invalid_request', codes.bcBadIdTokenHint, detail);
  if (!service.publishedJwks) return bad('The service has no keys to verify the id_token_hint with.');
  let payload: Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(hint);
    if (!header.alg || header.alg === 'none' || header.alg.startsWith('HS')) return bad('The id_token_hint is not signed by this service.');
    const verified = await compactVerify(hint, createLocalJWKSet(publicJwks(service.publishedJwks)));
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    return bad("The signature of the 'id_token_hint' cannot be verified with this service's keys.");
  }
  if (typeof payload !== 'object' || payload === null) return bad('The id_token_hint has no claims.');
  if (payload.iss !== service.issuer) return bad("The 'iss' of the id_token_hint is not this service.");
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const ids = [String(client.record.clientId), String(client.auth.clientIdAlias ?? '')];
  if (!audience.some((a) => typeof a === 'string' && ids.includes(a))) return bad('The id_token_hint was issued to another client.');
  if (typeof payload.sub !== 'string' || payload.sub === '') return bad("The id_token_hint has no 'sub'.");
  return payload.sub;
}
