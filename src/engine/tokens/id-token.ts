import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { signCompact, signingKeyObject } from '../../lib/jws-sign.js';
import type { JwkSet } from '../keys/service-keys.js';

const HASH_OF_ALG: Record<string, string> = {
  RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', HS256: 'sha256',
  RS384: 'sha384', PS384: 'sha384', ES384: 'sha384', HS384: 'sha384',
  RS512: 'sha512', PS512: 'sha512', ES512: 'sha512', HS512: 'sha512',
  // OIDC Core errata: Ed25519 signatures hash with SHA-512.
  EdDSA: 'sha512',
};

/** OIDC Core §3.3.2.11: base64url of the left half of the hash of the token's ASCII octets. */
export function tokenHash(value: string, alg: string): string {
  const digest = createHash(HASH_OF_ALG[alg] ?? 'sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The service key that signs for `alg`: by its `alg`, else by key type. */
export function signingKeyFor(jwks: JwkSet | undefined, alg: string): JWK | undefined {
  const keys = (jwks?.keys ?? []).filter((k) => 'd' in k && k.use !== 'enc');
  return (
    keys.find((k) => k.alg === alg) ??
    keys.find((k) => !k.alg && ((alg.startsWith('RS') || alg.startsWith('PS')) ? k.kty === 'RSA' : alg.startsWith('ES') ? k.kty === 'EC' : alg === 'EdDSA' ? k.kty === 'OKP' : false))
  );
}

export interface IdTokenInput {
  issuer: string;
  sub: string;
  audience: string;
  audType: 'array' | 'string';
  issuedAt: number;
  lifetime: number;
  authTime?: number;
  acr?: string;
  claims?: Record<string, unknown>;
  accessToken?: string;
  refreshToken?: string;
  /** Push mode: CIBA §10.3.1 binds the ID token to the request. */
  authReqId?: string;
}

// Claims the caller's `claims` may not override.
const PROTECTED = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'auth_time', 'at_hash', 'urn:openid:params:jwt:claim:auth_req_id', 'urn:openid:params:jwt:claim:rt_hash']);

export async function signIdToken(jwks: JwkSet | undefined, alg: string, input: IdTokenInput): Promise<string | undefined> {
  const key = signingKeyFor(jwks, alg);
  if (!key) return undefined;
  const extra = Object.fromEntries(Object.entries(input.claims ?? {}).filter(([k]) => !PROTECTED.has(k)));
  const payload: Record<string, unknown> = {
    ...extra,
    iss: input.issuer,
    sub: input.sub,
    aud: input.audType === 'string' ? input.audience : [input.audience],
    exp: input.issuedAt + input.lifetime,
    iat: input.issuedAt,
    ...(input.authTime !== undefined && input.authTime > 0 ? { auth_time: input.authTime } : {}),
    ...(input.acr ? { acr: input.acr } : {}),
    ...(input.accessToken ? { at_hash: tokenHash(input.accessToken, alg) } : {}),
    ...(input.authReqId ? { 'urn:openid:params:jwt:claim:auth_req_id': input.authReqId } : {}),
    ...(input.authReqId && input.refreshToken ? { 'urn:openid:params:jwt:claim:rt_hash': tokenHash(input.refreshToken, alg) } : {}),
  };
  const header = { alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) };
  return signCompact(header, payload, alg, signingKeyObject(key, alg));
}
