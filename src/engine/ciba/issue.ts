import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../wire/json.js';
import { oauthErrorContent } from './oauth-content.js';
import { loadService } from './parties.js';
import { actionHead } from './responses.js';

export type BackchannelAuthenticationIssueAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_TICKET' | 'OK';
export type BackchannelAuthenticationIssueResponse = Record<string, unknown> & { action: BackchannelAuthenticationIssueAction };

/** 256 bits of CSPRNG output: 43 base64url characters. */
const AUTH_REQ_ID_BYTES = 32;

/**
 * `/backchannel/authentication/issue` (reference §4): ticket → auth_req_id. `expires_in` is the
 * smaller of `requested_expiry` and the service's duration (a design choice where Authlete is
 * silent, reference §15 #11); `interval` is always present and at least 1.
 */
export async function issueAuthReqId(ctx: EngineContext, serviceId: number, request: { ticket?: string }): Promise<BackchannelAuthenticationIssueResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const invalid = (code: typeof codes.issueNoTicket) =>
    withoutNulls({
      ...actionHead(code, 'INVALID_TICKET' as const),
      responseContent: oauthErrorContent('server_error', code, { omitDescription: settings.errorDescriptionOmitted(service.data) }),
    });

  const ticket = request.ticket;
  if (typeof ticket !== 'string' || ticket === '') return invalid(codes.issueMissingTicket);
  const ticketDigest = ctx.keyring.digest(ticket);
  const record = await ctx.store.findBackchannelRequestByTicket(serviceId, ticketDigest);
  if (!record) return invalid(codes.issueNoTicket);

  const now = ctx.clock.now();
  const duration = settings.authReqIdDuration(service.data);
  const requested = typeof record.request.requestedExpiry === 'number' ? record.request.requestedExpiry : undefined;
  const expiresIn = requested !== undefined && requested > 0 ? Math.min(requested, duration) : duration;
  const interval = Math.max(1, settings.pollingInterval(service.data));
  const authReqId = ctx.random.token(AUTH_REQ_ID_BYTES);

  const issued = await ctx.store.issueAuthReqId(
    serviceId,
    ticketDigest,
    { digest: ctx.keyring.digest(authReqId), sealed: ctx.keyring.seal(authReqId) },
    now + expiresIn * 1000,
    interval,
    now,
  );
  if (!issued) return invalid(codes.issueTicketExpired);

  return {
    ...actionHead(codes.issueOk, 'OK' as const),
    responseContent: JSON.stringify({ auth_req_id: authReqId, expires_in: expiresIn, interval }),
    authReqId,
    expiresIn,
    interval,
  };
}
