import { echoed } from '../../../lib/error-description.js';
import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import type { ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { scopeClaims } from '../../protocol/scope-claims.js';

export interface CheckedScopes {
  /** The service's scope objects for the requested names, in request order. */
  scopes: Record<string, unknown>[];
  names: string[];
  claimNames: string[];
}

/** CIBA §7.1: `scope` is required and must contain `openid`; each scope must be one the service supports. */
export function checkScopes(service: ServiceParty, scope: unknown): CheckedScopes | Refusal {
  if (typeof scope !== 'string') return refuse('invalid_scope', codes.bcScopeMissingOpenid);
  const names = [...new Set(scope.split(' ').filter(Boolean))];
  if (!names.includes('openid')) return refuse('invalid_scope', codes.bcScopeMissingOpenid);
  const supported = settings.supportedScopes(service.data);
  const byName = new Map(supported.map((s) => [String(s.name), s]));
  if (supported.length > 0) {
    const unknown = names.find((n) => !byName.has(n));
    if (unknown !== undefined) return refuse('invalid_scope', codes.bcScopeUnsupported, `The scope '${echoed(unknown)}' is not supported.`);
  }
  const claimNames = scopeClaims(names);
  return { names, scopes: names.map((n) => byName.get(n) ?? { name: n }), claimNames };
}
