import { errorDescription } from '../../lib/error-description.js';
import type { OAuthError } from './oauth-error.js';

/**
 * The OAuth error JSON relayed to the client (reference §1.5). `error_description` carries the
 * error's description (the result message) unless the service omits descriptions; what the
 * authorization server supplied with /complete comes last, as given. `error_uri` is not emitted
 * otherwise: Authlete's points at its own documentation, which has no page for codes of our own.
 * Every description is kept to RFC 6749 §5.2's character set here (`errorDescription`).
 */
export function oauthErrorContent(error: Pick<OAuthError, 'error' | 'description' | 'supplied'>, omitDescription: boolean): string {
  const body: Record<string, unknown> = { error: error.error };
  if (!omitDescription) body.error_description = errorDescription(error.description);
  const supplied = error.supplied?.error_description === undefined ? error.supplied : { ...error.supplied, error_description: errorDescription(error.supplied.error_description) };
  return JSON.stringify({ ...body, ...supplied });
}
