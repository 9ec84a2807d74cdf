import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import { oauthErrorContent } from '../protocol/oauth-error-content.js';
import { refuse } from '../protocol/oauth-error.js';
import { loadService } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import type { HeldTickets } from './held-tickets.js';
import type { BackchannelRequestRecord } from '../../store/ports.js';
import { keyOf } from '../audit/engine-events.js';

export type BackchannelAuthenticationIssueAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_TICKET' | 'OK';
export type BackchannelAuthenticationIssueResponse = Record<string, unknown> & { action: BackchannelAuthenticationIssueAction };

/** 256 bits of CSPRNG output: 43 base64url characters. */
const AUTH_REQ_ID_BYTES = 32;

/**
 * `/backchannel/authentication/issue` (reference §4): ticket → auth_req_id. `expires_in` is what
 * is left of the lifetime fixed at /backchannel/authentication (the smaller of `requested_expiry`
 * and the service's duration, reference §15 #11); `interval` is always present and at least 1.
 */
export async function issueAuthReqId(
  ctx: EngineContext,
  serviceId: number,
  request: { ticket?: string },
  held?: HeldTickets,
): Promise<BackchannelAuthenticationIssueResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const invalid = (code: typeof codes.issueNoTicket) =>
    withoutNulls({
      ...actionHead(code, 'INVALID_TICKET' as const),
      responseContent: oauthErrorContent(refuse('server_error', code), settings.errorDescriptionOmitted(service.data)),
    });

  const ticket = request.ticket;
  if (typeof ticket !== 'string' || ticket === '') return invalid(codes.issueMissingTicket);
  const ticketDigest = ctx.keyring.digest(ticket);
  const now = ctx.clock.now();
  const authReqId = ctx.random.token(AUTH_REQ_ID_BYTES);

  const sealedId = { digest: ctx.keyring.digest(authReqId), sealed: ctx.keyring.seal(authReqId) };
  let issued: BackchannelRequestRecord | undefined;
  const kept = held?.take(serviceId, ticketDigest);
  if (kept) {
    // Held in memory since /backchannel/authentication (in-process front): stored now, issued.
    if (kept.expiresAt <= now) return invalid(codes.issueTicketExpired);
    issued = { ...kept, status: 'issued', authReqIdDigest: sealedId.digest, authReqIdSealed: sealedId.sealed };
    await ctx.store.createBackchannelRequest(issued);
  } else {
    // One conditional update; only a refusal reads the record, to say why.
    issued = await ctx.store.issueAuthReqId(serviceId, ticketDigest, sealedId, now);
    if (!issued) {
      const known = await ctx.store.findBackchannelRequestByTicket(serviceId, ticketDigest);
      return invalid(known ? codes.issueTicketExpired : codes.issueNoTicket);
    }
  }
  const expiresIn = Math.max(1, Math.ceil((issued.expiresAt - now) / 1000));
  const interval = issued.interval;
  ctx.audit.queue({ serviceId, type: 'request.issued', at: now, authReqId, ticket, ...keyOf(issued), clientId: String(issued.clientId), data: { expiresIn } });

  return {
    ...actionHead(codes.issueOk, 'OK' as const),
    responseContent: JSON.stringify({ auth_req_id: authReqId, expires_in: expiresIn, interval }),
    authReqId,
    expiresIn,
    interval,
  };
}
