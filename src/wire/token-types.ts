// Token endpoint, introspection, revocation and userinfo (reference §7–§10), with the official
// SDK's names. Where the installed SDK disagrees with Authlete's OpenAPI document (it types
// `TokenRequest.properties` as a string), the wire format wins.
import type {
  ActionResponse,
  AuthzDetails,
  CimdOptions,
  ClientIdentification,
  ClientMetadataSource,
  EchoedAttributes,
  Grant,
  GrantType,
  Pair,
  Property,
  Scope,
  TokenType,
  RelayedClientRequest,
  ServiceApiRequest,
} from './wire-types.js';

// ---- /auth/token -----------------------------------------------------------------------

export type TokenRequest = RelayedClientRequest & {
  properties?: Property[];
  dpop?: string;
  htm?: string;
  htu?: string;
  accessToken?: string;
  jwtAtClaims?: string;
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  dpopNonceRequired?: boolean;
  cimdOptions?: CimdOptions;
};

/** OpenAPI order; NATIVE_SSO and ID_TOKEN_REISSUABLE are newer than the installed SDK (reference §1.7). */
export type TokenAction =
  | 'INTERNAL_SERVER_ERROR'
  | 'INVALID_CLIENT'
  | 'BAD_REQUEST'
  | 'PASSWORD'
  | 'OK'
  | 'TOKEN_EXCHANGE'
  | 'JWT_BEARER'
  | 'NATIVE_SSO'
  | 'ID_TOKEN_REISSUABLE';

export type TokenInfo = ClientIdentification & {
  subject?: string;
  scopes?: Scope[];
  expiresAt?: number;
  properties?: Property[];
  resources?: string[];
  authorizationDetails?: AuthzDetails;
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
};

export type TokenResponse = ActionResponse<TokenAction> & ClientIdentification & EchoedAttributes & ClientMetadataSource & {
  accessToken?: string;
  /** Milliseconds since the epoch. */
  accessTokenExpiresAt?: number;
  accessTokenDuration?: number;
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  refreshTokenDuration?: number;
  idToken?: string;
  grantType?: GrantType;
  clientAuthMethod?: string;
  subject?: string;
  scopes?: string[];
  properties?: Property[];
  jwtAccessToken?: string;
  resources?: string[];
  accessTokenResources?: string[];
  authorizationDetails?: AuthzDetails;
  grantId?: string;
  dpopNonce?: string;
  refreshTokenScopes?: string[];
  previousRefreshTokenUsed?: boolean;
  requestedIdTokenClaims?: string[];
  sessionId?: string;
  additionalClaims?: string;
  // PASSWORD
  username?: string;
  password?: string;
  ticket?: string;
  // TOKEN_EXCHANGE and JWT_BEARER
  audiences?: string[];
  requestedTokenType?: TokenType;
  subjectToken?: string;
  subjectTokenType?: TokenType;
  subjectTokenInfo?: TokenInfo;
  actorToken?: string;
  actorTokenType?: TokenType;
  actorTokenInfo?: TokenInfo;
  assertion?: string;
  cnonce?: string;
  cnonceExpiresAt?: number;
  cnonceDuration?: number;
  deviceSecret?: string;
  deviceSecretHash?: string;
};

export type AuthTokenApiRequest = ServiceApiRequest<'tokenRequest', TokenRequest>;

// ---- /auth/introspection ---------------------------------------------------------------

/**
 * An access token as a resource server received it, with what proves its presenter: the client
 * certificate (RFC 8705), the DPoP proof (RFC 9449) and the HTTP message signature parts.
 */
type PresentedToken = {
  token: string;
  clientCertificate?: string;
  dpop?: string;
  htm?: string;
  htu?: string;
  uri?: string;
  message?: string;
  headers?: Pair[];
  targetUri?: string;
  dpopNonceRequired?: boolean;
  requestBodyContained?: boolean;
};

export type IntrospectionRequest = PresentedToken & {
  /** Scopes the access token must cover. */
  scopes?: string[];
  /** Subject the access token must belong to. */
  subject?: string;
  resources?: string[];
  acrValues?: string[];
  maxAge?: number;
  requiredComponents?: string[];
};

export type IntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';

export type IntrospectionResponse = ActionResponse<IntrospectionAction> & ClientIdentification & EchoedAttributes & ClientMetadataSource & {
  /** Milliseconds since the epoch. */
  expiresAt?: number;
  subject?: string;
  scopes?: string[];
  existent?: boolean;
  usable?: boolean;
  sufficient?: boolean;
  refreshable?: boolean;
  properties?: Property[];
  certificateThumbprint?: string;
  resources?: string[];
  accessTokenResources?: string[];
  authorizationDetails?: AuthzDetails;
  scopeDetails?: Scope[];
  grantId?: string;
  grant?: Grant;
  forExternalAttachment?: boolean;
  consentedClaims?: string[];
  grantType?: GrantType;
  acr?: string;
  /** Seconds since the epoch. */
  authTime?: number;
  forCredentialIssuance?: boolean;
  cnonce?: string;
  cnonceExpiresAt?: number;
  issuableCredentials?: string;
  dpopNonce?: string;
  responseSigningRequired?: boolean;
};

export type AuthIntrospectionApiRequest = ServiceApiRequest<'introspectionRequest', IntrospectionRequest>;

// ---- /auth/introspection/standard ------------------------------------------------------

export type StandardIntrospectionRequest = {
  /** The RFC 7662 request body (`token`, `token_type_hint`), form-encoded. */
  parameters: string;
  withHiddenProperties?: boolean;
  rsUri?: string;
  httpAcceptHeader?: string;
  introspectionSignAlg?: string;
  introspectionEncryptionAlg?: string;
  introspectionEncryptionEnc?: string;
  sharedKeyForSign?: string;
  sharedKeyForEncryption?: string;
  publicKeyForEncryption?: string;
  /**
   * OpenCIBA's addition (Authlete's API does not authenticate here): when true, the client of
   * the request is authenticated with its registered method, from these members (the names of
   * every other relayed request) and `parameters`; a failure is action INVALID_CLIENT, and the
   * client sees only its own tokens unless it is a resource server. Success answers resultCode
   * A145002 instead of A145001, so a front can tell that the authentication took place.
   */
  clientAuthenticationRequired?: boolean;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
};

/** JWT is newer than the installed SDK (reference §1.7). */
/** INVALID_CLIENT only when `clientAuthenticationRequired` was true (OpenCIBA's addition). */
export type StandardIntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'OK' | 'JWT' | 'INVALID_CLIENT';

export type StandardIntrospectionResponse = ActionResponse<StandardIntrospectionAction>;

export type AuthIntrospectionStandardApiRequest = ServiceApiRequest<'standardIntrospectionRequest', StandardIntrospectionRequest>;

// ---- /auth/revocation ------------------------------------------------------------------

/** `parameters` is the RFC 7009 request body, form-encoded. */
export type RevocationRequest = RelayedClientRequest;

export type RevocationAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_CLIENT' | 'BAD_REQUEST' | 'OK';

export type RevocationResponse = ActionResponse<RevocationAction>;

export type AuthRevocationApiRequest = ServiceApiRequest<'revocationRequest', RevocationRequest>;

// ---- /auth/userinfo --------------------------------------------------------------------

export type UserinfoRequest = PresentedToken;

export type UserinfoAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';

export type UserinfoResponse = ActionResponse<UserinfoAction> & ClientIdentification & EchoedAttributes & ClientMetadataSource & {
  subject?: string;
  /** Names of the claims to gather for /auth/userinfo/issue. */
  claims?: string[];
  scopes?: string[];
  token?: string;
  properties?: Property[];
  userInfoClaims?: string;
  consentedClaims?: string[];
  requestedClaimsForTx?: string[];
  requestedVerifiedClaimsForTx?: string[][];
  transformedClaims?: string;
  dpopNonce?: string;
};

export type AuthUserinfoApiRequest = ServiceApiRequest<'userinfoRequest', UserinfoRequest>;

// ---- /auth/userinfo/issue --------------------------------------------------------------

export type UserinfoIssueRequest = {
  token: string;
  /** Claim values, as a JSON object string. */
  claims?: string;
  sub?: string;
  claimsForTx?: string;
  verifiedClaimsForTx?: string[];
  requestSignature?: string;
  headers?: Pair[];
};

export type UserinfoIssueAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'JSON' | 'JWT';

export type UserinfoIssueResponse = ActionResponse<UserinfoIssueAction> & {
  signature?: string;
  signatureInput?: string;
  contentDigest?: string;
};

export type AuthUserinfoIssueApiRequest = ServiceApiRequest<'userinfoIssueRequest', UserinfoIssueRequest>;
