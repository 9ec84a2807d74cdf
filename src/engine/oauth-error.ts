/**
 * An OAuth/CIBA protocol error as a value: the `error` code, a description, and the HTTP
 * status the front should answer with. Mapping to Authlete's `action` and `responseContent`
 * happens once, where the API builds its answer.
 */
export interface OAuthError {
  readonly kind: 'oauth-error';
  readonly error: string;
  readonly description: string;
  readonly status: 400 | 401 | 403 | 500;
}

export function oauthError(error: string, description: string, status: OAuthError['status'] = 400): OAuthError {
  return { kind: 'oauth-error', error, description, status };
}

export function isOAuthError(value: unknown): value is OAuthError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'oauth-error';
}

export const invalidRequest = (description: string) => oauthError('invalid_request', description, 400);
export const invalidClient = (description: string) => oauthError('invalid_client', description, 401);
