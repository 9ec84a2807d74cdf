import type { JWK } from 'jose';

// Private members per RFC 7518 §6. A key used for verification must be public; a stray private
// member would make the import produce a private key that cannot verify.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The key type (and curve, where it matters) a JWS algorithm needs (RFC 7518 §3, RFC 8037 §3.1). */
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

function publicPart(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/**
 * The client keys that may have produced a signature with `alg`. When the header names a `kid`,
 * only keys with that kid qualify (RFC 7515 §4.1.4): a kid that matches nothing fails rather
 * than falling back to other keys. Without a kid every key of a fitting type is a candidate.
 * Keys embedded in the header (`jwk`, `jku`, `x5u`, `x5c`) are never used: the request object
 * must be signed by a key registered for the client (CIBA Core §7.1.1).
 */
export function candidateKeys(keys: readonly unknown[], alg: string, kid: string | undefined): JWK[] {
  return keys
    .filter((key): key is JWK => typeof key === 'object' && key !== null && typeof (key as JWK).kty === 'string')
    .filter((key) => kid === undefined || key.kid === kid)
    .filter((key) => fitsAlgorithm(key, alg))
    .map(publicPart);
}
