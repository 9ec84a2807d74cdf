import { invalidClient, type OAuthError } from '../protocol/oauth-error.js';
import { isIdentifierOf } from './method-names.js';
import type { PresentedCredentials } from './presented-credentials.js';
import type { AuthClient, ClientAuthContext } from './types.js';

/**
 * Finds the client the request speaks for. Every identifier present must name the same client, so a
 * client cannot authenticate as itself while claiming another client_id (conformance #30/#31).
 */
export async function identifyClient(presented: PresentedCredentials, ctx: ClientAuthContext): Promise<AuthClient | OAuthError> {
  const identifiers = presentedIdentifiers(presented);
  const first = identifiers[0];
  if (first === undefined) return invalidClient('no client identifier: send client_id or a client assertion');

  const client = await ctx.findClient(first);
  // An alias the service or the client has switched off names no client: the same answer as an
  // unknown one, so the answer does not tell that the alias exists.
  const aliasesEnabled = ctx.clientIdAliasEnabled !== false;
  if (client === undefined || !isIdentifierOf(client, first, aliasesEnabled)) return invalidClient('unknown client');

  // The alias and the numeric id are both names of the same client, so compare names, not strings.
  if (!identifiers.every((id) => isIdentifierOf(client, id, aliasesEnabled))) {
    return invalidClient('the client identifiers in the request do not name the same client');
  }
  return client;
}

/** In order of precedence: HTTP Basic, form client_id, then the assertion's subject (RFC 7523 §3). */
function presentedIdentifiers(presented: PresentedCredentials): string[] {
  const ids: string[] = [];
  if (presented.basicClientId !== undefined) ids.push(presented.basicClientId);
  if (presented.formClientId !== undefined) ids.push(presented.formClientId);
  const fromAssertion = assertionSubject(presented);
  if (fromAssertion !== undefined) ids.push(fromAssertion);
  return ids;
}

// RFC 7523 §3 makes `sub` the client_id; `iss` is only a fallback for finding the client, and the
// claim check later insists that both are present and equal.
function assertionSubject(presented: PresentedCredentials): string | undefined {
  const claims = presented.assertion?.claims;
  if (claims === undefined) return undefined;
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub;
  if (typeof claims.iss === 'string' && claims.iss !== '') return claims.iss;
  return undefined;
}
