import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature. */
export const WEBHOOK_SIGNATURE_HEADER = 'OpenCIBA-Signature';

export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Beyond this a "seconds" value is surely milliseconds (it would be after the year 5000). */
const MAX_PLAUSIBLE_SECONDS = 1e11;

function toSeconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0 || value >= MAX_PLAUSIBLE_SECONDS) {
    throw new RangeError(`${name} must be a Unix time in seconds (for a Clock, use epochSeconds(clock))`);
  }
  return Math.floor(value);
}

function mac(secret: string, seconds: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${seconds}.${body}`, 'utf8').digest();
}

/**
 * The value of the `OpenCIBA-Signature` header for `body` sent at `timestamp` (Unix seconds):
 * `t=<seconds>,v1=<hex HMAC-SHA256 over "<seconds>.<body>">`. The timestamp is signed with
 * the body, so a captured request cannot be replayed later than the receiver's tolerance.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const seconds = toSeconds(timestamp, 'timestamp');
  return `t=${seconds},v1=${mac(secret, seconds, body).toString('hex')}`;
}

/**
 * Checks a signature header against the raw body as received, at `now` (Unix seconds).
 * Several `v1` values are accepted (one per secret during a rotation); any that matches
 * passes. Returns false for anything malformed, stale or from the future beyond tolerance.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: number,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (typeof header !== 'string' || header.length > 4096) return false;
  const nowSeconds = toSeconds(now, 'now');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,11}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return false;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = mac(secret, timestamp, body);
  let matched = false;
  // Every candidate is compared, so the time taken does not tell which one matched.
  for (const candidate of signatures) if (timingSafeEqual(candidate, expected)) matched = true;
  return matched;
}
