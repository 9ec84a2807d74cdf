// Authlete v3 API paths without the `/api` prefix and the service id: the HTTP client puts
// `/api/{serviceId}` in front, and API-level error messages quote them as they are here
// (`[A001205] /backchannel/authentication/fail, …`).

const segment = (value: string) => encodeURIComponent(value);

export const apiPaths = {
  backchannelAuthentication: '/backchannel/authentication',
  backchannelAuthenticationIssue: '/backchannel/authentication/issue',
  backchannelAuthenticationFail: '/backchannel/authentication/fail',
  backchannelAuthenticationComplete: '/backchannel/authentication/complete',
  token: '/auth/token',
  introspection: '/auth/introspection',
  introspectionStandard: '/auth/introspection/standard',
  revocation: '/auth/revocation',
  userinfo: '/auth/userinfo',
  userinfoIssue: '/auth/userinfo/issue',
  // Organization-wide: no service id in the path.
  serviceCreate: '/service/create',
  serviceGetList: '/service/get/list',
  serviceGet: '/service/get',
  serviceUpdate: '/service/update',
  serviceDelete: '/service/delete',
  serviceConfiguration: '/service/configuration',
  serviceJwksGet: '/service/jwks/get',
  clientCreate: '/client/create',
  clientGetList: '/client/get/list',
  clientGet: (clientId: string) => `/client/get/${segment(clientId)}`,
  clientUpdate: (clientId: string) => `/client/update/${segment(clientId)}`,
  clientDelete: (clientId: string) => `/client/delete/${segment(clientId)}`,
} as const;

/** `/api/{serviceId}{path}`, or `/api{path}` for the organization-wide operations. */
export function httpPathOf(path: string, serviceId?: string): string {
  return serviceId === undefined ? `/api${path}` : `/api/${segment(serviceId)}${path}`;
}
