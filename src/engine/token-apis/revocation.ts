import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { authenticateParty } from '../protocol/authenticate-party.js';
import { parseFormParameters, single } from '../protocol/form-parameters.js';
import { loadService } from '../protocol/parties.js';
import { isOAuthError, refuse, type Refusal } from '../protocol/oauth-error.js';
import { actionHead } from '../protocol/action-head.js';
import { oauthErrorAnswer } from '../protocol/oauth-error-answer.js';
import { findToken } from './find-token.js';

export type RevocationAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_CLIENT' | 'BAD_REQUEST' | 'OK';
export type RevocationResponse = Record<string, unknown> & { action: RevocationAction };

export interface RevocationInput {
  parameters?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePath?: string[];
}

/**
 * `/auth/revocation` (reference §9, RFC 7009): the client authenticates as at the token
 * endpoint; its own access or refresh token is revoked together with the other half of the
 * pair. An unknown or already invalid token is not an error (RFC 7009 §2.2).
 */
export async function revokeToken(ctx: EngineContext, serviceId: number, input: RevocationInput): Promise<RevocationResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const outcome = await evaluate(ctx, service, input);
  return isOAuthError(outcome) ? (oauthErrorAnswer(service, outcome, 'INVALID_CLIENT') as RevocationResponse) : outcome;
}

async function evaluate(ctx: EngineContext, service: NonNullable<Awaited<ReturnType<typeof loadService>>>, input: RevocationInput): Promise<RevocationResponse | Refusal> {
  if (typeof input.parameters !== 'string' || input.parameters === '') return refuse('invalid_request', codes.revocationMissingParameters);
  const form = parseFormParameters(input.parameters);
  if (typeof form === 'string') return refuse('invalid_request', codes.revocationMissingToken, `The parameters are malformed: ${form}.`);
  const authenticated = await authenticateParty(ctx, service, input, form, {
    audiences: [service.data.revocationEndpoint, service.data.tokenEndpoint],
    code: codes.revocationClientAuthFailed,
    endpoint: 'revocation',
  });
  if (isOAuthError(authenticated)) return authenticated;
  const token = single(form, 'token');
  if (!token) return refuse('invalid_request', codes.revocationMissingToken);
  const found = await findToken(ctx, service.record.apiKey, token, { refresh: true, hint: single(form, 'token_type_hint') });
  // Another client's token is left alone and, as an unknown one, not reported (RFC 7009 §2.2).
  if (found && found.record.clientId === authenticated.party.record.clientId) await ctx.store.deleteToken(found.record.id);
  return { ...actionHead(codes.revocationOk, 'OK' as const) };
}
