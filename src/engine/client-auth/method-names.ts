import type { AuthClient, ClientAuthMethod } from './types.js';

/** The RFC 8414 / IANA name of a method, as clients know it (e.g. `private_key_jwt`). */
export function methodName(method: ClientAuthMethod): string {
  return method.toLowerCase();
}

/**
 * A client is named by its numeric id or, when it has one and aliases are enabled, by its alias.
 * Authlete's `clientIdAliasEnabled` (service and client) switches the alias off as a client_id.
 */
export function isIdentifierOf(client: AuthClient, value: string, aliasesEnabled = true): boolean {
  if (value === String(client.clientId)) return true;
  if (!aliasesEnabled || client.clientIdAliasEnabled === false) return false;
  return client.clientIdAlias !== undefined && client.clientIdAlias !== '' && value === client.clientIdAlias;
}
