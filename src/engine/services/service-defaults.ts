import type { DeliveryMode, GrantType } from '../../wire/enums.js';

// Sensible values for a CIBA service; every one can be changed with /service/update.
export const DEFAULT_AUTH_REQ_ID_DURATION = 600;
export const DEFAULT_POLLING_INTERVAL = 5;
export const DEFAULT_ACCESS_TOKEN_DURATION = 3600;
export const DEFAULT_REFRESH_TOKEN_DURATION = 86400;
export const DEFAULT_ID_TOKEN_DURATION = 3600;

const AUTH_METHODS = [
  'CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'CLIENT_SECRET_JWT', 'PRIVATE_KEY_JWT', 'TLS_CLIENT_AUTH', 'SELF_SIGNED_TLS_CLIENT_AUTH',
] as const;

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'];
const DEFAULT_CLAIMS = [
  'sub', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'email_verified',
  'phone_number', 'phone_number_verified', 'address', 'locale', 'updated_at',
];

/** The endpoints the built-in OpenID Provider front serves for a service, under its base URL. */
export function frontEndpoints(base: string): Record<string, string> {
  return {
    tokenEndpoint: `${base}/token`,
    backchannelAuthenticationEndpoint: `${base}/backchannel/authentication`,
    jwksUri: `${base}/jwks`,
    userInfoEndpoint: `${base}/userinfo`,
    introspectionEndpoint: `${base}/introspect`,
    revocationEndpoint: `${base}/revoke`,
  };
}

/** Fills what a new service leaves unset. `base` is `{publicUrl}/s/{apiKey}`. */
export function applyServiceDefaults(input: Record<string, unknown>, base: string): Record<string, unknown> {
  const grantTypes: GrantType[] = ['CIBA', 'REFRESH_TOKEN'];
  const deliveryModes: DeliveryMode[] = ['POLL', 'PING', 'PUSH'];
  return {
    serviceName: 'OpenCIBA service',
    issuer: base,
    ...frontEndpoints(base),
    supportedGrantTypes: grantTypes,
    supportedBackchannelTokenDeliveryModes: deliveryModes,
    backchannelAuthReqIdDuration: DEFAULT_AUTH_REQ_ID_DURATION,
    backchannelPollingInterval: DEFAULT_POLLING_INTERVAL,
    backchannelUserCodeParameterSupported: false,
    accessTokenType: 'Bearer',
    accessTokenDuration: DEFAULT_ACCESS_TOKEN_DURATION,
    refreshTokenDuration: DEFAULT_REFRESH_TOKEN_DURATION,
    idTokenDuration: DEFAULT_ID_TOKEN_DURATION,
    // Every method OpenCIBA implements, at each endpoint: these lists are enforced, so a client
    // may use at revocation and introspection what it uses at the token endpoint.
    supportedTokenAuthMethods: [...AUTH_METHODS],
    supportedRevocationAuthMethods: [...AUTH_METHODS],
    supportedIntrospectionAuthMethods: [...AUTH_METHODS],
    supportedScopes: DEFAULT_SCOPES.map((name) => ({ name, defaultEntry: false })),
    supportedClaims: DEFAULT_CLAIMS,
    supportedClaimTypes: ['NORMAL'],
    clientIdAliasEnabled: true,
    allowableClockSkew: 0,
    errorDescriptionOmitted: false,
    errorUriOmitted: false,
    directJwksEndpointEnabled: true,
    ...input,
  };
}

/** Seconds a value means, with the default standing in for an unset or non-positive one. */
export function durationOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
