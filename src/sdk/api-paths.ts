import { apiOperations } from './api-operations.js';
import { messagePathOf } from './operation-spec.js';

// Authlete v3 API paths without the `/api` prefix and the service id, taken from the table of
// operations: the HTTP client puts `/api/{serviceId}` in front, and API-level error messages
// quote them as they are here (`[A001205] /backchannel/authentication/fail, …`).

const path = (name: keyof typeof apiOperations) => messagePathOf(apiOperations[name].path);
const withClient = (name: keyof typeof apiOperations) => (clientId: string) => messagePathOf(apiOperations[name].path, clientId);

export const apiPaths = {
  backchannelAuthentication: path('ciba.processAuthentication'),
  backchannelAuthenticationIssue: path('ciba.issue'),
  backchannelAuthenticationFail: path('ciba.fail'),
  backchannelAuthenticationComplete: path('ciba.complete'),
  token: path('token.process'),
  introspection: path('introspection.process'),
  introspectionStandard: path('introspection.standardProcess'),
  revocation: path('revocation.process'),
  userinfo: path('userinfo.process'),
  userinfoIssue: path('userinfo.issue'),
  // serviceCreate and serviceGetList are organization-wide: the HTTP client puts no service id in front.
  serviceCreate: path('service.create'),
  serviceGetList: path('service.list'),
  serviceGet: path('service.get'),
  serviceUpdate: path('service.update'),
  serviceDelete: path('service.delete'),
  serviceConfiguration: path('service.getConfiguration'),
  serviceJwksGet: path('jwkSetEndpoint.serviceJwksGetApi'),
  clientCreate: path('client.create'),
  clientGetList: path('client.list'),
  clientGet: withClient('client.get'),
  clientUpdate: withClient('client.update'),
  clientDelete: withClient('client.delete'),
  clientSecretRefresh: withClient('clientManagement.refreshSecret'),
  clientSecretUpdate: withClient('clientManagement.updateSecret'),
} as const;

/** `/api/{serviceId}{path}`, or `/api{path}` for the organization-wide operations. */
export function httpPathOf(path: string, serviceId?: string): string {
  return serviceId === undefined ? `/api${path}` : `/api/${encodeURIComponent(serviceId)}${path}`;
}
