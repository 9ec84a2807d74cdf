import type { ClientParty } from '../protocol/parties.js';
import type { FoundToken } from './find-token.js';

/**
 * RFC 7662 §4 leaves to the server who may introspect what. OpenCIBA's rule: a client sees its own
 * tokens; a client the operator made a resource server sees every token of its service. The role
 * is a client attribute (Authlete's `attributes`, key below, value "true"), not a new member, so
 * that it survives the official SDK's read-modify-write of a client, stays inside Authlete's wire
 * schema, and goes with the client when it is deleted.
 */
export const RESOURCE_SERVER_ATTRIBUTE = 'openciba.resource_server';

export function isResourceServer(client: ClientParty): boolean {
  const attributes = Array.isArray(client.data.attributes) ? (client.data.attributes as { key?: unknown; value?: unknown }[]) : [];
  return attributes.some((a) => a?.key === RESOURCE_SERVER_ATTRIBUTE && a.value === 'true');
}

/** Whether the authenticated caller may learn anything of the token (undefined: no caller was authenticated). */
export function mayIntrospect(caller: ClientParty | undefined, token: FoundToken): boolean {
  if (caller === undefined) return true;
  return token.record.clientId === caller.record.clientId || isResourceServer(caller);
}

/** A 400 text for an unusable resource-server attribute, checked at client create and update. */
export function resourceServerAttributeProblem(attributes: unknown): string | undefined {
  if (!Array.isArray(attributes)) return undefined;
  const entries = attributes.filter((a) => (a as { key?: unknown } | null)?.key === RESOURCE_SERVER_ATTRIBUTE) as { value?: unknown }[];
  if (entries.length > 1) return `the attribute '${RESOURCE_SERVER_ATTRIBUTE}' is repeated`;
  const value = entries[0]?.value;
  if (entries.length === 1 && value !== 'true' && value !== 'false') return `the attribute '${RESOURCE_SERVER_ATTRIBUTE}' must be "true" or "false"`;
  return undefined;
}
