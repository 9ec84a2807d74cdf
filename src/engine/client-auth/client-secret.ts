import { constantTimeEqual } from '../../lib/keyring.js';
import { invalidClient, type OAuthError } from '../protocol/oauth-error.js';
import type { AuthClient } from './types.js';

/**
 * CLIENT_SECRET_BASIC and CLIENT_SECRET_POST (RFC 6749 §2.3.1): the two differ only in where the
 * secret travels, which the caller has already checked against the registration.
 */
export function verifyClientSecret(client: AuthClient, presentedSecret: string): OAuthError | undefined {
  // Defence in depth: an unset secret must never match, whatever the caller passes in.
  if (client.clientSecret === '') return invalidClient('the client has no secret registered');
  if (!constantTimeEqual(presentedSecret, client.clientSecret)) return invalidClient('the client secret is incorrect');
  return undefined;
}
