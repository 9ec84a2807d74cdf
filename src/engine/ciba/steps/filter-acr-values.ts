import { settings } from '../../services/service-settings.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';

/**
 * `acr_values` with the values the service does not support dropped (reference §3, `acrs`). A
 * request without acr_values takes the client's `defaultAcrs` (OIDC Registration §2
 * default_acr_values), filtered the same way.
 */
export function filterAcrValues(service: ServiceParty, value: unknown, client?: ClientParty): string[] | undefined {
  const supported = new Set(settings.supportedAcrs(service.data));
  const keep = (values: unknown[]) => {
    const acrs = [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== '' && supported.has(v)))];
    return acrs.length > 0 ? acrs : undefined;
  };
  if (typeof value === 'string' && value !== '') return keep(value.split(' '));
  if (value !== undefined && value !== '') return undefined;
  return Array.isArray(client?.data.defaultAcrs) ? keep(client.data.defaultAcrs as unknown[]) : undefined;
}
