// Token endpoint, introspection, revocation and userinfo (reference §7–§10), with the official
// SDK's names. Where the installed SDK disagrees with Authlete's OpenAPI document (it types
// `TokenRequest.properties` as a string), the wire format wins.
import type {
  ActionResponse,
  AuthzDetails,
  CimdOptions,
  Grant,
  GrantType,
  Pair,
  Property,
  Scope,
  TokenType,
  RelayedClientRequest,
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

export type TokenInfo = {
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasUsed?: boolean;
  subject?: string;
  scopes?: Scope[];
  expiresAt?: number;
  properties?: Property[];
  resources?: string[];
  authorizationDetails?: AuthzDetails;
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
};

export type TokenResponse = ActionResponse<TokenAction> & {
  accessToken?: string;
  /** Milliseconds since the epoch. */
  accessTokenExpiresAt?: number;
  accessTokenDuration?: number;
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  refreshTokenDuration?: number;
  idToken?: string;
  grantType?: GrantType;
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasUsed?: boolean;
  clientAuthMethod?: string;
  subject?: string;
  scopes?: string[];
  properties?: Property[];
  jwtAccessToken?: string;
  resources?: string[];
  accessTokenResources?: string[];
  authorizationDetails?: AuthzDetails;
  grantId?: string;
  serviceAttributes?: Pair[];
  clientAttributes?: Pair[];
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
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
  metadataDocumentLocation?: string;
  metadataDocumentUsed?: boolean;
};

export type AuthTokenApiRequest = {
  serviceId: string;
  tokenRequest: TokenRequest;
};

// ---- /auth/introspection ---------------------------------------------------------------

export type IntrospectionRequest = {
  token: string;
  /** Scopes the access token must cover. */
  scopes?: string[];
  /** Subject the access token must belong to. */
  subject?: string;
  clientCertificate?: string;
  dpop?: string;
  htm?: string;
  htu?: string;
  resources?: string[];
  acrValues?: string[];
  maxAge?: number;
  requiredComponents?: string[];
  uri?: string;
  message?: string;
  headers?: Pair[];
  targetUri?: string;
  dpopNonceRequired?: boolean;
  requestBodyContained?: boolean;
};

export type IntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';

export type IntrospectionResponse = ActionResponse<IntrospectionAction> & {
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasUsed?: boolean;
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
  serviceAttributes?: Pair[];
  clientAttributes?: Pair[];
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
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
  metadataDocumentLocation?: string;
  metadataDocumentUsed?: boolean;
};

export type AuthIntrospectionApiRequest = {
  serviceId: string;
  introspectionRequest: IntrospectionRequest;
};

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
};

/** JWT is newer than the installed SDK (reference §1.7). */
export type StandardIntrospectionAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'OK' | 'JWT';

export type StandardIntrospectionResponse = ActionResponse<StandardIntrospectionAction>;

export type AuthIntrospectionStandardApiRequest = {
  serviceId: string;
  standardIntrospectionRequest: StandardIntrospectionRequest;
};

// ---- /auth/revocation ------------------------------------------------------------------

/** `parameters` is the RFC 7009 request body, form-encoded. */
export type RevocationRequest = RelayedClientRequest;

export type RevocationAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_CLIENT' | 'BAD_REQUEST' | 'OK';

export type RevocationResponse = ActionResponse<RevocationAction>;

export type AuthRevocationApiRequest = {
  serviceId: string;
  revocationRequest: RevocationRequest;
};

// ---- /auth/userinfo --------------------------------------------------------------------

export type UserinfoRequest = {
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

export type UserinfoAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';

export type UserinfoResponse = ActionResponse<UserinfoAction> & {
  subject?: string;
  /** Names of the claims to gather for /auth/userinfo/issue. */
  claims?: string[];
  scopes?: string[];
  token?: string;
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasUsed?: boolean;
  properties?: Property[];
  userInfoClaims?: string;
  consentedClaims?: string[];
  requestedClaimsForTx?: string[];
  requestedVerifiedClaimsForTx?: string[][];
  transformedClaims?: string;
  dpopNonce?: string;
  serviceAttributes?: Pair[];
  clientAttributes?: Pair[];
  clientEntityId?: string;
  clientEntityIdUsed?: boolean;
  metadataDocumentLocation?: string;
  metadataDocumentUsed?: boolean;
};

export type AuthUserinfoApiRequest = {
  serviceId: string;
  userinfoRequest: UserinfoRequest;
};

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

export type AuthUserinfoIssueApiRequest = {
  serviceId: string;
  userinfoIssueRequest: UserinfoIssueRequest;
};
