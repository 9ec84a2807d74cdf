import { codes } from '../../../wire/result-codes.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { FAPI_RULES } from '../../fapi/fapi-profile.js';

/**
 * CIBA §7.1: binding_message is for display on the device. Its content policy is the
 * authorization server's (it answers INVALID_BINDING_MESSAGE through /fail); here only its
 * type and an outer bound are checked.
 */
export function checkBindingMessage(value: unknown, required = false): string | undefined | Refusal {
  if (value === undefined || value === '') {
    // FAPI-CIBA 5.2.2-2 through Authlete's backchannelBindingMessageRequiredInFapi (see fapi-profile.ts).
    return required ? refuse('invalid_request', codes.bcBadBindingMessage, `The binding_message is missing: ${FAPI_RULES.bindingMessage}.`) : undefined;
  }
  if (typeof value !== 'string' || value.length > 4096) return refuse('invalid_binding_message', codes.bcBadBindingMessage);
  return value;
}
