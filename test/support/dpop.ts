/** DPoP proofs (RFC 9449 §4.2) made the way a client makes them, and hostile variants of them. */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  alg: string;
  thumbprint: string;
}

export async function dpopKey(alg: 'ES256' | 'PS256' | 'RS256' | 'EdDSA' = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, privateJwk: await exportJWK(privateKey), alg, thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export const ath = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Seconds since the epoch; defaults to `nowMs`. */
  iat?: number;
  nowMs: number;
  accessToken?: string;
  nonce?: string;
  jti?: string;
  /** Header overrides (e.g. a wrong typ, another jwk). */
  header?: Record<string, unknown>;
  claims?: JWTPayload;
  omitTyp?: boolean;
}

export async function proof(key: DpopKey, options: ProofOptions): Promise<string> {
  const header: Record<string, unknown> = { alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header };
  if (options.omitTyp) delete header.typ;
  return new SignJWT({
    jti: options.jti ?? randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: options.iat ?? Math.floor(options.nowMs / 1000),
    ...(options.accessToken ? { ath: ath(options.accessToken) } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...options.claims,
  })
    .setProtectedHeader(header as never)
    .sign(key.privateKey);
}

/** An HS256-signed "proof" with an oct jwk: a MAC, which RFC 9449 §4.2 forbids. */
export async function hmacProof(options: ProofOptions): Promise<string> {
  const secret = new Uint8Array(32).fill(7);
  return new SignJWT({ jti: randomUUID(), htm: options.htm ?? 'POST', htu: options.htu, iat: Math.floor(options.nowMs / 1000) })
    .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } } as never)
    .sign(secret);
}

/** A self-signed client certificate (PEM) made by openssl, and a second, unrelated one. */
export function certificates(): { good: string; other: string } {
  const dir = mkdtempSync(join(tmpdir(), 'openciba-bound-'));
  try {
    const make = (name: string, subject: string) => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '30', '-subj', subject], { stdio: 'pipe' });
      return readFileSync(join(dir, `${name}.pem`), 'utf8');
    };
    return { good: make('good', '/CN=bound-client'), other: make('other', '/CN=bound-client') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An RSA key pair's private JWK, for a proof that carries a private key in its header. */
export function rsaPrivateJwk(): JWK {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK;
}
