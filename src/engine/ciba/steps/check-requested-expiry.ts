import { codes } from '../../../wire/result-codes.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

/**
 * CIBA §7.1: requested_expiry is a positive integer. A signed request may carry it as a JSON
 * number or as a string (conformance module 9); a form body always as a string.
 */
export function checkRequestedExpiry(value: unknown): number | undefined | Refusal {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number <= 0 || number > 2 ** 31 - 1) return refuse('invalid_request', codes.bcRequestedExpiryMalformed);
  return number;
}
