import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes, type ResultCode } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import { parseJsonObjectText } from '../../lib/json-object.js';
import type { BackchannelRequestRecord, OutboxRecord } from '../../store/ports.js';
import { mintTokens, tokenResponseContent, type Grant } from '../tokens/mint-tokens.js';
import { loadClient, loadService, type ClientParty, type ServiceParty } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import type { PendingNotification } from './managed-requests.js';
import { recordTokensIssued } from '../audit/engine-events.js';

export type BackchannelAuthenticationCompleteResult = 'AUTHORIZED' | 'ACCESS_DENIED' | 'TRANSACTION_FAILED';
export type BackchannelAuthenticationCompleteAction = 'SERVER_ERROR' | 'NO_ACTION' | 'NOTIFICATION';
export type BackchannelAuthenticationCompleteResponse = Record<string, unknown> & { action: BackchannelAuthenticationCompleteAction };

export interface CompleteOptions {
  /** The request, when the caller has just read it by this ticket (saves a second read). */
  record?: BackchannelRequestRecord;
  /**
   * A front that manages the request (`ManagedCompletion.notification`): turns the notification
   * into an outbox row that is stored in the same transaction as the result.
   */
  outbox?: (notification: PendingNotification) => OutboxRecord;
}

export interface BackchannelAuthenticationCompleteInput {
  ticket?: string;
  result?: BackchannelAuthenticationCompleteResult;
  subject?: string;
  sub?: string;
  authTime?: number;
  acr?: string;
  claims?: string;
  properties?: { key?: string; value?: string; hidden?: boolean }[];
  scopes?: string[];
  errorDescription?: string;
  errorUri?: string;
  consentedClaims?: string[];
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  idTokenAudType?: string;
}

const STATUS_OF = { AUTHORIZED: 'authorized', ACCESS_DENIED: 'denied', TRANSACTION_FAILED: 'failed' } as const;
// CIBA §12 push error payloads; poll and ping clients learn the outcome at the token endpoint.
const PUSH_ERROR_OF = { ACCESS_DENIED: 'access_denied', TRANSACTION_FAILED: 'transaction_failed' } as const;
// RFC 6749 §5.2 character sets for error_description and error_uri.
const DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
const URI_CHARSET = /^[\x21\x23-\x5B\x5D-\x7E]*$/;

/**
 * How long after expiry the final TRANSACTION_FAILED of an unanswered request is still recorded:
 * the front's expiry sweep gives a request up at its expiry, not before (the client was promised
 * the whole `expires_in`), and this covers the sweep's period and lag. Nothing else is recorded
 * after expiry: no AUTHORIZED, no ACCESS_DENIED.
 */
export const EXPIRED_FAILURE_GRACE_MS = 30_000;

const serverError = (code: ResultCode, detail?: string) => withoutNulls({ ...actionHead(code, 'SERVER_ERROR' as const, detail) });

/**
 * `/backchannel/authentication/complete` (reference §6): records the device's outcome once. Poll:
 * NO_ACTION. Ping: NOTIFICATION with `{auth_req_id}`. Push: the tokens are minted now and the
 * NOTIFICATION carries them (or the error). A second call, or one after expiry, is SERVER_ERROR
 * in poll and a `server_error` NOTIFICATION in ping and push, which is what the reference
 * recommends where Authlete documents nothing — except TRANSACTION_FAILED within
 * EXPIRED_FAILURE_GRACE_MS after expiry, the expiry sweep's report of an unanswered request,
 * which is recorded (the token endpoint says expired_token either way) and notified.
 */
export async function completeBackchannelAuthentication(
  ctx: EngineContext,
  serviceId: number,
  input: BackchannelAuthenticationCompleteInput,
  options: CompleteOptions = {},
): Promise<BackchannelAuthenticationCompleteResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  if (typeof input.ticket !== 'string' || input.ticket === '') return serverError(codes.completeMissingTicket);
  const result = input.result;
  if (result !== 'AUTHORIZED' && result !== 'ACCESS_DENIED' && result !== 'TRANSACTION_FAILED') {
    return serverError(codes.completeBadInput, "'result' must be AUTHORIZED, ACCESS_DENIED or TRANSACTION_FAILED.");
  }
  if (result === 'AUTHORIZED' && (typeof input.subject !== 'string' || input.subject === '')) return serverError(codes.completeMissingSubject);
  let claims: Record<string, unknown> | undefined;
  if (input.claims !== undefined && input.claims !== '') {
    claims = parseJsonObjectText(input.claims);
    if (!claims) return serverError(codes.completeBadInput, "'claims' must be a JSON object.");
  }

  const ticketDigest = ctx.keyring.digest(input.ticket);
  const record = options.record ?? (await ctx.store.findBackchannelRequestByTicket(serviceId, ticketDigest));
  if (!record || record.authReqIdDigest === null) return serverError(codes.completeNoTicket);
  const client = await loadClient(ctx, serviceId, String(record.clientId));
  if (!client) return serverError(codes.completeNoTicket, 'The client of the request no longer exists.');
  const authReqId = record.authReqIdSealed ? ctx.keyring.open(record.authReqIdSealed) : '';

  const grant: Grant = withoutNulls({
    subject: input.subject ?? '',
    sub: input.sub,
    scopes: Array.isArray(input.scopes) ? input.scopes : ((record.request.scopes as string[] | undefined) ?? []),
    authTime: input.authTime,
    acr: input.acr,
    claims,
    properties: input.properties?.filter((p) => typeof p.key === 'string' && typeof p.value === 'string') as Grant['properties'],
    resources: record.request.resources as string[] | undefined,
    authorizationDetails: record.request.authorizationDetails,
    idTokenAudType: input.idTokenAudType === 'string' || input.idTokenAudType === 'array' ? input.idTokenAudType : undefined,
    accessTokenDuration: input.accessTokenDuration,
    refreshTokenDuration: input.refreshTokenDuration,
    consentedClaims: input.consentedClaims,
    clientIdAliasUsed: record.request.clientIdAliasUsed === true,
  });
  const errorExtras = withoutNulls({
    error_description: input.errorDescription !== undefined && DESCRIPTION_CHARSET.test(input.errorDescription) ? input.errorDescription : undefined,
    error_uri: input.errorUri !== undefined && URI_CHARSET.test(input.errorUri) ? input.errorUri : undefined,
  });

  const now = ctx.clock.now();
  // The instant the request must still be unexpired at for this completion to be recorded.
  const unexpiredAt = result === 'TRANSACTION_FAILED' ? now - EXPIRED_FAILURE_GRACE_MS : now;
  const common = commonFields(service, client, record, authReqId);
  // A push carrying tokens names their user: locking or deleting her cancels it while it waits.
  const outboxFor = (body: string, tokensOf?: string): OutboxRecord | undefined =>
    options.outbox && record.deliveryMode !== 'POLL' && typeof common.clientNotificationEndpoint === 'string'
      ? options.outbox({
          kind: record.deliveryMode === 'PUSH' ? 'push' : 'ping',
          endpoint: common.clientNotificationEndpoint,
          clientNotificationToken: String(record.request.clientNotificationToken ?? ''),
          body,
          expiresAt: record.expiresAt,
          serviceId,
          clientId: record.clientId,
          authReqId,
          ...(tokensOf ? { subject: tokensOf } : {}),
        })
      : undefined;

  if (record.deliveryMode === 'PUSH' && result === 'AUTHORIZED') {
    const minted = await mintTokens(ctx, service, client, grant, { grantType: 'CIBA', grantId: record.id, authReqId });
    if (!minted) return serverError(codes.completeBadInput, 'The service has no key for the client\'s idTokenSignAlg.');
    const content = tokenResponseContent(minted, grant.scopes, { auth_req_id: authReqId });
    const done = await ctx.store.completeBackchannelRequest(serviceId, ticketDigest, 'consumed', { result, grant }, now, minted.record, outboxFor(content, grant.subject), grant.subject);
    if (!done) return lateCompletion(record, common, authReqId);
    recordTokensIssued(ctx, record, authReqId, minted, grant.subject);
    return withoutNulls({
      ...actionHead(codes.completeNotification, 'NOTIFICATION' as const),
      ...common,
      responseContent: content,
      accessToken: minted.accessToken,
      refreshToken: minted.refreshToken,
      idToken: minted.idToken,
      accessTokenDuration: minted.accessTokenDuration,
      refreshTokenDuration: minted.refreshTokenDuration,
      idTokenDuration: minted.idTokenDuration,
    });
  }

  const content = JSON.stringify(
    record.deliveryMode === 'PUSH' && result !== 'AUTHORIZED'
      ? { auth_req_id: authReqId, error: PUSH_ERROR_OF[result], ...errorExtras }
      : { auth_req_id: authReqId },
  );
  const done = await ctx.store.completeBackchannelRequest(serviceId, ticketDigest, STATUS_OF[result], { result, grant, errorExtras }, unexpiredAt, undefined, outboxFor(content), result === 'AUTHORIZED' ? grant.subject : undefined);
  if (!done) return lateCompletion(record, common, authReqId);

  if (record.deliveryMode === 'POLL') return withoutNulls({ ...actionHead(codes.completePoll, 'NO_ACTION' as const), ...common });
  return withoutNulls({ ...actionHead(codes.completeNotification, 'NOTIFICATION' as const), ...common, responseContent: content });
}

function commonFields(service: ServiceParty, client: ClientParty, record: BackchannelRequestRecord, authReqId: string) {
  return withoutNulls({
    clientId: client.record.clientId,
    clientIdAlias: client.auth.clientIdAlias,
    // Whether the backchannel authentication request presented the alias (Authlete's rule).
    clientIdAliasUsed: record.request.clientIdAliasUsed === true,
    clientName: client.data.clientName,
    deliveryMode: record.deliveryMode,
    clientNotificationEndpoint: record.deliveryMode === 'POLL' ? undefined : client.data.bcNotificationEndpoint,
    clientNotificationToken: record.request.clientNotificationToken,
    authReqId: authReqId || undefined,
    resources: record.request.resources,
    authorizationDetails: record.request.authorizationDetails,
    serviceAttributes: settings.attributes(service.data),
    clientAttributes: settings.attributes(client.data),
  });
}

function lateCompletion(record: BackchannelRequestRecord, common: Record<string, unknown>, authReqId: string): BackchannelAuthenticationCompleteResponse {
  if (record.deliveryMode === 'POLL') return serverError(codes.completeAlreadyDone);
  const content = record.deliveryMode === 'PING' ? { auth_req_id: authReqId } : { auth_req_id: authReqId, error: 'server_error' };
  return withoutNulls({ ...actionHead(codes.completeAlreadyDone, 'NOTIFICATION' as const), ...common, responseContent: JSON.stringify(content) });
}
