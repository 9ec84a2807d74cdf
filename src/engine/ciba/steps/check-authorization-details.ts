import { codes } from '../../../wire/result-codes.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../../lib/json.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

const KNOWN = ['type', 'locations', 'actions', 'datatypes', 'identifier', 'privileges'];

/** Authlete's `authz_details` shape: known members, the rest kept as a JSON string. */
export interface AuthorizationDetails {
  elements: Record<string, unknown>[];
}

/**
 * RFC 9396 §2: `authorization_details` is a JSON array of objects, each with a string `type`
 * (invalid_authorization_details otherwise). A signed request may carry the array itself.
 */
export function checkAuthorizationDetails(value: unknown): AuthorizationDetails | undefined | Refusal {
  if (value === undefined || value === '') return undefined;
  const bad = (detail?: string) => refuse('invalid_authorization_details', codes.bcBadAuthorizationDetails, detail);
  let parsed: unknown = value;
  if (typeof value === 'string') {
    // Unknown members are kept as JSON text: stringifying a value nested thousands deep would
    // overflow the stack, so such a value is refused before it is parsed.
    if (jsonNestsDeeperThan(value, MAX_JSON_DEPTH)) return bad(`The 'authorization_details' nests deeper than ${MAX_JSON_DEPTH} levels.`);
    try {
      parsed = JSON.parse(value);
    } catch {
      return bad("The 'authorization_details' is not JSON.");
    }
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 64) return bad("The 'authorization_details' must be a non-empty JSON array.");
  const elements: Record<string, unknown>[] = [];
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return bad('Each authorization details element must be an object.');
    const element = item as Record<string, unknown>;
    if (typeof element.type !== 'string' || element.type === '') return bad("Each authorization details element needs a string 'type'.");
    const strings = (name: string) => {
      const v = element[name];
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
    };
    const others = Object.fromEntries(Object.entries(element).filter(([k]) => !KNOWN.includes(k.toLowerCase())));
    elements.push({
      type: element.type,
      ...(strings('locations') ? { locations: strings('locations') } : {}),
      ...(strings('actions') ? { actions: strings('actions') } : {}),
      ...(strings('datatypes') ? { dataTypes: strings('datatypes') } : {}),
      ...(typeof element.identifier === 'string' ? { identifier: element.identifier } : {}),
      ...(strings('privileges') ? { privileges: strings('privileges') } : {}),
      ...(Object.keys(others).length > 0 ? { otherFields: JSON.stringify(others) } : {}),
    });
  }
  return { elements };
}
