import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes, resultMessage } from '../../wire/result-codes.js';
import { withoutNulls } from '../../lib/json.js';
import { ERROR_DESCRIPTION_CHARSET, ERROR_URI_CHARSET } from '../../lib/error-description.js';
import { loadService } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import type { HeldTickets } from './held-tickets.js';

export const FAIL_REASONS = [
  'ACCESS_DENIED', 'EXPIRED_LOGIN_HINT_TOKEN', 'INVALID_BINDING_MESSAGE', 'INVALID_TARGET', 'INVALID_USER_CODE',
  'MISSING_USER_CODE', 'SERVER_ERROR', 'UNAUTHORIZED_CLIENT', 'UNKNOWN_USER_ID',
] as const;
export type BackchannelAuthenticationFailReason = (typeof FAIL_REASONS)[number];
export type BackchannelAuthenticationFailAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'FORBIDDEN';
export type BackchannelAuthenticationFailResponse = Record<string, unknown> & { action: BackchannelAuthenticationFailAction };

export interface BackchannelAuthenticationFailInput {
  ticket?: string;
  reason?: BackchannelAuthenticationFailReason;
  errorDescription?: string;
  errorUri?: string;
}

// reference §5: FORBIDDEN only for ACCESS_DENIED, INTERNAL_SERVER_ERROR for SERVER_ERROR, BAD_REQUEST for the rest.
const BY_REASON: Record<BackchannelAuthenticationFailReason, { action: BackchannelAuthenticationFailAction; error: string }> = {
  ACCESS_DENIED: { action: 'FORBIDDEN', error: 'access_denied' },
  EXPIRED_LOGIN_HINT_TOKEN: { action: 'BAD_REQUEST', error: 'expired_login_hint_token' },
  INVALID_BINDING_MESSAGE: { action: 'BAD_REQUEST', error: 'invalid_binding_message' },
  INVALID_TARGET: { action: 'BAD_REQUEST', error: 'invalid_target' },
  INVALID_USER_CODE: { action: 'BAD_REQUEST', error: 'invalid_user_code' },
  MISSING_USER_CODE: { action: 'BAD_REQUEST', error: 'missing_user_code' },
  SERVER_ERROR: { action: 'INTERNAL_SERVER_ERROR', error: 'server_error' },
  UNAUTHORIZED_CLIENT: { action: 'BAD_REQUEST', error: 'unauthorized_client' },
  UNKNOWN_USER_ID: { action: 'BAD_REQUEST', error: 'unknown_user_id' },
};

// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E; error_uri %x21 / %x23-5B / %x5D-7E.
const DESCRIPTION_CHARSET = ERROR_DESCRIPTION_CHARSET;
const URI_CHARSET = ERROR_URI_CHARSET;

/**
 * `/backchannel/authentication/fail` (reference §5): the error response for a request the
 * authorization server rejects after USER_IDENTIFICATION. Deletes the ticket while it waits for
 * /issue (an issued request keeps its outcome and replay record; Authlete is silent on that
 * order); an unknown ticket is not an error (§15 #2). A description or URI outside the RFC 6749 character set is left
 * out (the response stays well-formed) and the result message says so.
 */
export async function failBackchannelAuthentication(
  ctx: EngineContext,
  serviceId: number,
  input: BackchannelAuthenticationFailInput,
  held?: HeldTickets,
): Promise<BackchannelAuthenticationFailResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  // The API validates `reason`; a direct caller with an unknown one gets the default.
  const { action, error } = BY_REASON[input.reason as BackchannelAuthenticationFailReason] ?? BY_REASON.SERVER_ERROR;

  if (typeof input.ticket === 'string' && input.ticket !== '') {
    const digest = ctx.keyring.digest(input.ticket);
    if (!held?.take(serviceId, digest)) await ctx.store.deleteBackchannelRequest(serviceId, digest);
  }

  const descriptionOk = input.errorDescription === undefined || (input.errorDescription.length <= 1024 && DESCRIPTION_CHARSET.test(input.errorDescription));
  const uriOk = input.errorUri === undefined || (input.errorUri.length <= 2048 && URI_CHARSET.test(input.errorUri));
  const content = withoutNulls({
    error,
    error_description: descriptionOk ? input.errorDescription : undefined,
    error_uri: uriOk ? input.errorUri : undefined,
  });
  const head = actionHead(codes.failOk, action);
  return {
    ...head,
    ...(descriptionOk && uriOk ? {} : { resultMessage: `${head.resultMessage} ${resultMessage(codes.failBadDescription)}` }),
    responseContent: JSON.stringify(content),
  };
}
