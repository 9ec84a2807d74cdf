import type { Member, OperationName, OperationSpec, OperationTable, QuerySchema } from './operation-spec.js';

// Every Authlete operation OpenCIBA implements, once: the API's routes and OpenAPI document
// (api/routes/operation-routes.ts), the in-process SDK (in-process.ts, with the engine function of
// each in in-process/engine-operations.ts) and the HTTP SDK (http-client.ts) are all derived from this table.
// Its order is the order of the OpenAPI document.

/** `start` inclusive (default 0), `end` exclusive (default 5), as Authlete's list APIs. */
export const pagingQuery = {
  start: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  end: { type: 'integer', minimum: 0, maximum: 1_000_000 },
} satisfies Record<string, QuerySchema>;

const pretty: QuerySchema = { type: 'boolean' };

/**
 * An action-style operation (reference §1.2): POSTed to a service's path, the wire request under
 * `member`, always answered with an action (HTTP 200) unless the call itself is wrong.
 */
function action<K extends OperationName>(path: string, tag: string, summary: string, member: Member<K>, [request, response]: [string, string]): OperationSpec<K> {
  return { method: 'POST', path: `/api/:serviceId${path}`, scope: 'service', tag, summary, body: { member, schema: request, actionStyle: true }, response };
}

const SERVICES = 'Service Management';
const CLIENTS = 'Client Management';

export const apiOperations: OperationTable = {
  'service.create': {
    method: 'POST', path: '/api/service/create', scope: 'organization', tag: SERVICES, summary: 'Create a service',
    body: { member: 'self', schema: 'service' }, response: 'service',
  },
  'service.list': {
    method: 'GET', path: '/api/service/get/list', scope: 'any', tag: SERVICES, summary: 'List services',
    query: pagingQuery, response: 'service_get_list_response',
  },
  'service.get': {
    method: 'GET', path: '/api/:serviceId/service/get', scope: 'service', tag: SERVICES, summary: 'Get a service',
    response: 'service',
  },
  'service.update': {
    method: 'POST', path: '/api/:serviceId/service/update', scope: 'service', tag: SERVICES, summary: 'Update a service',
    body: { member: 'service', schema: 'service' }, response: 'service',
  },
  'service.delete': {
    method: 'DELETE', path: '/api/:serviceId/service/delete', scope: 'organization', tag: SERVICES, summary: 'Delete a service',
    noContent: 'void',
  },
  'client.create': {
    method: 'POST', path: '/api/:serviceId/client/create', scope: 'service', tag: CLIENTS, summary: 'Create a client',
    body: { member: 'client', schema: 'client' }, response: 'client',
  },
  'client.list': {
    method: 'GET', path: '/api/:serviceId/client/get/list', scope: 'service', tag: CLIENTS, summary: 'List clients',
    query: { developer: { type: 'string', maxLength: 256 }, ...pagingQuery }, response: 'client_get_list_response',
  },
  'client.get': {
    method: 'GET', path: '/api/:serviceId/client/get/:clientId', scope: 'service', tag: CLIENTS, summary: 'Get a client',
    response: 'client',
  },
  'client.update': {
    method: 'POST', path: '/api/:serviceId/client/update/:clientId', scope: 'service', tag: CLIENTS, summary: 'Update a client',
    body: { member: 'client', schema: 'client' }, response: 'client',
  },
  'client.delete': {
    method: 'DELETE', path: '/api/:serviceId/client/delete/:clientId', scope: 'service', tag: CLIENTS, summary: 'Delete a client',
    noContent: 'void',
  },
  // The client is named `clientIdentifier` here, as in the official SDK's requests.
  'clientManagement.refreshSecret': {
    method: 'GET', path: '/api/:serviceId/client/secret/refresh/:clientIdentifier', scope: 'service', tag: CLIENTS, summary: "Replace a client's secret with a new random one",
    response: 'client_secret_refresh_response',
  },
  'clientManagement.updateSecret': {
    method: 'POST', path: '/api/:serviceId/client/secret/update/:clientIdentifier', scope: 'service', tag: CLIENTS, summary: "Set a client's secret",
    body: { member: 'clientSecretUpdateRequest', schema: 'client_secret_update_request' }, response: 'client_secret_update_response',
  },
  'service.getConfiguration': {
    method: 'GET', path: '/api/:serviceId/service/configuration', scope: 'service', tag: SERVICES, summary: 'OpenID Provider metadata of a service',
    query: { pretty, patch: { type: 'string', maxLength: 65536 } }, formPost: 'OpenID Provider metadata of a service (POST form)', jsonText: true,
  },
  'jwkSetEndpoint.serviceJwksGetApi': {
    method: 'GET', path: '/api/:serviceId/service/jwks/get', scope: 'service', tag: 'JWK Set Endpoint', summary: "A service's JWK Set",
    query: { includePrivateKeys: { type: 'boolean' }, pretty }, response: 'service_jwks_get_response', noContent: 'empty-object', jsonText: true,
  },
  'ciba.processAuthentication': action('/backchannel/authentication', 'CIBA', 'Process a backchannel authentication request', 'backchannelAuthenticationRequest', ['backchannel_authentication_request', 'backchannel_authentication_response']),
  'ciba.issue': action('/backchannel/authentication/issue', 'CIBA', 'Issue an auth_req_id', 'backchannelAuthenticationIssueRequest', ['backchannel_authentication_issue_request', 'backchannel_authentication_issue_response']),
  'ciba.fail': action('/backchannel/authentication/fail', 'CIBA', 'Build the error response for a rejected backchannel request', 'backchannelAuthenticationFailRequest', ['backchannel_authentication_fail_request', 'backchannel_authentication_fail_response']),
  'ciba.complete': action('/backchannel/authentication/complete', 'CIBA', 'Report the result of end-user authentication', 'backchannelAuthenticationCompleteRequest', ['backchannel_authentication_complete_request', 'backchannel_authentication_complete_response']),
  'token.process': action('/auth/token', 'Token Endpoint', 'Process a token request', 'tokenRequest', ['token_request', 'token_response']),
  'introspection.process': action('/auth/introspection', 'Introspection Endpoint', 'Validate an access token (for resource servers)', 'introspectionRequest', ['introspection_request', 'introspection_response']),
  'introspection.standardProcess': action('/auth/introspection/standard', 'Introspection Endpoint', 'RFC 7662 introspection', 'standardIntrospectionRequest', ['standard_introspection_request', 'standard_introspection_response']),
  'revocation.process': action('/auth/revocation', 'Revocation Endpoint', 'RFC 7009 revocation', 'revocationRequest', ['revocation_request', 'revocation_response']),
  'userinfo.process': action('/auth/userinfo', 'UserInfo Endpoint', 'Validate a userinfo request', 'userinfoRequest', ['userinfo_request', 'userinfo_response']),
  'userinfo.issue': action('/auth/userinfo/issue', 'UserInfo Endpoint', 'Build the userinfo response', 'userinfoIssueRequest', ['userinfo_issue_request', 'userinfo_issue_response']),
};
