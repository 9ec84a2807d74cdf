import type { ApiCaller } from '../../engine/access/api-callers.js';
import { apiErrors } from '../../engine/api-error.js';
import { processBackchannelAuthentication } from '../../engine/ciba/backchannel-authentication.js';
import { completeForApi } from '../../engine/ciba/complete-managed.js';
import { failBackchannelAuthentication } from '../../engine/ciba/fail.js';
import type { HeldTickets } from '../../engine/ciba/held-tickets.js';
import { issueAuthReqId } from '../../engine/ciba/issue.js';
import { createClient, deleteClient, getClient, listClients, updateClient } from '../../engine/clients/client-operations.js';
import { refreshClientSecret, updateClientSecret } from '../../engine/clients/client-secret.js';
import type { EngineContext } from '../../engine/context.js';
import { serviceConfiguration } from '../../engine/discovery/service-configuration.js';
import { createService, deleteService, getService, getServiceJwks, listServices, updateService } from '../../engine/services/service-operations.js';
import { introspectAccessToken } from '../../engine/token-apis/introspection.js';
import { revokeToken } from '../../engine/token-apis/revocation.js';
import { standardIntrospection } from '../../engine/token-apis/standard-introspection.js';
import { issueUserinfo, processUserinfo } from '../../engine/token-apis/userinfo.js';
import { processTokenRequest } from '../../engine/tokens/token-endpoint.js';
import { pageOf } from '../../wire/paging.js';
import type { OperationName, RequestOf } from '../operation-spec.js';

/** What run-operation.ts has established before the engine is called. */
export interface EngineCall {
  /** The service of the path (0 for organization-wide operations). */
  serviceId: number;
  /** The client of the path, its alias resolved (0 where the path has none). */
  clientId: number;
  caller: ApiCaller;
  /** Tickets of OpenCIBA's own front, held in memory between /backchannel/authentication and /issue or /fail. */
  held: HeldTickets | undefined;
}

// The answer is `unknown` here because the engine's own answer types are looser than the wire's
// (their resultCode is optional, for one); the SDK hands it out as ResponseOf<K>.
export type EngineOperation<K extends OperationName> = (ctx: EngineContext, request: RequestOf<K>, call: EngineCall) => Promise<unknown>;

/**
 * The engine function of each operation of the table (api-operations.ts), for the API's routes
 * and the in-process SDK alike. Each gets the SDK request with its body already checked (and
 * `{}` for an absent one); the answer is the engine's value or an ApiError.
 */
export const engineOperations: { [K in OperationName]: EngineOperation<K> } = {
  'service.create': (ctx, service) => createService(ctx, service),
  'service.list': (ctx, r, { caller }) => {
    const { start, end } = pageOf(r);
    // A service token sees its own service only.
    return listServices(ctx, start, end, caller.kind === 'service' ? caller.serviceId : undefined);
  },
  'service.get': (ctx, _r, { serviceId }) => getService(ctx, serviceId),
  'service.update': (ctx, r, { serviceId }) => updateService(ctx, serviceId, r.service ?? {}),
  'service.delete': (ctx, _r, { serviceId }) => deleteService(ctx, serviceId),
  'service.getConfiguration': (ctx, r, { serviceId }) => serviceConfiguration(ctx, serviceId, r.patch),
  'client.create': (ctx, r, { serviceId }) => createClient(ctx, serviceId, r.client ?? {}),
  'client.list': (ctx, r, { serviceId }) => {
    const { start, end } = pageOf(r);
    return listClients(ctx, serviceId, start, end, r.developer);
  },
  'client.get': (ctx, _r, { serviceId, clientId }) => getClient(ctx, serviceId, clientId),
  'client.update': (ctx, r, { serviceId, clientId }) => updateClient(ctx, serviceId, clientId, r.client ?? {}),
  'client.delete': (ctx, _r, { serviceId, clientId }) => deleteClient(ctx, serviceId, clientId),
  'clientManagement.refreshSecret': (ctx, _r, { serviceId, clientId }) => refreshClientSecret(ctx, serviceId, clientId),
  'clientManagement.updateSecret': (ctx, r, { serviceId, clientId }) => updateClientSecret(ctx, serviceId, clientId, r.clientSecretUpdateRequest?.clientSecret),
  'jwkSetEndpoint.serviceJwksGetApi': async (ctx, r, { serviceId, caller }) => {
    const includePrivate = r.includePrivateKeys === true;
    if (includePrivate && caller.kind !== 'organization') return apiErrors.forbidden('Private keys are given only to the organization token.');
    return getServiceJwks(ctx, serviceId, includePrivate);
  },
  'ciba.processAuthentication': (ctx, r, { serviceId, held }) => processBackchannelAuthentication(ctx, serviceId, r.backchannelAuthenticationRequest, held),
  'ciba.issue': (ctx, r, { serviceId, held }) => issueAuthReqId(ctx, serviceId, r.backchannelAuthenticationIssueRequest, held),
  'ciba.fail': (ctx, r, { serviceId, held }) => failBackchannelAuthentication(ctx, serviceId, r.backchannelAuthenticationFailRequest, held),
  'ciba.complete': (ctx, r, { serviceId }) => completeForApi(ctx, serviceId, r.backchannelAuthenticationCompleteRequest),
  'token.process': (ctx, r, { serviceId }) => processTokenRequest(ctx, serviceId, r.tokenRequest),
  'introspection.process': (ctx, r, { serviceId }) => introspectAccessToken(ctx, serviceId, r.introspectionRequest),
  'introspection.standardProcess': (ctx, r, { serviceId }) => standardIntrospection(ctx, serviceId, r.standardIntrospectionRequest),
  'revocation.process': (ctx, r, { serviceId }) => revokeToken(ctx, serviceId, r.revocationRequest),
  'userinfo.process': (ctx, r, { serviceId }) => processUserinfo(ctx, serviceId, r.userinfoRequest),
  'userinfo.issue': (ctx, r, { serviceId }) => issueUserinfo(ctx, serviceId, r.userinfoIssueRequest),
};
