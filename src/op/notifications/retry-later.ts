import type { DeliveryResult } from './deliver.js';

/** Longest Retry-After header value read (an HTTP-date is 29 characters). */
const MAX_RETRY_AFTER_CHARS = 64;

/** The Retry-After header of a refusal, kept for the dispatcher to read against its clock (bounded, printable). */
export function retryAfterHeader(value: string | string[] | undefined): { retryAfter: string } | Record<string, never> {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text.length > 0 && text.length <= MAX_RETRY_AFTER_CHARS && /^[\x20-\x7e]+$/.test(text) ? { retryAfter: text } : {};
}

/**
 * RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. Milliseconds from `now` until
 * the peer asks to be tried again, or undefined when it said nothing readable (or a time past).
 */
export function retryAfterMs(retryAfter: string | undefined, now: number): number | undefined {
  if (retryAfter === undefined) return undefined;
  if (/^[0-9]{1,9}$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const at = Date.parse(retryAfter);
  return Number.isFinite(at) && at > now ? at - now : undefined;
}

/**
 * What a push service's answer means (RFC 8030): 429 is "too many requests" from the push service
 * (§8.4), which asks the application server to slow down — retried with backoff, like a 5xx (§5:
 * the push service could not take the message now), not dropped like the other 4xx (400, 413: a
 * message it will never accept; 404, 410: the subscription is gone).
 */
export function pushServiceOutcome(result: DeliveryResult): DeliveryResult {
  return result.outcome === 'final' && result.status === 429 ? { ...result, outcome: 'retry' } : result;
}
