import type {
  BackchannelAuthenticationApiRequest,
  BackchannelAuthenticationCompleteApiRequest,
  BackchannelAuthenticationCompleteResponse,
  BackchannelAuthenticationFailApiRequest,
  BackchannelAuthenticationFailResponse,
  BackchannelAuthenticationIssueApiRequest,
  BackchannelAuthenticationIssueResponse,
  BackchannelAuthenticationResponse,
} from '../wire/ciba-types.js';
import type { ClientSecretRefreshApiRequest, ClientSecretRefreshResponse, ClientSecretUpdateApiRequest, ClientSecretUpdateResponse } from '../wire/client-secret-types.js';
import type {
  Client,
  ClientCreateApiRequest,
  ClientDeleteApiRequest,
  ClientGetApiRequest,
  ClientGetListApiRequest,
  ClientGetListResponse,
  ClientUpdateApiRequest,
  Service,
  ServiceConfigurationApiRequest,
  ServiceConfigurationResponse,
  ServiceDeleteApiRequest,
  ServiceGetApiRequest,
  ServiceGetListApiRequest,
  ServiceGetListResponse,
  ServiceJwksGetApiRequest,
  ServiceJwksGetResponse,
  ServiceUpdateApiRequest,
} from '../wire/management-types.js';
import type {
  AuthIntrospectionApiRequest,
  AuthIntrospectionStandardApiRequest,
  AuthRevocationApiRequest,
  AuthTokenApiRequest,
  AuthUserinfoApiRequest,
  AuthUserinfoIssueApiRequest,
  IntrospectionResponse,
  RevocationResponse,
  StandardIntrospectionResponse,
  TokenResponse,
  UserinfoIssueResponse,
  UserinfoResponse,
} from '../wire/token-types.js';

export interface CibaApi {
  /** POST /api/{serviceId}/backchannel/authentication */
  processAuthentication(request: BackchannelAuthenticationApiRequest): Promise<BackchannelAuthenticationResponse>;
  /** POST /api/{serviceId}/backchannel/authentication/issue */
  issue(request: BackchannelAuthenticationIssueApiRequest): Promise<BackchannelAuthenticationIssueResponse>;
  /** POST /api/{serviceId}/backchannel/authentication/fail */
  fail(request: BackchannelAuthenticationFailApiRequest): Promise<BackchannelAuthenticationFailResponse>;
  /** POST /api/{serviceId}/backchannel/authentication/complete */
  complete(request: BackchannelAuthenticationCompleteApiRequest): Promise<BackchannelAuthenticationCompleteResponse>;
}

export interface TokenApi {
  /** POST /api/{serviceId}/auth/token */
  process(request: AuthTokenApiRequest): Promise<TokenResponse>;
}

export interface IntrospectionApi {
  /** POST /api/{serviceId}/auth/introspection (for resource servers) */
  process(request: AuthIntrospectionApiRequest): Promise<IntrospectionResponse>;
  /** POST /api/{serviceId}/auth/introspection/standard (RFC 7662) */
  standardProcess(request: AuthIntrospectionStandardApiRequest): Promise<StandardIntrospectionResponse>;
}

export interface RevocationApi {
  /** POST /api/{serviceId}/auth/revocation */
  process(request: AuthRevocationApiRequest): Promise<RevocationResponse>;
}

export interface UserinfoApi {
  /** POST /api/{serviceId}/auth/userinfo */
  process(request: AuthUserinfoApiRequest): Promise<UserinfoResponse>;
  /** POST /api/{serviceId}/auth/userinfo/issue */
  issue(request: AuthUserinfoIssueApiRequest): Promise<UserinfoIssueResponse>;
}

export interface ServiceApi {
  /** GET /api/{serviceId}/service/get */
  get(request: ServiceGetApiRequest): Promise<Service>;
  /** GET /api/service/get/list?start=&end= */
  list(request?: ServiceGetListApiRequest): Promise<ServiceGetListResponse>;
  /** POST /api/service/create. Takes the service itself, as the official SDK does. */
  create(request?: Service): Promise<Service>;
  /** POST /api/{serviceId}/service/update (the whole service: read, modify, write) */
  update(request: ServiceUpdateApiRequest): Promise<Service>;
  /** DELETE /api/{serviceId}/service/delete */
  delete(request: ServiceDeleteApiRequest): Promise<void>;
  /** GET /api/{serviceId}/service/configuration?pretty=&patch= */
  getConfiguration(request: ServiceConfigurationApiRequest): Promise<ServiceConfigurationResponse>;
}

export interface ClientApi {
  /** GET /api/{serviceId}/client/get/{clientId} */
  get(request: ClientGetApiRequest): Promise<Client>;
  /** GET /api/{serviceId}/client/get/list?developer=&start=&end= */
  list(request: ClientGetListApiRequest): Promise<ClientGetListResponse>;
  /** POST /api/{serviceId}/client/create */
  create(request: ClientCreateApiRequest): Promise<Client>;
  /** POST /api/{serviceId}/client/update/{clientId} */
  update(request: ClientUpdateApiRequest): Promise<Client>;
  /** DELETE /api/{serviceId}/client/delete/{clientId} */
  delete(request: ClientDeleteApiRequest): Promise<void>;
}

/** The official SDK's `ClientManagement` (reached there as `client.management`); OpenCIBA implements its secret operations. */
export interface ClientManagementApi {
  /** GET /api/{serviceId}/client/secret/refresh/{clientIdentifier} */
  refreshSecret(request: ClientSecretRefreshApiRequest): Promise<ClientSecretRefreshResponse>;
  /** POST /api/{serviceId}/client/secret/update/{clientIdentifier} */
  updateSecret(request: ClientSecretUpdateApiRequest): Promise<ClientSecretUpdateResponse>;
}

export interface JwkSetEndpointApi {
  /** GET /api/{serviceId}/service/jwks/get?includePrivateKeys=&pretty= ; `{}` when the service has no JWK Set (204). */
  serviceJwksGetApi(request: ServiceJwksGetApiRequest): Promise<ServiceJwksGetResponse>;
}

/**
 * The Authlete-compatible API as a typed interface, grouped and named as in the official
 * `@authlete/typescript-sdk`. Two implementations: over HTTP (`createHttpApi`, which also works
 * against Authlete) and in-process on the engine (`createInProcessApi`).
 *
 * Action-style answers (any `action`, including BAD_REQUEST) resolve; API-level failures reject
 * with `OpenCibaApiError` carrying the HTTP status, `resultCode` and `resultMessage`.
 */
export interface OpenCibaApi {
  ciba: CibaApi;
  token: TokenApi;
  introspection: IntrospectionApi;
  revocation: RevocationApi;
  userinfo: UserinfoApi;
  service: ServiceApi;
  client: ClientApi;
  clientManagement: ClientManagementApi;
  jwkSetEndpoint: JwkSetEndpointApi;
}
