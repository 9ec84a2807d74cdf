// Building blocks shared by the request and response types, named as in Authlete's API
// (OpenAPI 3.0.16 schemas `pair`, `property`, `scope`, …) and the official TypeScript SDK.
// Enums are string-literal unions of the upper-case values the API's JSON carries.

/** `delivery_mode`: the client's `bcDeliveryMode`. */
export type DeliveryMode = 'PING' | 'POLL' | 'PUSH';

/** `grant_type` as it appears in API JSON (not the OAuth wire value). */
export type GrantType =
  | 'AUTHORIZATION_CODE'
  | 'IMPLICIT'
  | 'PASSWORD'
  | 'CLIENT_CREDENTIALS'
  | 'REFRESH_TOKEN'
  | 'CIBA'
  | 'DEVICE_CODE'
  | 'TOKEN_EXCHANGE'
  | 'JWT_BEARER'
  | 'PRE_AUTHORIZED_CODE';

export type ClientAuthMethod =
  | 'NONE'
  | 'CLIENT_SECRET_BASIC'
  | 'CLIENT_SECRET_POST'
  | 'CLIENT_SECRET_JWT'
  | 'PRIVATE_KEY_JWT'
  | 'TLS_CLIENT_AUTH'
  | 'SELF_SIGNED_TLS_CLIENT_AUTH'
  | 'ATTEST_JWT_CLIENT_AUTH';

export type JwsAlg =
  | 'NONE'
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256K'
  | 'EdDSA';

export type JweAlg =
  | 'RSA1_5' | 'RSA_OAEP' | 'RSA_OAEP_256'
  | 'A128KW' | 'A192KW' | 'A256KW'
  | 'DIR'
  | 'ECDH_ES' | 'ECDH_ES_A128KW' | 'ECDH_ES_A192KW' | 'ECDH_ES_A256KW'
  | 'A128GCMKW' | 'A192GCMKW' | 'A256GCMKW'
  | 'PBES2_HS256_A128KW' | 'PBES2_HS384_A192KW' | 'PBES2_HS512_A256KW';

export type JweEnc = 'A128CBC_HS256' | 'A192CBC_HS384' | 'A256CBC_HS512' | 'A128GCM' | 'A192GCM' | 'A256GCM';

export type ClientType = 'PUBLIC' | 'CONFIDENTIAL';
export type SubjectType = 'PUBLIC' | 'PAIRWISE';
export type ApplicationType = 'WEB' | 'NATIVE';
export type ClaimType = 'NORMAL' | 'AGGREGATED' | 'DISTRIBUTED';
export type ServiceProfile = 'FAPI' | 'OPEN_BANKING';
export type FapiMode =
  | 'FAPI1_ADVANCED'
  | 'FAPI1_BASELINE'
  | 'FAPI2_MESSAGE_SIGNING_AUTH_REQ'
  | 'FAPI2_MESSAGE_SIGNING_AUTH_RES'
  | 'FAPI2_MESSAGE_SIGNING_INTROSPECTION_RES'
  | 'FAPI2_SECURITY';
export type ResponseType = 'NONE' | 'CODE' | 'TOKEN' | 'ID_TOKEN' | 'CODE_TOKEN' | 'CODE_ID_TOKEN' | 'ID_TOKEN_TOKEN' | 'CODE_ID_TOKEN_TOKEN';
export type GrantManagementAction = 'CREATE' | 'QUERY' | 'REPLACE' | 'REVOKE' | 'MERGE';
export type TokenType =
  | 'JWT'
  | 'ACCESS_TOKEN'
  | 'REFRESH_TOKEN'
  | 'ID_TOKEN'
  | 'SAML1'
  | 'SAML2'
  | 'DEVICE_SECRET'
  | 'DEVICE_CODE'
  | 'TOKEN_EXCHANGE'
  | 'JWT_BEARER';

/** Which hint a backchannel authentication request carried (reference §3, §14). */
export type UserIdentificationHintType = 'LOGIN_HINT' | 'ID_TOKEN_HINT' | 'LOGIN_HINT_TOKEN';

/** `pair`: service and client `attributes`, echoed as `serviceAttributes` / `clientAttributes`. */
export type Pair = {
  key?: string;
  value?: string;
};

/** `property`: an extra property bound to an access token. */
export type Property = {
  key?: string;
  value?: string;
  hidden?: boolean;
};

export type TaggedValue = {
  tag?: string;
  value?: string;
};

export type Scope = {
  name?: string;
  defaultEntry?: boolean;
  description?: string;
  descriptions?: TaggedValue[];
  attributes?: Pair[];
};

export type DynamicScope = {
  name?: string;
  value?: string;
};

export type AuthorizationDetailsElement = {
  type: string;
  locations?: string[];
  actions?: string[];
  dataTypes?: string[];
  identifier?: string;
  privileges?: string[];
  otherFields?: string;
  [member: string]: unknown;
};

/** `authz_details`: RFC 9396 authorization details as Authlete wraps them. */
export type AuthzDetails = {
  elements?: AuthorizationDetailsElement[];
};

/** `grant` (Grant Management). */
export type Grant = {
  scopes?: { scope?: string; resource?: string[] }[];
  claims?: string[];
  authorizationDetails?: AuthzDetails;
};

/** `cimd_options` (Client ID Metadata Document); not used by CIBA. */
export type CimdOptions = {
  alwaysRetrieved?: boolean;
  httpPermitted?: boolean;
  queryPermitted?: boolean;
};

/** `result`: the standard error body of an API-level failure (reference §1.3). */
export type Result = {
  resultCode: string;
  resultMessage: string;
};

/**
 * The head every action-style answer carries. The official SDK types these members as
 * optional; Authlete and OpenCIBA always send them, so they are required here.
 */
export type ActionResponse<A extends string> = {
  resultCode: string;
  resultMessage: string;
  action: A;
  responseContent?: string;
};

/** How an answer names the client: its number, and its alias when the request used one. */
export type ClientIdentification = {
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasUsed?: boolean;
};

/** Where the client's metadata came from: an OpenID Federation entity, or a Client ID Metadata Document. */
export type ClientMetadataSource = {
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
  metadataDocumentLocation?: string;
  metadataDocumentUsed?: boolean;
};

/** The service's and the client's `attributes`, echoed in an answer. */
export type EchoedAttributes = {
  serviceAttributes?: Pair[];
  clientAttributes?: Pair[];
};

/** The official SDK's request wrapper of a service's operation: the service id and the body under its name. */
export type ServiceApiRequest<Member extends string, Body> = { serviceId: string } & { [M in Member]: Body };

/**
 * What an authorization server relays of a client's request to the backchannel, token and
 * revocation APIs: the form body verbatim and the credentials that did not travel in it.
 */
export type RelayedClientRequest = {
  /** The client's whole form-encoded request body, unparsed. */
  parameters: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePath?: string[];
  oauthClientAttestation?: string;
  oauthClientAttestationPop?: string;
};
