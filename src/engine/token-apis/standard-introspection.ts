import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { parseFormParameters, single } from '../protocol/form-parameters.js';
import { refuse } from '../protocol/oauth-error.js';
import { clientIdAsUsed, loadClient, loadService } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import { oauthErrorAnswer } from '../protocol/oauth-error-answer.js';
import { findToken, visibleProperties } from './find-token.js';
import { isOAuthError } from '../protocol/oauth-error.js';
import { authenticateParty } from '../protocol/authenticate-party.js';
import type { ClientParty, ServiceParty } from '../protocol/parties.js';
import type { FormParameters } from '../protocol/form-parameters.js';
import { mayIntrospect } from './introspection-access.js';
import { confirmationOf } from '../tokens/mint-tokens.js';

export type StandardIntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'OK';
export type StandardIntrospectionResponse = Record<string, unknown> & { action: StandardIntrospectionAction };

export interface StandardIntrospectionInput {
  parameters?: string;
  withHiddenProperties?: boolean;
  clientAuthenticationRequired?: boolean;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
}

/**
 * `/auth/introspection/standard` (reference §8.2): the RFC 7662 answer. Authlete does not
 * authenticate the caller here; with `clientAuthenticationRequired` (OpenCIBA's addition, which
 * the front uses) the engine authenticates the client as at every other endpoint and answers only
 * about tokens the client may see.
 */
export async function standardIntrospection(
  ctx: EngineContext,
  serviceId: number,
  input: StandardIntrospectionInput,
): Promise<StandardIntrospectionResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const bad = (code: typeof codes.standardIntrospectionMissingToken, detail?: string) =>
    oauthErrorAnswer(service, refuse('invalid_request', code, detail)) as StandardIntrospectionResponse;
  if (typeof input.parameters !== 'string' || input.parameters === '') return bad(codes.standardIntrospectionMissingParameters);
  const form = parseFormParameters(input.parameters);
  if (typeof form === 'string') return bad(codes.standardIntrospectionMissingToken, `The parameters are malformed: ${form}.`);
  const caller = input.clientAuthenticationRequired === true ? await authenticateCaller(ctx, service, input, form) : undefined;
  if (isOAuthError(caller)) return oauthErrorAnswer(service, caller, 'INVALID_CLIENT') as StandardIntrospectionResponse;
  const token = single(form, 'token');
  if (!token) return bad(codes.standardIntrospectionMissingToken);

  const found = await findToken(ctx, serviceId, token, { refresh: true, hint: single(form, 'token_type_hint') });
  const now = ctx.clock.now();
  // Another client's token is, to this caller, as good as unknown: active false and nothing else.
  const active = found !== undefined && found.expiresAt > now && mayIntrospect(caller, found);
  // RFC 7662 §2.2 client_id: as the client named itself when the grant began (Authlete's
  // clientIdAliasUsed rule); the numeric id when the client is gone.
  const client = active && found.grant.clientIdAliasUsed === true ? await loadClient(ctx, serviceId, String(found.record.clientId)) : undefined;
  const cnf = active && found.kind === 'access_token' ? confirmationOf(found.record) : undefined;
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
        // RFC 7662 §2.2: token_type is the access token's type (RFC 6749 §7.1: Bearer, or DPoP per
        // RFC 9449 §6.2); a refresh token has none. RFC 8705 §3.2, RFC 9449 §6.2: a bound token's cnf.
        ...(found.kind === 'access_token' ? { token_type: cnf?.jkt !== undefined ? 'DPoP' : 'Bearer' } : {}),
        ...(cnf ? { cnf } : {}),
        ...(found.grant.resources ? { aud: found.grant.resources } : {}),
        ...(found.grant.authorizationDetails ? { authorization_details: found.grant.authorizationDetails } : {}),
      }
    : { active: false };
  const head = caller ? actionHead(codes.standardIntrospectionAuthenticatedOk, 'OK' as const) : actionHead(codes.standardIntrospectionOk, 'OK' as const);
  return { ...head, responseContent: JSON.stringify(content) };
}

async function authenticateCaller(ctx: EngineContext, service: ServiceParty, input: StandardIntrospectionInput, form: FormParameters) {
  const authenticated = await authenticateParty(ctx, service, input, form, {
    audiences: [service.data.introspectionEndpoint, service.data.tokenEndpoint],
    code: codes.standardIntrospectionClientAuthFailed,
    endpoint: 'introspection',
  });
  return isOAuthError(authenticated) ? authenticated : (authenticated.party satisfies ClientParty);
}
