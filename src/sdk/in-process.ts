import { apiErrors, isApiError, type ApiError } from '../engine/api-error.js';
import { processBackchannelAuthentication } from '../engine/ciba/backchannel-authentication.js';
import { completeForApi } from '../engine/ciba/complete-managed.js';
import { failBackchannelAuthentication } from '../engine/ciba/fail.js';
import { issueAuthReqId } from '../engine/ciba/issue.js';
import { HeldTickets } from '../engine/ciba/held-tickets.js';
import { createClient, deleteClient, getClient, listClients, updateClient } from '../engine/clients/client-operations.js';
import { resolveClientId } from '../engine/clients/client-id-alias.js';
import type { EngineContext } from '../engine/context.js';
import { createService, deleteService, getService, getServiceJwks, listServices, updateService } from '../engine/services/service-operations.js';
import { introspectAccessToken } from '../engine/token-apis/introspection.js';
import { revokeToken } from '../engine/token-apis/revocation.js';
import { standardIntrospection } from '../engine/token-apis/standard-introspection.js';
import { issueUserinfo, processUserinfo } from '../engine/token-apis/userinfo.js';
import { processTokenRequest } from '../engine/tokens/token-endpoint.js';
import { apiPaths } from './api-paths.js';
import { OpenCibaApiError } from './errors.js';
import type { OpenCibaApi } from './openciba-api.js';
import { checkedBody, checkedPaging } from './request-checks.js';
import { serviceConfiguration } from '../engine/discovery/service-configuration.js';
import { pageOf } from '../wire/paging.js';
import { projectOnto } from './wire-projection.js';

// Ids in paths are 1–15 digits, as the HTTP API's route hooks accept them.
const NUMERIC_ID = /^[0-9]{1,15}$/;
const DEVELOPER_MAX_LENGTH = 256;

function toApiError(error: ApiError, apiPath: string): OpenCibaApiError {
  return new OpenCibaApiError(error.status, error.resultCode, error.message(apiPath));
}

/**
 * The API in-process, on the engine directly: no HTTP and no caller authentication (whoever
 * holds the EngineContext is trusted as the organization), otherwise the same answers as the
 * HTTP API gives — the same bodies, and for API-level failures the same status, resultCode
 * and resultMessage, thrown as `OpenCibaApiError`.
 */
export interface InProcessOptions {
  /**
   * For OpenCIBA's own front only: its requests are well-formed by construction and it only
   * reads the answers, so the wire checks and the defensive copies are skipped (they cost
   * about 5% of a flow), and the tickets of /backchannel/authentication are held in memory
   * until its /issue or /fail (engine/ciba/held-tickets.ts). Everyone else gets exactly what the
   * HTTP API would send, and stored tickets.
   */
  trustedCaller?: boolean;
}

export function createInProcessApi(ctx: EngineContext, options: InProcessOptions = {}): OpenCibaApi {
  const trusted = options.trustedCaller === true;
  const held = trusted ? new HeldTickets() : undefined;
  /**
   * Runs one operation. `work` returns the engine's answer or an ApiError; the answer is
   * handed out as the JSON the HTTP API would have sent (projected onto its wire schema when
   * the route has one, no shared references, no `undefined` members). An exception is what
   * the HTTP API turns into a 500 A001101.
   */
  async function run<T>(apiPath: string, responseSchema: string | undefined, work: () => Promise<unknown>): Promise<T> {
    let result: unknown;
    try {
      result = await work();
    } catch (error) {
      const failure = apiErrors.serverError();
      throw new OpenCibaApiError(failure.status, failure.resultCode, failure.message(apiPath), { cause: error });
    }
    if (isApiError(result)) throw toApiError(result, apiPath);
    if (result === undefined || trusted) return result as T;
    const plain: unknown = JSON.parse(JSON.stringify(result));
    return (responseSchema === undefined ? plain : projectOnto(responseSchema, plain)) as T;
  }

  /** The service id of a path, or the 404 the HTTP API gives for one that cannot exist. */
  function serviceIdOf(raw: string): number | ApiError {
    const text = String(raw);
    return NUMERIC_ID.test(text) ? Number(text) : apiErrors.serviceNotFound(text.slice(0, 32));
  }

  /** A client id or custom alias, as the HTTP API resolves it. */
  async function clientIdOf(serviceId: number, raw: string): Promise<number | ApiError> {
    const text = String(raw);
    return (await resolveClientId(ctx, serviceId, text)) ?? apiErrors.clientNotFound(text.slice(0, 32));
  }

  /** A service-scoped operation on a checked body: serviceId first, then the body, as the HTTP route orders its checks. */
  function scoped<B, T>(
    apiPath: string,
    rawServiceId: string,
    [requestSchema, responseSchema]: [string, string],
    body: B | undefined,
    engine: (serviceId: number, body: B) => Promise<unknown>,
  ): Promise<T> {
    return run<T>(apiPath, responseSchema, async () => {
      const serviceId = serviceIdOf(rawServiceId);
      if (isApiError(serviceId)) return serviceId;
      if (trusted) return engine(serviceId, (body ?? {}) as B);
      const checked = checkedBody(requestSchema, body);
      if (isApiError(checked)) return checked;
      return engine(serviceId, checked);
    });
  }

  return {
    ciba: {
      processAuthentication: (r) =>
        scoped(apiPaths.backchannelAuthentication, r.serviceId, ['backchannel_authentication_request', 'backchannel_authentication_response'], r.backchannelAuthenticationRequest, (id, body) =>
          processBackchannelAuthentication(ctx, id, body, held)),
      issue: (r) =>
        scoped(apiPaths.backchannelAuthenticationIssue, r.serviceId, ['backchannel_authentication_issue_request', 'backchannel_authentication_issue_response'], r.backchannelAuthenticationIssueRequest, (id, body) =>
          issueAuthReqId(ctx, id, body, held)),
      fail: (r) =>
        scoped(apiPaths.backchannelAuthenticationFail, r.serviceId, ['backchannel_authentication_fail_request', 'backchannel_authentication_fail_response'], r.backchannelAuthenticationFailRequest, (id, body) =>
          failBackchannelAuthentication(ctx, id, body, held)),
      complete: (r) =>
        scoped(apiPaths.backchannelAuthenticationComplete, r.serviceId, ['backchannel_authentication_complete_request', 'backchannel_authentication_complete_response'], r.backchannelAuthenticationCompleteRequest, (id, body) =>
          completeForApi(ctx, id, body)),
    },
    token: {
      process: (r) => scoped(apiPaths.token, r.serviceId, ['token_request', 'token_response'], r.tokenRequest, (id, body) => processTokenRequest(ctx, id, body)),
    },
    introspection: {
      process: (r) => scoped(apiPaths.introspection, r.serviceId, ['introspection_request', 'introspection_response'], r.introspectionRequest, (id, body) => introspectAccessToken(ctx, id, body)),
      standardProcess: (r) =>
        scoped(apiPaths.introspectionStandard, r.serviceId, ['standard_introspection_request', 'standard_introspection_response'], r.standardIntrospectionRequest, (id, body) =>
          standardIntrospection(ctx, id, body)),
    },
    revocation: {
      process: (r) => scoped(apiPaths.revocation, r.serviceId, ['revocation_request', 'revocation_response'], r.revocationRequest, (id, body) => revokeToken(ctx, id, body)),
    },
    userinfo: {
      process: (r) => scoped(apiPaths.userinfo, r.serviceId, ['userinfo_request', 'userinfo_response'], r.userinfoRequest, (id, body) => processUserinfo(ctx, id, body)),
      issue: (r) => scoped(apiPaths.userinfoIssue, r.serviceId, ['userinfo_issue_request', 'userinfo_issue_response'], r.userinfoIssueRequest, (id, body) => issueUserinfo(ctx, id, body)),
    },
    service: {
      get: (r) =>
        run(apiPaths.serviceGet, 'service', async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : getService(ctx, serviceId);
        }),
      list: (r = {}) =>
        run(apiPaths.serviceGetList, 'service_get_list_response', async () => {
          const invalid = checkedPaging(r);
          if (invalid) return invalid;
          const { start, end } = pageOf(r);
          return listServices(ctx, start, end);
        }),
      create: (service) =>
        run(apiPaths.serviceCreate, 'service', async () => {
          const checked = checkedBody('service', service);
          return isApiError(checked) ? checked : createService(ctx, checked);
        }),
      update: (r) => scoped(apiPaths.serviceUpdate, r.serviceId, ['service', 'service'], r.service, (id, body) => updateService(ctx, id, body)),
      delete: (r) =>
        run(apiPaths.serviceDelete, undefined, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : deleteService(ctx, serviceId);
        }),
      getConfiguration: (r) =>
        run(apiPaths.serviceConfiguration, undefined, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : serviceConfiguration(ctx, serviceId, r.patch);
        }),
    },
    client: {
      get: (r) =>
        run(apiPaths.clientGet(r.clientId), 'client', async () => {
          const serviceId = serviceIdOf(r.serviceId);
          if (isApiError(serviceId)) return serviceId;
          const clientId = await clientIdOf(serviceId, r.clientId);
          return isApiError(clientId) ? clientId : getClient(ctx, serviceId, clientId);
        }),
      list: (r) =>
        run(apiPaths.clientGetList, 'client_get_list_response', async () => {
          const serviceId = serviceIdOf(r.serviceId);
          if (isApiError(serviceId)) return serviceId;
          const invalid = checkedPaging(r);
          if (invalid) return invalid;
          if (r.developer !== undefined && (typeof r.developer !== 'string' || r.developer.length > DEVELOPER_MAX_LENGTH)) {
            return apiErrors.badRequest(`The querystring is invalid: 'developer' must be a string of at most ${DEVELOPER_MAX_LENGTH} characters.`);
          }
          const { start, end } = pageOf(r);
          return listClients(ctx, serviceId, start, end, r.developer);
        }),
      create: (r) => scoped(apiPaths.clientCreate, r.serviceId, ['client', 'client'], r.client, (id, body) => createClient(ctx, id, body)),
      update: (r) =>
        scoped(apiPaths.clientUpdate(r.clientId), r.serviceId, ['client', 'client'], r.client, async (id, body) => {
          const clientId = await clientIdOf(id, r.clientId);
          return isApiError(clientId) ? clientId : updateClient(ctx, id, clientId, body);
        }),
      delete: (r) =>
        run(apiPaths.clientDelete(r.clientId), undefined, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          if (isApiError(serviceId)) return serviceId;
          const clientId = await clientIdOf(serviceId, r.clientId);
          return isApiError(clientId) ? clientId : deleteClient(ctx, serviceId, clientId);
        }),
    },
    jwkSetEndpoint: {
      serviceJwksGetApi: async (r) =>
        (await run<Record<string, unknown> | undefined>(apiPaths.serviceJwksGet, undefined, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : getServiceJwks(ctx, serviceId, r.includePrivateKeys === true);
        })) ?? {},
    },
  };
}
