import { codes } from '../../../wire/result-codes.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

/**
 * CIBA §7.1: binding_message is for display on the device. Its content policy is the
 * authorization server's (it answers INVALID_BINDING_MESSAGE through /fail); here only its
 * type and an outer bound are checked.
 */
export function checkBindingMessage(value: unknown): string | undefined | Refusal {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 4096) return refuse('invalid_binding_message', codes.bcBadBindingMessage);
  return value;
}
