import type { JWK } from 'jose';
import { publicJwk } from '../keys/service-keys.js';

// RFC 7518 §3.1 and RFC 8037 §3.1: the key type (and curve) each asymmetric JWS algorithm needs.
// Filtering on these keeps an RSA key from being tried for ES256 and, above all, keeps a symmetric
// ('oct') key out of private_key_jwt altogether.
const KEY_TYPE_BY_ALG_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['RS', 'RSA'],
  ['PS', 'RSA'],
  ['ES', 'EC'],
  ['EdDSA', 'OKP'],
];
const CURVES_BY_ALG: Readonly<Record<string, readonly string[]>> = {
  ES256: ['P-256'],
  ES384: ['P-384'],
  ES512: ['P-521'],
  ES256K: ['secp256k1'],
  EdDSA: ['Ed25519', 'Ed448'],
};

/**
 * The client's keys that could have signed an assertion with this header: the one named by `kid`
 * when the header has one, otherwise every signing key of the right type. Private members are
 * dropped so that verification can only ever use public material.
 */
export function candidateKeys(keys: readonly JWK[], alg: string, kid: string | undefined): JWK[] {
  const kty = keyTypeFor(alg);
  if (kty === undefined) return [];
  return keys
    .filter((key) => key.kty === kty)
    .filter((key) => kid === undefined || key.kid === kid)
    .filter((key) => key.alg === undefined || key.alg === alg)
    .filter((key) => key.use === undefined || key.use === 'sig')
    .filter((key) => key.key_ops === undefined || key.key_ops.includes('verify'))
    .filter((key) => curveFits(key, alg))
    .map(publicJwk);
}

function keyTypeFor(alg: string): string | undefined {
  return KEY_TYPE_BY_ALG_PREFIX.find(([prefix]) => alg.startsWith(prefix))?.[1];
}

function curveFits(key: JWK, alg: string): boolean {
  const curves = CURVES_BY_ALG[alg];
  return curves === undefined || (typeof key.crv === 'string' && curves.includes(key.crv));
}
