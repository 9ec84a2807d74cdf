import type { JWK } from 'jose';
import { publicJwk } from './service-keys.js';

/**
 * The key type (and curve, where it matters) a JWS algorithm needs (RFC 7518 §3, RFC 8037 §3.1).
 * Filtering on these keeps an RSA key from being tried for ES256 and, above all, keeps a
 * symmetric ('oct') key out of any public-key verification.
 */
function keyShapeFor(alg: string): { kty: string; crv?: readonly string[] } | undefined {
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return { kty: 'RSA' };
  switch (alg) {
    case 'ES256':
      return { kty: 'EC', crv: ['P-256'] };
    case 'ES384':
      return { kty: 'EC', crv: ['P-384'] };
    case 'ES512':
      return { kty: 'EC', crv: ['P-521'] };
    case 'ES256K':
      return { kty: 'EC', crv: ['secp256k1'] };
    case 'EdDSA':
      return { kty: 'OKP', crv: ['Ed25519', 'Ed448'] };
    default:
      return undefined;
  }
}

function fitsAlgorithm(jwk: JWK, alg: string): boolean {
  const shape = keyShapeFor(alg);
  if (shape === undefined || jwk.kty !== shape.kty) return false;
  if (shape.crv !== undefined && !shape.crv.includes(String(jwk.crv))) return false;
  // A key restricted to another algorithm or to encryption must not verify this signature.
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  return true;
}

/**
 * A client's registered keys that may have produced a signature with `alg` (a client assertion,
 * a request object). When the header names a `kid`, only keys with that kid qualify (RFC 7515
 * §4.1.4): a kid that matches nothing fails rather than falling back to other keys. Without a kid
 * every key of a fitting type is a candidate. Private members are dropped, so that verification
 * only ever uses public material. Keys embedded in a JWS header are never passed here.
 */
export function verificationKeys(keys: readonly unknown[], alg: string, kid: string | undefined): JWK[] {
  return keys
    .filter((key): key is JWK => typeof key === 'object' && key !== null && typeof (key as JWK).kty === 'string')
    .filter((key) => kid === undefined || key.kid === kid)
    .filter((key) => fitsAlgorithm(key, alg))
    .map(publicJwk);
}
