import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes, type ResultCode } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import { loadClient, loadService } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import { bearerChallenge } from './bearer-challenge.js';
import { findToken, visibleProperties } from './find-token.js';
import { checkSender, resourceNonce, type Presentation } from './sender-check.js';
import { confirmationOf } from '../tokens/mint-tokens.js';

export type IntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';
export type IntrospectionResponse = Record<string, unknown> & { action: IntrospectionAction };

export interface IntrospectionInput extends Presentation {
  token?: string;
  scopes?: string[];
  subject?: string;
}

/**
 * `/auth/introspection` (reference §8.1), for resource servers: is this access token usable,
 * does it cover the required scopes and belong to the required subject?
 */
export async function introspectAccessToken(ctx: EngineContext, serviceId: number, input: IntrospectionInput): Promise<IntrospectionResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const dpopNonce = resourceNonce(ctx, service, input);
  const answer = (code: ResultCode, action: IntrospectionAction, error: string, extra: Record<string, unknown> = {}, challenge: Record<string, string> = {}) =>
    withoutNulls({ ...actionHead(code, action), responseContent: bearerChallenge(error, code, challenge), ...extra, dpopNonce }) as IntrospectionResponse;

  if (typeof input.token !== 'string' || input.token === '') return answer(codes.introspectionMissingToken, 'BAD_REQUEST', 'invalid_request');
  const found = await findToken(ctx, serviceId, input.token);
  if (!found) return answer(codes.introspectionUnknown, 'UNAUTHORIZED', 'invalid_token', { existent: false, usable: false, sufficient: false, refreshable: false });

  const { record, grant } = found;
  const client = await loadClient(ctx, serviceId, String(record.clientId));
  const now = ctx.clock.now();
  const usable = record.accessExpiresAt > now;
  const required = Array.isArray(input.scopes) ? input.scopes : [];
  const scopes = grant.scopes ?? [];
  const sufficient = required.every((s) => scopes.includes(s));
  const details = {
    clientId: record.clientId,
    clientIdAlias: client?.auth.clientIdAlias,
    clientIdAliasUsed: grant.clientIdAliasUsed === true,
    subject: record.subject ?? undefined,
    scopes,
    existent: true,
    usable,
    sufficient,
    refreshable: record.refreshExpiresAt !== null && record.refreshExpiresAt > now,
    expiresAt: record.accessExpiresAt,
    properties: visibleProperties(grant, true),
    resources: grant.resources,
    accessTokenResources: grant.resources,
    authorizationDetails: grant.authorizationDetails,
    grantType: record.grantType,
    acr: grant.acr,
    authTime: grant.authTime,
    consentedClaims: grant.consentedClaims,
    certificateThumbprint: confirmationOf(record)?.['x5t#S256'],
    serviceAttributes: settings.attributes(service.data),
    clientAttributes: client ? settings.attributes(client.data) : undefined,
  };
  if (!usable) return answer(codes.introspectionExpired, 'UNAUTHORIZED', 'invalid_token', details);
  // Authlete's introspection checks the sender itself (RFC 9449 §6.2 leaves it to the resource
  // server); htm and htu have no default here: the resource server must say where it was called.
  const sender = await checkSender(ctx, service, found, input.token, input, {});
  if (sender) {
    return withoutNulls({ ...actionHead(sender.code, 'UNAUTHORIZED' as const), responseContent: sender.challenge, ...details, usable: false, dpopNonce: sender.dpopNonce ?? dpopNonce }) as IntrospectionResponse;
  }
  if (!sufficient) return answer(codes.introspectionInsufficientScope, 'FORBIDDEN', 'insufficient_scope', details, { scope: required.join(' ') });
  if (input.subject !== undefined && input.subject !== '' && input.subject !== record.subject) {
    return answer(codes.introspectionSubjectMismatch, 'FORBIDDEN', 'invalid_request', details);
  }
  return withoutNulls({ ...actionHead(codes.introspectionOk, 'OK' as const), responseContent: 'Bearer error="invalid_request"', ...details, dpopNonce }) as IntrospectionResponse;
}
