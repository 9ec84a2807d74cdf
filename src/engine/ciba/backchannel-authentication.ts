import type { EngineContext } from '../context.js';
import type { BackchannelRequestRecord } from '../../store/ports.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import type { DeliveryMode } from '../../wire/enums.js';
import { authenticateParty } from '../protocol/authenticate-party.js';
import { parseFormParameters, single, type FormParameters } from '../protocol/form-parameters.js';
import { loadService, type ClientParty, type ServiceParty } from '../protocol/parties.js';
import { isOAuthError, refuse, type Refusal } from '../protocol/oauth-error.js';
import type { HeldTickets } from './held-tickets.js';
import { actionHead } from '../protocol/action-head.js';
import { oauthErrorAnswer } from '../protocol/oauth-error-answer.js';
import { resolveRequestObject } from './steps/resolve-request-object.js';
import { checkAuthorizationDetails } from './steps/check-authorization-details.js';
import { checkAuthorizationDetailsTypes } from './steps/check-authorization-details-types.js';
import { checkBindingMessage } from './steps/check-binding-message.js';
import { checkGrantAndDeliveryMode } from './steps/check-grant-and-delivery-mode.js';
import { checkHints } from './steps/check-hints.js';
import { checkNotificationToken } from './steps/check-notification-token.js';
import { checkRequestedExpiry } from './steps/check-requested-expiry.js';
import { checkResources } from './steps/check-resources.js';
import { checkScopes } from './steps/check-scopes.js';
import { checkUserCode } from './steps/check-user-code.js';
import { filterAcrValues } from './steps/filter-acr-values.js';
import { verifyIdTokenHint } from './steps/verify-id-token-hint.js';
import { checkFapiClient } from './steps/check-fapi-client.js';
import { fapiBindingMessageRequired } from '../fapi/fapi-profile.js';
import { authorizationDetailsDigest, keyOf } from '../audit/engine-events.js';
import { orderedId } from '../../lib/ordered-id.js';

export interface BackchannelAuthenticationRequest {
  parameters?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePath?: string[];
}

export type BackchannelAuthenticationAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'USER_IDENTIFICATION';
export type BackchannelAuthenticationResponse = Record<string, unknown> & { action: BackchannelAuthenticationAction; resultCode: string };

/** Bytes of randomness in a ticket (never shown to the OAuth client). */
const TICKET_BYTES = 32;

/**
 * `/backchannel/authentication` (reference §3): authenticate the client, check the request
 * step by step, and on success keep it under a ticket for /issue, /fail and /complete.
 */
export async function processBackchannelAuthentication(
  ctx: EngineContext,
  serviceId: number,
  request: BackchannelAuthenticationRequest,
  held?: HeldTickets,
): Promise<BackchannelAuthenticationResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const outcome = await evaluate(ctx, service, request, held);
  if (isOAuthError(outcome)) return oauthErrorAnswer(service, outcome, 'UNAUTHORIZED') as BackchannelAuthenticationResponse;
  return outcome;
}

async function evaluate(
  ctx: EngineContext,
  service: ServiceParty,
  request: BackchannelAuthenticationRequest,
  held: HeldTickets | undefined,
): Promise<BackchannelAuthenticationResponse | Refusal> {
  if (typeof request.parameters !== 'string' || request.parameters === '') return refuse('invalid_request', codes.bcMissingParameters);
  const form = parseFormParameters(request.parameters);
  if (typeof form === 'string') return refuse('invalid_request', codes.bcMalformedParameters, `The request parameters are malformed: ${form}.`);

  const client = await authenticate(ctx, service, request, form);
  if (isOAuthError(client)) return client;

  const deliveryMode = checkGrantAndDeliveryMode(service, client.party);
  if (isOAuthError(deliveryMode)) return deliveryMode;
  const fapiProblem = checkFapiClient(service, client.party);
  if (fapiProblem) {
    ctx.audit.queue({ serviceId: service.record.apiKey, type: 'security.refused', clientId: String(client.party.record.clientId), data: { rule: 'fapi', detail: fapiProblem.description } });
    return fapiProblem;
  }

  const resolved = await resolveRequestObject(ctx, service, client.party, form);
  if (isOAuthError(resolved)) return resolved;
  const parameters = resolved.parameters;

  return checkAndKeep(ctx, service, client, deliveryMode, parameters, resolved.requestContext, held);
}

async function authenticate(ctx: EngineContext, service: ServiceParty, request: BackchannelAuthenticationRequest, form: FormParameters) {
  const authenticated = await authenticateParty(ctx, service, request, form, {
    audiences: [service.data.backchannelAuthenticationEndpoint, service.data.tokenEndpoint],
    code: codes.bcClientAuthFailed,
  });
  if (isOAuthError(authenticated)) return authenticated;
  const presentedId = request.clientId ?? single(form, 'client_id');
  const aliasUsed = presentedId !== undefined && presentedId !== String(authenticated.party.record.clientId);
  return { ...authenticated, aliasUsed };
}

async function checkAndKeep(
  ctx: EngineContext,
  service: ServiceParty,
  client: { party: ClientParty; method: string; aliasUsed: boolean },
  deliveryMode: DeliveryMode,
  parameters: ReadonlyMap<string, unknown>,
  requestContext: string | undefined,
  held: HeldTickets | undefined,
): Promise<BackchannelAuthenticationResponse | Refusal> {
  const party = client.party;
  const scopes = checkScopes(service, party, parameters.get('scope'));
  if (isOAuthError(scopes)) return scopes;
  const hint = checkHints(parameters);
  if (isOAuthError(hint)) return hint;
  let sub: string | undefined;
  if (hint.hintType === 'ID_TOKEN_HINT') {
    const verified = await verifyIdTokenHint(hint.hint, service, party);
    if (isOAuthError(verified)) return verified;
    sub = verified;
  }
  const notificationToken = checkNotificationToken(parameters.get('client_notification_token'), deliveryMode);
  if (isOAuthError(notificationToken)) return notificationToken;
  const requestedExpiry = checkRequestedExpiry(parameters.get('requested_expiry'));
  if (isOAuthError(requestedExpiry)) return requestedExpiry;
  const userCode = checkUserCode(service, party, parameters.get('user_code'));
  if (isOAuthError(userCode)) return userCode;
  const bindingMessage = checkBindingMessage(parameters.get('binding_message'), fapiBindingMessageRequired(service.data, party.data));
  if (isOAuthError(bindingMessage)) return bindingMessage;
  const resources = checkResources(parameters.get('resource'));
  if (isOAuthError(resources)) return resources;
  const authorizationDetails = checkAuthorizationDetails(parameters.get('authorization_details'));
  if (isOAuthError(authorizationDetails)) return authorizationDetails;
  const detailsTypes = checkAuthorizationDetailsTypes(service, party, authorizationDetails);
  if (detailsTypes) return detailsTypes;
  const acrs = filterAcrValues(service, parameters.get('acr_values'), party);

  const kept = withoutNulls({
    scopes: scopes.names,
    claimNames: scopes.claimNames,
    acrs,
    hintType: hint.hintType,
    hint: hint.hint,
    sub,
    bindingMessage,
    // Not the user code: the front checks it from this call's answer, and nothing later needs
    // it, so it is never stored (it is a secret of the user's, kept only as a hash).
    requestedExpiry,
    requestContext,
    clientNotificationToken: notificationToken,
    resources,
    authorizationDetails,
    clientAuthMethod: client.method,
    // Names the client in the grant's ID tokens and token answers (Grant.clientIdAliasUsed).
    clientIdAliasUsed: client.aliasUsed,
  });

  const now = ctx.clock.now();
  const ticket = ctx.random.token(TICKET_BYTES);
  const record: BackchannelRequestRecord = {
    id: orderedId(now, ctx.random),
    ticketDigest: ctx.keyring.digest(ticket),
    authReqIdDigest: null,
    authReqIdSealed: null,
    serviceId: service.record.apiKey,
    clientId: party.record.clientId,
    status: 'identified',
    deliveryMode,
    request: kept,
    result: null,
    interval: Math.max(1, settings.pollingInterval(service.data)),
    lastPolledAt: null,
    createdAt: now,
    // The whole transaction's lifetime is fixed now: the smaller of requested_expiry and the
    // service's duration (a design choice where Authlete is silent, reference §15 #11). /issue
    // reports what is left of it, so expires_in never outlasts the record.
    expiresAt: now + lifetimeSeconds(requestedExpiry, settings.authReqIdDuration(service.data)) * 1000,
  };
  if (held) held.hold(record, now);
  else await ctx.store.createBackchannelRequest(record);
  // Before /issue there is no auth_req_id: the ticket ties this event to the transaction.
  ctx.audit.queue({
    serviceId: record.serviceId,
    type: 'backchannel.requested',
    at: now,
    ticket,
    ...keyOf(record),
    clientId: String(party.record.clientId),
    ...(sub ? { subject: sub } : {}),
    data: withoutNulls({
      clientId: String(party.record.clientId),
      hintType: hint.hintType,
      scopes: scopes.names,
      bindingMessage,
      authorizationDetailsDigest: authorizationDetailsDigest(authorizationDetails),
      deliveryMode,
    }),
  });

  return withoutNulls({
    ...actionHead(codes.bcUserIdentification, 'USER_IDENTIFICATION' as const),
    ticket,
    clientId: party.record.clientId,
    clientIdAlias: party.auth.clientIdAlias,
    clientIdAliasUsed: client.aliasUsed,
    clientName: party.data.clientName,
    clientAuthMethod: client.method,
    deliveryMode,
    scopes: scopes.scopes,
    claimNames: scopes.claimNames.length > 0 ? scopes.claimNames : undefined,
    acrs,
    hintType: hint.hintType,
    hint: hint.hint,
    sub,
    bindingMessage,
    userCode: userCode.userCode,
    userCodeRequired: userCode.userCodeRequired,
    requestedExpiry: requestedExpiry ?? 0,
    requestContext,
    clientNotificationToken: notificationToken,
    resources,
    authorizationDetails,
    serviceAttributes: settings.attributes(service.data),
    clientAttributes: settings.attributes(party.data),
  }) as BackchannelAuthenticationResponse;
}

function lifetimeSeconds(requestedExpiry: number | undefined, duration: number): number {
  return requestedExpiry !== undefined && requestedExpiry > 0 ? Math.min(requestedExpiry, duration) : duration;
}
