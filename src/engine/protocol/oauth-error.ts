import { resultMessage, type ResultCode } from '../../wire/result-codes.js';

/**
 * An OAuth/CIBA protocol error as a value: the `error` code, a description, and the HTTP
 * status the client is answered with. An error that answers an API call also names Authlete's
 * result code (the description is then its result message); inner checks (client
 * authentication, request-object verification) leave it out and the API step that calls them
 * wraps their error in its own code. Mapping to Authlete's `action` and `responseContent`
 * happens once, in `responses.ts`.
 */
export interface OAuthError {
  readonly kind: 'oauth-error';
  readonly error: string;
  readonly description: string;
  readonly status: 400 | 401 | 403 | 500;
  readonly code?: ResultCode;
  /** error_description / error_uri the authorization server supplied (with /complete), used as given. */
  readonly supplied?: { error_description?: string; error_uri?: string };
}

/** An OAuthError that answers an API call, so it carries the result code it reports. */
export type Refusal = OAuthError & { readonly code: ResultCode };

export function oauthError(error: string, description: string, status: OAuthError['status'] = 400): OAuthError {
  return { kind: 'oauth-error', error, description, status };
}

/** An API step's refusal under result code `code`; `detail` replaces the code's own text. */
export function refuse(error: string, code: ResultCode, detail?: string, status: OAuthError['status'] = 400): Refusal {
  return { kind: 'oauth-error', error, description: resultMessage(code, detail), status, code };
}

export function isOAuthError(value: unknown): value is OAuthError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'oauth-error';
}

export const invalidRequest = (description: string) => oauthError('invalid_request', description, 400);
export const invalidClient = (description: string) => oauthError('invalid_client', description, 401);
