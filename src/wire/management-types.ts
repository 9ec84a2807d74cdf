// Service and client management, discovery and the JWK Set (reference §11–§13), with the
// official SDK's names. `Service` and `Client` spell out the members OpenCIBA reads or sets;
// Authlete's schemas have 183 and 104 members, the rest pass through the index signature.
import type {
  ApplicationType,
  ClaimType,
  ClientAuthMethod,
  ClientType,
  DeliveryMode,
  FapiMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  Pair,
  ResponseType,
  Scope,
  ServiceProfile,
  SubjectType,
  TaggedValue,
} from './wire-types.js';

export type Service = {
  /** The service id (read-only; the `serviceId` of every other call). */
  apiKey?: number;
  number?: number;
  serviceName?: string;
  description?: string;
  issuer?: string;
  /** Milliseconds since the epoch. */
  createdAt?: number;
  modifiedAt?: number;
  /** A JWK Set as a string; service/get shows the public parts only. */
  jwks?: string;
  jwksUri?: string;
  idTokenSignatureKeyId?: string;
  userInfoSignatureKeyId?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  userInfoEndpoint?: string;
  backchannelAuthenticationEndpoint?: string;
  directJwksEndpointEnabled?: boolean;
  supportedGrantTypes?: GrantType[];
  supportedResponseTypes?: ResponseType[];
  supportedScopes?: Scope[];
  scopeRequired?: boolean;
  supportedClaims?: string[];
  supportedClaimTypes?: ClaimType[];
  supportedAcrs?: string[];
  supportedTokenAuthMethods?: ClientAuthMethod[];
  supportedRevocationAuthMethods?: ClientAuthMethod[];
  supportedIntrospectionAuthMethods?: ClientAuthMethod[];
  clientIdAliasEnabled?: boolean;
  allowableClockSkew?: number;
  missingClientIdAllowed?: boolean;
  tlsClientCertificateBoundAccessTokens?: boolean;
  /** RFC 9449 §8, §9: DPoP proofs must carry a nonce the server issued. */
  dpopNonceRequired?: boolean;
  supportedBackchannelTokenDeliveryModes?: DeliveryMode[];
  /** Seconds (`expires_in` of an auth_req_id). */
  backchannelAuthReqIdDuration?: number;
  /** Seconds (`interval`). */
  backchannelPollingInterval?: number;
  backchannelUserCodeParameterSupported?: boolean;
  backchannelBindingMessageRequiredInFapi?: boolean;
  accessTokenType?: string;
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  idTokenDuration?: number;
  refreshTokenKept?: boolean;
  refreshTokenDurationKept?: boolean;
  refreshTokenDurationReset?: boolean;
  tokenExpirationLinked?: boolean;
  idTokenAudType?: string;
  errorDescriptionOmitted?: boolean;
  errorUriOmitted?: boolean;
  supportedServiceProfiles?: ServiceProfile[];
  fapiModes?: FapiMode[];
  serviceDocumentation?: string;
  policyUri?: string;
  tosUri?: string;
  attributes?: Pair[];
  metadata?: Pair[];
  [member: string]: unknown;
};

/** `client_extension`: per-client shorter durations and requestable scopes. */
export type ClientExtension = {
  requestableScopes?: string[];
  requestableScopesEnabled?: boolean;
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  idTokenDuration?: number;
  tokenExchangePermitted?: boolean;
};

export type Client = {
  /** Assigned by the server (read-only). */
  clientId?: number;
  clientSecret?: string;
  clientIdAlias?: string;
  clientIdAliasEnabled?: boolean;
  number?: number;
  serviceNumber?: number;
  clientName?: string;
  clientNames?: TaggedValue[];
  description?: string;
  developer?: string;
  clientType?: ClientType;
  applicationType?: ApplicationType;
  createdAt?: number;
  modifiedAt?: number;
  locked?: boolean;
  grantTypes?: GrantType[];
  responseTypes?: ResponseType[];
  redirectUris?: string[];
  tokenAuthMethod?: ClientAuthMethod;
  tokenAuthSignAlg?: JwsAlg;
  selfSignedCertificateKeyId?: string;
  tlsClientAuthSubjectDn?: string;
  tlsClientAuthSanDns?: string;
  tlsClientAuthSanUri?: string;
  tlsClientAuthSanIp?: string;
  tlsClientAuthSanEmail?: string;
  tlsClientCertificateBoundAccessTokens?: boolean;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`: token requests without a DPoP proof are refused. */
  dpopRequired?: boolean;
  /** A JWK Set (public keys only) as a string. */
  jwks?: string;
  jwksUri?: string;
  /** The OpenAPI document types it as a plain string; these are the values. */
  bcDeliveryMode?: DeliveryMode;
  bcNotificationEndpoint?: string;
  bcRequestSignAlg?: JwsAlg;
  bcUserCodeRequired?: boolean;
  idTokenSignAlg?: JwsAlg;
  idTokenEncryptionAlg?: JweAlg;
  idTokenEncryptionEnc?: JweEnc;
  userInfoSignAlg?: JwsAlg;
  userInfoEncryptionAlg?: JweAlg;
  userInfoEncryptionEnc?: JweEnc;
  authTimeRequired?: boolean;
  defaultAcrs?: string[];
  defaultMaxAge?: number;
  subjectType?: SubjectType;
  sectorIdentifierUri?: string;
  derivedSectorIdentifier?: string;
  logoUri?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
  contacts?: string[];
  attributes?: Pair[];
  extension?: ClientExtension;
  fapiModes?: FapiMode[];
  [member: string]: unknown;
};

/** The page a list API answers: `start` inclusive, `end` exclusive, out of `totalCount`. */
type ListPage = {
  start?: number;
  end?: number;
  totalCount?: number;
};

export type ServiceGetListResponse = ListPage & {
  services?: Service[];
};

export type ClientGetListResponse = ListPage & {
  developer?: string;
  clients?: Client[];
};

/** A JWK Set. `keys` is absent when the service has none (HTTP 204). */
export type ServiceJwksGetResponse = {
  keys?: Record<string, unknown>[];
};

/** OpenID Provider Metadata of a service (snake_case members, as discovery has them). */
export type ServiceConfigurationResponse = Record<string, unknown>;

// ---- …ApiRequest wrappers, as the official SDK names them --------------------------------

/** A request that names only the service of its path. */
export type ServiceGetApiRequest = {
  serviceId: string;
};

export type ServiceGetListApiRequest = {
  /** Inclusive, default 0. */
  start?: number;
  /** Exclusive, default start + 5. */
  end?: number;
};

export type ServiceUpdateApiRequest = ServiceGetApiRequest & { service?: Service };

export type ServiceDeleteApiRequest = ServiceGetApiRequest;

export type ServiceConfigurationApiRequest = {
  serviceId: string;
  pretty?: boolean;
  /** An RFC 6902 JSON Patch (a JSON array, as a string) applied to the output. */
  patch?: string;
};

export type ServiceJwksGetApiRequest = {
  serviceId: string;
  includePrivateKeys?: boolean;
  pretty?: boolean;
};

/** A request that names a client of its path: its number or a custom alias. */
export type ClientGetApiRequest = {
  serviceId: string;
  clientId: string;
};

export type ClientGetListApiRequest = {
  serviceId: string;
  developer?: string;
  start?: number;
  end?: number;
};

export type ClientCreateApiRequest = ServiceGetApiRequest & { client?: Client };

export type ClientUpdateApiRequest = ClientGetApiRequest & { client?: Client };

export type ClientDeleteApiRequest = ClientGetApiRequest;
