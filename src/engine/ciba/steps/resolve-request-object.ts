import type { EngineContext } from '../../context.js';
import { requestObjectRequired, verifyRequestObject } from '../../request-object/verify-request-object.js';
import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import type { FormParameters } from '../../protocol/form-parameters.js';
import { clientPublicKeys, type ClientParty, type ServiceParty } from '../../protocol/parties.js';
import { isOAuthError, refuse, type Refusal } from '../../protocol/oauth-error.js';
import { FAPI_RULES, FAPI_SIGNING_ALGS, fapiApplies } from '../../fapi/fapi-profile.js';

export interface ResolvedParameters {
  /** The authentication request parameters that count (CIBA §7.1.1). */
  parameters: ReadonlyMap<string, unknown>;
  /** FAPI-CIBA `request_context`, as JSON text. */
  requestContext?: string;
}

/**
 * With a `request` parameter — required once the client registered bcRequestSignAlg — only the
 * signed request object's claims are the authentication request (CIBA §7.1.1); the form then
 * contributes nothing but client authentication. Without one, the form is the request.
 */
export async function resolveRequestObject(
  ctx: EngineContext,
  service: ServiceParty,
  client: ClientParty,
  form: FormParameters,
): Promise<ResolvedParameters | Refusal> {
  const requestObject = form.get('request');
  const signAlg = typeof client.data.bcRequestSignAlg === 'string' ? client.data.bcRequestSignAlg : undefined;
  const fapi = fapiApplies(service.data, client.data);
  const roClient = {
    clientId: client.record.clientId,
    ...(client.auth.clientIdAlias ? { clientIdAlias: client.auth.clientIdAlias } : {}),
    ...(signAlg ? { bcRequestSignAlg: signAlg } : {}),
    ...(fapi ? { profileAlgs: { algs: FAPI_SIGNING_ALGS, rule: FAPI_RULES.algorithms } } : {}),
  };

  if (requestObject === undefined || requestObject === '') {
    // conformance #43: FAPI-CIBA requires the signed form, whatever the client registered.
    if (fapi) return refuse('invalid_request', codes.bcRequestObjectRequired, `The request parameter is missing: ${FAPI_RULES.signedRequest}.`);
    // Authlete's requestObjectRequired (service or client) speaks of authorization requests; a
    // backchannel authentication request is one (CIBA §7.1), so it is held to it too.
    const required = requestObjectRequired(roClient) || service.data.requestObjectRequired === true || client.data.requestObjectRequired === true;
    if (required) return refuse('invalid_request', codes.bcRequestObjectRequired);
    return { parameters: form };
  }
  if (typeof requestObject !== 'string') return refuse('invalid_request', codes.bcBadRequestObject);

  const verified = await verifyRequestObject(requestObject, roClient, {
    issuer: service.issuer,
    audiences: [service.data.backchannelAuthenticationEndpoint, service.data.tokenEndpoint].filter((a): a is string => typeof a === 'string'),
    clientKeys: () => clientPublicKeys(ctx, client.data),
    claimJti: (jti, expiresAt) => ctx.store.claimJti(`request-object:${service.record.apiKey}:${client.record.clientId}`, jti, expiresAt * 1000, ctx.clock.now()),
    now: Math.floor(ctx.clock.now() / 1000),
    clockSkew: settings.clockSkew(service.data),
  });
  if (isOAuthError(verified)) return refuse('invalid_request', codes.bcBadRequestObject, `The request object is invalid: ${verified.description}.`);

  const parameters = new Map<string, unknown>(Object.entries(verified.claims));
  const context = parameters.get('request_context');
  parameters.delete('request_context');
  return {
    parameters,
    ...(context !== undefined ? { requestContext: typeof context === 'string' ? context : JSON.stringify(context) } : {}),
  };
}
