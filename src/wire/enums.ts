// Enum values as they travel in the API's JSON (reference §14).
export const DELIVERY_MODES = ['POLL', 'PING', 'PUSH'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export const GRANT_TYPES = {
  AUTHORIZATION_CODE: 'authorization_code',
  IMPLICIT: 'implicit',
  PASSWORD: 'password',
  CLIENT_CREDENTIALS: 'client_credentials',
  REFRESH_TOKEN: 'refresh_token',
  CIBA: 'urn:openid:params:grant-type:ciba',
  DEVICE_CODE: 'urn:ietf:params:oauth:grant-type:device_code',
  TOKEN_EXCHANGE: 'urn:ietf:params:oauth:grant-type:token-exchange',
  JWT_BEARER: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  PRE_AUTHORIZED_CODE: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
} as const;
export type GrantType = keyof typeof GRANT_TYPES;

export const CLIENT_AUTH_METHODS = [
  'NONE',
  'CLIENT_SECRET_BASIC',
  'CLIENT_SECRET_POST',
  'CLIENT_SECRET_JWT',
  'PRIVATE_KEY_JWT',
  'TLS_CLIENT_AUTH',
  'SELF_SIGNED_TLS_CLIENT_AUTH',
] as const;

export const ASYMMETRIC_JWS_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'ES256K', 'EdDSA'] as const;
export const SYMMETRIC_JWS_ALGS = ['HS256', 'HS384', 'HS512'] as const;
/** What we can sign ID tokens with: one generated key per family. */
export const ID_TOKEN_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export function isAsymmetricAlg(alg: string): boolean {
  return (ASYMMETRIC_JWS_ALGS as readonly string[]).includes(alg);
}
