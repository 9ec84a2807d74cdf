import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { parseFormParameters, single } from '../protocol/form-parameters.js';
import { refuse } from '../protocol/oauth-error.js';
import { clientIdAsUsed, loadClient, loadService } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import { oauthErrorAnswer } from '../protocol/oauth-error-answer.js';
import { findToken, visibleProperties } from './find-token.js';
import { confirmationOf } from '../tokens/mint-tokens.js';

export type StandardIntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'OK';
export type StandardIntrospectionResponse = Record<string, unknown> & { action: StandardIntrospectionAction };

/**
 * `/auth/introspection/standard` (reference §8.2): the RFC 7662 answer. Authlete does not
 * authenticate the caller here; the authorization server's endpoint must (the front does).
 */
export async function standardIntrospection(
  ctx: EngineContext,
  serviceId: number,
  input: { parameters?: string; withHiddenProperties?: boolean },
): Promise<StandardIntrospectionResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const bad = (code: typeof codes.standardIntrospectionMissingToken, detail?: string) =>
    oauthErrorAnswer(service, refuse('invalid_request', code, detail)) as StandardIntrospectionResponse;
  if (typeof input.parameters !== 'string' || input.parameters === '') return bad(codes.standardIntrospectionMissingParameters);
  const form = parseFormParameters(input.parameters);
  if (typeof form === 'string') return bad(codes.standardIntrospectionMissingToken, `The parameters are malformed: ${form}.`);
  const token = single(form, 'token');
  if (!token) return bad(codes.standardIntrospectionMissingToken);

  const found = await findToken(ctx, serviceId, token, { refresh: true, hint: single(form, 'token_type_hint') });
  const now = ctx.clock.now();
  const active = found !== undefined && found.expiresAt > now;
  // RFC 7662 §2.2 client_id: as the client named itself when the grant began (Authlete's
  // clientIdAliasUsed rule); the numeric id when the client is gone.
  const client = active && found.grant.clientIdAliasUsed === true ? await loadClient(ctx, serviceId, String(found.record.clientId)) : undefined;
  const content = active
    ? {
        // Non-hidden properties first, so they can never mask a standard member.
        ...Object.fromEntries((visibleProperties(found.grant, input.withHiddenProperties === true) ?? []).map((p) => [p.key, p.value])),
        active: true,
        scope: (found.grant.scopes ?? []).join(' '),
        client_id: client ? clientIdAsUsed(client, true) : String(found.record.clientId),
        ...(found.record.subject ? { sub: found.record.subject } : {}),
        exp: Math.floor(found.expiresAt / 1000),
        iat: Math.floor(found.record.createdAt / 1000),
        iss: service.issuer,
        // RFC 8705 §3.2, RFC 9449 §6.2: a bound access token's cnf, and token_type DPoP.
        token_type: found.kind === 'access_token' ? (confirmationOf(found.record)?.jkt !== undefined ? 'DPoP' : 'Bearer') : 'refresh_token',
        ...(found.kind === 'access_token' && confirmationOf(found.record) ? { cnf: confirmationOf(found.record) } : {}),
        ...(found.grant.resources ? { aud: found.grant.resources } : {}),
        ...(found.grant.authorizationDetails ? { authorization_details: found.grant.authorizationDetails } : {}),
      }
    : { active: false };
  return { ...actionHead(codes.standardIntrospectionOk, 'OK' as const), responseContent: JSON.stringify(content) };
}
