import { settings } from '../../services/service-settings.js';
import type { ServiceParty } from '../../protocol/parties.js';

/** `acr_values` with the values the service does not support dropped (reference §3, `acrs`). */
export function filterAcrValues(service: ServiceParty, value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const supported = new Set(settings.supportedAcrs(service.data));
  const acrs = [...new Set(value.split(' ').filter((v) => v && supported.has(v)))];
  return acrs.length > 0 ? acrs : undefined;
}
