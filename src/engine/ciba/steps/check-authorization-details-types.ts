import { echoed } from '../../../lib/error-description.js';
import { codes } from '../../../wire/result-codes.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import type { AuthorizationDetails } from './check-authorization-details.js';

const listed = (data: Record<string, unknown>, member: string): string[] | undefined => {
  const value = data[member];
  return Array.isArray(value) && value.length > 0 ? value.filter((v): v is string => typeof v === 'string') : undefined;
};

/**
 * RFC 9396 §5: each `type` must be one the service supports (Authlete's service
 * `supportedAuthorizationDetailsTypes`) and the client may use (client `authorizationDetailsTypes`).
 * An empty or absent list restricts nothing, so services that never set one keep working.
 */
export function checkAuthorizationDetailsTypes(service: ServiceParty, client: ClientParty, details: AuthorizationDetails | undefined): Refusal | undefined {
  if (details === undefined) return undefined;
  for (const [list, whose] of [
    [listed(service.data, 'supportedAuthorizationDetailsTypes'), 'the service does not support'],
    [listed(client.data, 'authorizationDetailsTypes'), 'the client may not use'],
  ] as const) {
    if (list === undefined) continue;
    const refused = details.elements.find((e) => !list.includes(String(e.type)));
    if (refused) return refuse('invalid_authorization_details', codes.bcBadAuthorizationDetails, `The authorization details type '${echoed(String(refused.type))}' is one ${whose}.`);
  }
  return undefined;
}
