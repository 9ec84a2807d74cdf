import { codes } from '../../../wire/result-codes.js';
import type { DeliveryMode } from '../../../wire/enums.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

// RFC 6750 §2.1 b64token syntax; CIBA §7.1 caps the length at 1024 characters.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** CIBA §7.1: client_notification_token is required in ping and push modes. */
export function checkNotificationToken(value: unknown, mode: DeliveryMode): string | undefined | Refusal {
  if (value === undefined || value === '') {
    return mode === 'POLL' ? undefined : refuse('invalid_request', codes.bcNotificationTokenMissing);
  }
  if (typeof value !== 'string' || value.length > 1024 || !B64TOKEN.test(value)) {
    return refuse('invalid_request', codes.bcNotificationTokenMalformed);
  }
  return value;
}
