import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface JwkSet {
  keys: JWK[];
}

/** The signing algorithms a new service gets one key each for. */
export const GENERATED_KEY_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** Generates a fresh private JWK Set for a service: one signing key per algorithm, each with a kid. */
export async function generateServiceJwks(): Promise<JwkSet> {
  return { keys: await Promise.all(GENERATED_KEY_ALGS.map(generateSigningKey)) };
}

/** One private signing JWK for `alg` (one of GENERATED_KEY_ALGS), its kid the RFC 7638 thumbprint. */
export async function generateSigningKey(alg: string): Promise<JWK> {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' } satisfies JWK;
}

// Private members per RFC 7518 §6; anything else in a JWK is public.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

export function publicJwks(set: JwkSet): JwkSet {
  // Symmetric keys ('oct') have no public part to show.
  return { keys: set.keys.filter((k) => k.kty !== 'oct').map(publicJwk) };
}

export function hasPrivateMembers(jwk: JWK): boolean {
  return PRIVATE_MEMBERS.some((m) => m in jwk);
}

/** Parses a JWK Set given as a JSON string; returns an error text when it is not one. */
export function parseJwkSet(text: string): JwkSet | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    return 'is not a JWK Set (an object with a "keys" array)';
  }
  const keys = (parsed as { keys: unknown[] }).keys;
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string') {
      return 'holds a key without "kty"';
    }
  }
  return { keys: keys as JWK[] };
}
