import { withoutNulls } from '../../lib/json.js';
import { settings } from '../services/service-settings.js';
import { oauthErrorContent } from './oauth-error-content.js';
import type { Refusal } from './oauth-error.js';
import type { ServiceParty } from './parties.js';

/**
 * The action an API answer names for an error's HTTP status. A 401 is UNAUTHORIZED at
 * /backchannel/authentication but INVALID_CLIENT at /auth/token and /auth/revocation, so the
 * endpoint that authenticates a client says which.
 */
const actionFor = (status: Refusal['status'], unauthorized: 'UNAUTHORIZED' | 'INVALID_CLIENT') =>
  ({ 400: 'BAD_REQUEST', 401: unauthorized, 403: 'FORBIDDEN', 500: 'INTERNAL_SERVER_ERROR' })[status];

/** The one place an OAuth error becomes an API answer; its `responseContent` is the OAuth error JSON. */
export function oauthErrorAnswer(service: ServiceParty | undefined, refusal: Refusal, unauthorized: 'UNAUTHORIZED' | 'INVALID_CLIENT' = 'UNAUTHORIZED') {
  return withoutNulls({
    resultCode: refusal.code.code,
    resultMessage: refusal.description,
    action: actionFor(refusal.status, unauthorized),
    responseContent: oauthErrorContent(refusal, service ? settings.errorDescriptionOmitted(service.data) : false),
  });
}
