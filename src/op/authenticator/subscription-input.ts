import { createECDH } from 'node:crypto';
import type { Mode } from '../../lib/mode.js';
import { checkOutboundUrl } from '../../lib/urls.js';

export interface SubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
export const MAX_ENDPOINT_LENGTH = 2048;

function decoded(value: unknown, maxLength: number): Buffer | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !BASE64URL.test(value)) return undefined;
  return Buffer.from(value, 'base64url');
}

function onCurve(point: Buffer): boolean {
  try {
    // Throws for a point that is not on P-256 (computeSecret needs a key pair of its own).
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}

/**
 * A PushSubscriptionJSON (W3C Push API) as the page posts it, or why it is refused: the endpoint
 * follows the notification endpoints' rules (https to a public address in production, loopback
 * http allowed in development; resolved addresses are checked again when sending), p256dh is an
 * uncompressed P-256 point and auth 16 bytes (RFC 8291 §3), and nothing else is accepted.
 */
export function parseSubscription(body: unknown, mode: Mode): SubscriptionInput | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the subscription must be a JSON object';
  const { endpoint, keys, expirationTime, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'the subscription has unknown members';
  if (expirationTime !== undefined && expirationTime !== null && typeof expirationTime !== 'number') return "'expirationTime' must be a number or null";
  if (typeof endpoint !== 'string' || endpoint.length > MAX_ENDPOINT_LENGTH) return `'endpoint' must be a URL of at most ${MAX_ENDPOINT_LENGTH} characters`;
  const problem = checkOutboundUrl(endpoint, mode);
  if (problem) return `'endpoint' ${problem}`;
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) return "'keys' must be an object";
  const { p256dh, auth, ...otherKeys } = keys as Record<string, unknown>;
  if (Object.keys(otherKeys).length > 0) return "'keys' has unknown members";
  const point = decoded(p256dh, 100);
  if (!point || point.length !== 65 || point[0] !== 0x04 || !onCurve(point)) return "'keys.p256dh' must be an uncompressed P-256 public key";
  const secret = decoded(auth, 32);
  if (!secret || secret.length !== 16) return "'keys.auth' must be 16 bytes";
  return { endpoint, keys: { p256dh: p256dh as string, auth: auth as string } };
}
