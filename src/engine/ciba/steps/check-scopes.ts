import { echoed } from '../../../lib/error-description.js';
import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { scopeClaims } from '../../protocol/scope-claims.js';

export interface CheckedScopes {
  /** The service's scope objects for the requested names, in request order. */
  scopes: Record<string, unknown>[];
  names: string[];
  claimNames: string[];
}

/**
 * CIBA §7.1: `scope` is required and must contain `openid`; each scope must be one the service
 * supports and, when the client's `extension.requestableScopesEnabled` is true, one of its
 * `requestableScopes`. Authlete drops an unrequestable scope from an authorization request; a
 * CIBA request is refused instead, as for an unsupported scope, so that the client learns it
 * asked for more than it may (RFC 6749 §5.2 invalid_scope).
 */
export function checkScopes(service: ServiceParty, client: ClientParty, scope: unknown): CheckedScopes | Refusal {
  if (typeof scope !== 'string') return refuse('invalid_scope', codes.bcScopeMissingOpenid);
  const names = [...new Set(scope.split(' ').filter(Boolean))];
  if (!names.includes('openid')) return refuse('invalid_scope', codes.bcScopeMissingOpenid);
  const supported = settings.supportedScopes(service.data);
  const byName = new Map(supported.map((s) => [String(s.name), s]));
  if (supported.length > 0) {
    const unknown = names.find((n) => !byName.has(n));
    if (unknown !== undefined) return refuse('invalid_scope', codes.bcScopeUnsupported, `The scope '${echoed(unknown)}' is not supported.`);
  }
  const requestable = settings.requestableScopes(client.data);
  if (requestable !== undefined) {
    const unrequestable = names.find((n) => !requestable.includes(n));
    if (unrequestable !== undefined) {
      return refuse('invalid_scope', codes.bcScopeNotRequestable, `The scope '${echoed(unrequestable)}' is not requestable by the client.`);
    }
  }
  // Authlete's supportedClaims: a scope asks only for the claims the service supports.
  const supportedClaims = settings.supportedClaims(service.data);
  const claimNames = scopeClaims(names).filter((c) => supportedClaims === undefined || supportedClaims.includes(c));
  return { names, scopes: names.map((n) => byName.get(n) ?? { name: n }), claimNames };
}
