import { apiErrors, isApiError, type ApiError } from '../engine/api-error.js';
import { processBackchannelAuthentication } from '../engine/ciba/backchannel-authentication.js';
import { completeForApi } from '../engine/ciba/complete-managed.js';
import { failBackchannelAuthentication } from '../engine/ciba/fail.js';
import { issueAuthReqId } from '../engine/ciba/issue.js';
import { createClient, deleteClient, getClient, listClients, updateClient } from '../engine/clients/client-operations.js';
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
import { serviceConfiguration } from './service-configuration.js';

// Ids in paths are 1–15 digits, as the HTTP API's route hooks accept them.
const NUMERIC_ID = /^[0-9]{1,15}$/;
const MAX_PAGE = 1000;
const DEVELOPER_MAX_LENGTH = 256;

function toApiError(error: ApiError, apiPath: string): OpenCibaApiError {
  return new OpenCibaApiError(error.status, error.resultCode, error.message(apiPath));
}

/** `start` inclusive (default 0), `end` exclusive (default start + 5, at most start + 1000), as the HTTP API pages. */
function pageOf(query: { start?: number; end?: number }): { start: number; end: number } {
  const start = query.start ?? 0;
  const end = Math.max(start, Math.min(query.end ?? start + 5, start + MAX_PAGE));
  return { start, end };
}

/**
 * The API in-process, on the engine directly: no HTTP and no caller authentication (whoever
 * holds the EngineContext is trusted as the organization), otherwise the same answers as the
 * HTTP API gives — the same bodies, and for API-level failures the same status, resultCode
 * and resultMessage, thrown as `OpenCibaApiError`.
 */
export function createInProcessApi(ctx: EngineContext): OpenCibaApi {
  /**
   * Runs one operation. `work` returns the engine's answer or an ApiError; the answer is
   * handed out as the JSON it would have been on the wire (no shared references, no
   * `undefined` members). An exception is what the HTTP API turns into a 500 A001101.
   */
  async function run<T>(apiPath: string, work: () => Promise<unknown>): Promise<T> {
    let result: unknown;
    try {
      result = await work();
    } catch (error) {
      const failure = apiErrors.serverError();
      throw new OpenCibaApiError(failure.status, failure.resultCode, failure.message(apiPath), { cause: error });
    }
    if (isApiError(result)) throw toApiError(result, apiPath);
    return (result === undefined ? undefined : JSON.parse(JSON.stringify(result))) as T;
  }

  /** The service id of a path, or the 404 the HTTP API gives for one that cannot exist. */
  function serviceIdOf(raw: string): number | ApiError {
    const text = String(raw);
    return NUMERIC_ID.test(text) ? Number(text) : apiErrors.serviceNotFound(text.slice(0, 32));
  }

  function clientIdOf(raw: string): number | ApiError {
    const text = String(raw);
    return NUMERIC_ID.test(text) ? Number(text) : apiErrors.clientNotFound(text.slice(0, 32));
  }

  /** A service-scoped operation on a checked body: serviceId first, then the body, as the HTTP route orders its checks. */
  function scoped<B, T>(apiPath: string, rawServiceId: string, schema: string, body: B | undefined, engine: (serviceId: number, body: B) => Promise<unknown>): Promise<T> {
    return run<T>(apiPath, async () => {
      const serviceId = serviceIdOf(rawServiceId);
      if (isApiError(serviceId)) return serviceId;
      const checked = checkedBody(schema, body);
      if (isApiError(checked)) return checked;
      return engine(serviceId, checked);
    });
  }

  return {
    ciba: {
      processAuthentication: (r) =>
        scoped(apiPaths.backchannelAuthentication, r.serviceId, 'backchannel_authentication_request', r.backchannelAuthenticationRequest, (id, body) =>
          processBackchannelAuthentication(ctx, id, body)),
      issue: (r) =>
        scoped(apiPaths.backchannelAuthenticationIssue, r.serviceId, 'backchannel_authentication_issue_request', r.backchannelAuthenticationIssueRequest, (id, body) =>
          issueAuthReqId(ctx, id, body)),
      fail: (r) =>
        scoped(apiPaths.backchannelAuthenticationFail, r.serviceId, 'backchannel_authentication_fail_request', r.backchannelAuthenticationFailRequest, (id, body) =>
          failBackchannelAuthentication(ctx, id, body)),
      complete: (r) =>
        scoped(apiPaths.backchannelAuthenticationComplete, r.serviceId, 'backchannel_authentication_complete_request', r.backchannelAuthenticationCompleteRequest, (id, body) =>
          completeForApi(ctx, id, body)),
    },
    token: {
      process: (r) => scoped(apiPaths.token, r.serviceId, 'token_request', r.tokenRequest, (id, body) => processTokenRequest(ctx, id, body)),
    },
    introspection: {
      process: (r) => scoped(apiPaths.introspection, r.serviceId, 'introspection_request', r.introspectionRequest, (id, body) => introspectAccessToken(ctx, id, body)),
      standardProcess: (r) =>
        scoped(apiPaths.introspectionStandard, r.serviceId, 'standard_introspection_request', r.standardIntrospectionRequest, (id, body) =>
          standardIntrospection(ctx, id, body)),
    },
    revocation: {
      process: (r) => scoped(apiPaths.revocation, r.serviceId, 'revocation_request', r.revocationRequest, (id, body) => revokeToken(ctx, id, body)),
    },
    userinfo: {
      process: (r) => scoped(apiPaths.userinfo, r.serviceId, 'userinfo_request', r.userinfoRequest, (id, body) => processUserinfo(ctx, id, body)),
      issue: (r) => scoped(apiPaths.userinfoIssue, r.serviceId, 'userinfo_issue_request', r.userinfoIssueRequest, (id, body) => issueUserinfo(ctx, id, body)),
    },
    service: {
      get: (r) =>
        run(apiPaths.serviceGet, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : getService(ctx, serviceId);
        }),
      list: (r = {}) =>
        run(apiPaths.serviceGetList, async () => {
          const invalid = checkedPaging(r);
          if (invalid) return invalid;
          const { start, end } = pageOf(r);
          return listServices(ctx, start, end);
        }),
      create: (service) =>
        run(apiPaths.serviceCreate, async () => {
          const checked = checkedBody('service', service);
          return isApiError(checked) ? checked : createService(ctx, checked);
        }),
      update: (r) => scoped(apiPaths.serviceUpdate, r.serviceId, 'service', r.service, (id, body) => updateService(ctx, id, body)),
      delete: (r) =>
        run(apiPaths.serviceDelete, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : deleteService(ctx, serviceId);
        }),
      getConfiguration: (r) =>
        run(apiPaths.serviceConfiguration, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : serviceConfiguration(ctx, serviceId, r.patch);
        }),
    },
    client: {
      get: (r) =>
        run(apiPaths.clientGet(r.clientId), async () => {
          const serviceId = serviceIdOf(r.serviceId);
          if (isApiError(serviceId)) return serviceId;
          const clientId = clientIdOf(r.clientId);
          return isApiError(clientId) ? clientId : getClient(ctx, serviceId, clientId);
        }),
      list: (r) =>
        run(apiPaths.clientGetList, async () => {
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
      create: (r) => scoped(apiPaths.clientCreate, r.serviceId, 'client', r.client, (id, body) => createClient(ctx, id, body)),
      update: (r) =>
        scoped(apiPaths.clientUpdate(r.clientId), r.serviceId, 'client', r.client, async (id, body) => {
          const clientId = clientIdOf(r.clientId);
          return isApiError(clientId) ? clientId : updateClient(ctx, id, clientId, body);
        }),
      delete: (r) =>
        run(apiPaths.clientDelete(r.clientId), async () => {
          const serviceId = serviceIdOf(r.serviceId);
          if (isApiError(serviceId)) return serviceId;
          const clientId = clientIdOf(r.clientId);
          return isApiError(clientId) ? clientId : deleteClient(ctx, serviceId, clientId);
        }),
    },
    jwkSetEndpoint: {
      serviceJwksGetApi: async (r) =>
        (await run<Record<string, unknown> | undefined>(apiPaths.serviceJwksGet, async () => {
          const serviceId = serviceIdOf(r.serviceId);
          return isApiError(serviceId) ? serviceId : getServiceJwks(ctx, serviceId, r.includePrivateKeys === true);
        })) ?? {},
    },
  };
}
