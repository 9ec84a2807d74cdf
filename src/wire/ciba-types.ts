// The four CIBA operations (reference §3–§6), with the official SDK's names. Request members
// that Authlete really treats as optional are optional here even where its OpenAPI document
// marks them required (reference §15 #1).
import type {
  ActionResponse,
  AuthzDetails,
  CimdOptions,
  ClientIdentification,
  ClientMetadataSource,
  EchoedAttributes,
  ServiceApiRequest,
  DeliveryMode,
  DynamicScope,
  Grant,
  GrantManagementAction,
  Property,
  Scope,
  UserIdentificationHintType,
  RelayedClientRequest,
} from './wire-types.js';

// ---- /backchannel/authentication -------------------------------------------------------

export type BackchannelAuthenticationRequest = RelayedClientRequest & {
  cimdOptions?: CimdOptions;
};

export type BackchannelAuthenticationAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'USER_IDENTIFICATION';

export type BackchannelAuthenticationResponse = ActionResponse<BackchannelAuthenticationAction> & ClientIdentification & EchoedAttributes & ClientMetadataSource & {
  ticket?: string;
  clientName?: string;
  clientAuthMethod?: string;
  deliveryMode?: DeliveryMode;
  scopes?: Scope[];
  dynamicScopes?: DynamicScope[];
  claimNames?: string[];
  acrs?: string[];
  /** The OpenAPI document types it as a plain string; these are the values. */
  hintType?: UserIdentificationHintType;
  hint?: string;
  sub?: string;
  bindingMessage?: string;
  userCode?: string;
  userCodeRequired?: boolean;
  requestedExpiry?: number;
  requestContext?: string;
  clientNotificationToken?: string;
  resources?: string[];
  authorizationDetails?: AuthzDetails;
  gmAction?: GrantManagementAction;
  grantId?: string;
  grant?: Grant;
  grantSubject?: string;
  warnings?: string[];
};

export type BackchannelAuthenticationApiRequest = ServiceApiRequest<'backchannelAuthenticationRequest', BackchannelAuthenticationRequest>;

// ---- /backchannel/authentication/issue -------------------------------------------------

export type BackchannelAuthenticationIssueRequest = {
  ticket: string;
};

export type BackchannelAuthenticationIssueAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_TICKET' | 'OK';

export type BackchannelAuthenticationIssueResponse = ActionResponse<BackchannelAuthenticationIssueAction> & {
  authReqId?: string;
  expiresIn?: number;
  interval?: number;
};

export type BackchannelAuthenticationIssueApiRequest = ServiceApiRequest<'backchannelAuthenticationIssueRequest', BackchannelAuthenticationIssueRequest>;

// ---- /backchannel/authentication/fail --------------------------------------------------

export type BackchannelAuthenticationFailReason =
  | 'ACCESS_DENIED'
  | 'EXPIRED_LOGIN_HINT_TOKEN'
  | 'INVALID_BINDING_MESSAGE'
  | 'INVALID_TARGET'
  | 'INVALID_USER_CODE'
  | 'MISSING_USER_CODE'
  | 'SERVER_ERROR'
  | 'UNAUTHORIZED_CLIENT'
  | 'UNKNOWN_USER_ID';

/** The nine reasons, in the OpenAPI document's order. */
export const BACKCHANNEL_AUTHENTICATION_FAIL_REASONS: readonly BackchannelAuthenticationFailReason[] = [
  'ACCESS_DENIED',
  'EXPIRED_LOGIN_HINT_TOKEN',
  'INVALID_BINDING_MESSAGE',
  'INVALID_TARGET',
  'INVALID_USER_CODE',
  'MISSING_USER_CODE',
  'SERVER_ERROR',
  'UNAUTHORIZED_CLIENT',
  'UNKNOWN_USER_ID',
];

export type BackchannelAuthenticationFailRequest = {
  /** Deleted when given; an unknown ticket is not an error (reference §15 #2). */
  ticket?: string;
  /** Defaults to SERVER_ERROR. */
  reason?: BackchannelAuthenticationFailReason;
  errorDescription?: string;
  errorUri?: string;
};

export type BackchannelAuthenticationFailAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'FORBIDDEN';

export type BackchannelAuthenticationFailResponse = ActionResponse<BackchannelAuthenticationFailAction>;

export type BackchannelAuthenticationFailApiRequest = ServiceApiRequest<'backchannelAuthenticationFailRequest', BackchannelAuthenticationFailRequest>;

// ---- /backchannel/authentication/complete ----------------------------------------------

export type BackchannelAuthenticationCompleteResult = 'AUTHORIZED' | 'ACCESS_DENIED' | 'TRANSACTION_FAILED';

export type BackchannelAuthenticationCompleteRequest = {
  ticket: string;
  result: BackchannelAuthenticationCompleteResult;
  /** Required only when `result` is AUTHORIZED. */
  subject?: string;
  sub?: string;
  /** Seconds since the epoch. */
  authTime?: number;
  acr?: string;
  /** A JSON object, as a string. */
  claims?: string;
  properties?: Property[];
  scopes?: string[];
  idtHeaderParams?: string;
  errorDescription?: string;
  errorUri?: string;
  consentedClaims?: string[];
  jwtAtClaims?: string;
  accessToken?: string;
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  idTokenAudType?: 'array' | 'string';
};

export type BackchannelAuthenticationCompleteAction = 'SERVER_ERROR' | 'NO_ACTION' | 'NOTIFICATION';

export type BackchannelAuthenticationCompleteResponse = ActionResponse<BackchannelAuthenticationCompleteAction> & ClientIdentification & EchoedAttributes & ClientMetadataSource & {
  clientName?: string;
  deliveryMode?: DeliveryMode;
  clientNotificationEndpoint?: string;
  clientNotificationToken?: string;
  authReqId?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  jwtAccessToken?: string;
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  idTokenDuration?: number;
  resources?: string[];
  authorizationDetails?: AuthzDetails;
  grantId?: string;
};

export type BackchannelAuthenticationCompleteApiRequest = ServiceApiRequest<'backchannelAuthenticationCompleteRequest', BackchannelAuthenticationCompleteRequest>;
