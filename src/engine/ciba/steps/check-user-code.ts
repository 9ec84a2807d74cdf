import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

/** CIBA §7.1: when service and client both say so, `user_code` is required (missing_user_code). */
export function checkUserCode(service: ServiceParty, client: ClientParty, value: unknown): { userCode?: string; userCodeRequired: boolean } | Refusal {
  const userCodeRequired = client.data.bcUserCodeRequired === true && settings.userCodeSupported(service.data);
  if (value !== undefined && typeof value !== 'string') return refuse('invalid_request', codes.bcMalformedParameters, "The 'user_code' must be a string.");
  if (userCodeRequired && (value === undefined || value === '')) return refuse('missing_user_code', codes.bcUserCodeMissing);
  return { userCodeRequired, ...(typeof value === 'string' && value !== '' ? { userCode: value.slice(0, 256) } : {}) };
}
