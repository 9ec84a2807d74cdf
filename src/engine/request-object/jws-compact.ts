import { invalidRequest, type OAuthError } from '../protocol/oauth-error.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../lib/json.js';

/**
 * Upper bound on the `request` parameter's length. A CIBA request object carries a handful of
 * short parameters (CIBA Core §7.1); even with `authorization_details` and a 1024-character
 * `client_notification_token` it stays far below this. The bound keeps decoding and signature
 * checks cheap for hostile input.
 */
export const MAX_REQUEST_OBJECT_LENGTH = 128 * 1024;

/** The protected header and the raw segments of a JWS in compact serialization. */
export interface CompactJws {
  header: Record<string, unknown>;
  alg: string;
  kid?: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a compact JWS and decodes its protected header, without trusting anything in it yet.
 * Rejects what is not a signed JWS: JWE (five segments), unsecured JWTs (`alg: none`, RFC 9101
 * §6.1 requires the AS to reject them when a signature is required) and empty signatures.
 */
export function parseCompactJws(jwt: string): CompactJws | OAuthError {
  if (jwt.length === 0) return invalidRequest('request object is empty');
  if (jwt.length > MAX_REQUEST_OBJECT_LENGTH) return invalidRequest(`request object is longer than ${MAX_REQUEST_OBJECT_LENGTH} characters`);
  const parts = jwt.split('.');
  // RFC 7516 §7.1: a JWE compact serialization has five segments.
  if (parts.length === 5) return invalidRequest('encrypted request objects are not supported');
  if (parts.length !== 3) return invalidRequest('request object is not a JWS in compact serialization');
  const [headerPart, , signaturePart] = parts as [string, string, string];
  if (!parts.every((part) => BASE64URL.test(part))) return invalidRequest('request object is not base64url-encoded');
  const header = decodeJsonObject(headerPart);
  if (header === undefined) return invalidRequest('request object header is not a base64url-encoded JSON object');
  if ('enc' in header) return invalidRequest('encrypted request objects are not supported');
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.length === 0) return invalidRequest("request object header has no 'alg'");
  if (alg.toLowerCase() === 'none') return invalidRequest("request object must be signed; 'alg': 'none' is not allowed");
  if (signaturePart.length === 0) return invalidRequest('request object has an empty signature');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') return invalidRequest("request object header 'kid' is not a string");
  return kid === undefined ? { header, alg } : { header, alg, kid };
}

/** Decodes a base64url segment holding a JSON object; undefined for anything else. */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  const text = decodeUtf8(Buffer.from(segment, 'base64url'));
  return text === undefined ? undefined : parseJsonObject(text);
}

/** Strict UTF-8 decoding: invalid byte sequences are an error, not replacement characters. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Parses JSON text and keeps it only when it is an object (not an array, null or a scalar), and
 * nested no deeper than request JSON may be (its members are walked and stored later).
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
