import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { EngineContext } from '../context.js';
import { constantTimeEqual } from '../../lib/keyring.js';
import { nonceAccepted, type NoncePurpose } from './dpop-nonce.js';
import { normalizedHtu } from './htu.js';

/**
 * Proof algorithms accepted (RFC 9449 §4.3 step 5): registered asymmetric JWS algorithms only,
 * never `none` or a MAC. Authlete has no service setting naming them, so the list is fixed and
 * advertised as `dpop_signing_alg_values_supported`.
 */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'] as const;

/** How old a proof may be, and how far ahead of our clock its iat may run (RFC 9449 §11.1). */
export const DPOP_MAX_AGE_S = 120;
export const DPOP_FUTURE_SKEW_S = 30;
/** Bounds on what is parsed at all: a proof carries a public key and a few short claims. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 512;
/** JWK members that only private or symmetric keys have (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface ProofExpectation {
  serviceId: number;
  htm: string;
  /** The URI the request was sent to; compared after normalization. */
  htu: string | undefined;
  /** At a resource: the access token the proof must name (`ath`, §4.3 step 12). */
  accessToken?: string;
  nonceRequired: boolean;
  noncePurpose: NoncePurpose;
}

export type ProofFailure = { ok: false; error: 'invalid_dpop_proof' | 'use_dpop_nonce'; detail: string };
export type ProofResult = { ok: true; jkt: string } | ProofFailure;

const fail = (detail: string, error: ProofFailure['error'] = 'invalid_dpop_proof'): ProofFailure => ({ ok: false, error, detail });

/** base64url(SHA-256(ASCII(token))): RFC 9449 §4.2 `ath`. */
export const accessTokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists (one header is the caller's check), and on success
 * records its jti in the shared store so that no node accepts it again while it could still be
 * accepted. The answer is the RFC 7638 thumbprint of the proof's key.
 */
export async function verifyDpopProof(ctx: EngineContext, proof: unknown, expected: ProofExpectation): Promise<ProofResult> {
  if (typeof proof !== 'string' || proof === '') return fail('The DPoP proof is missing.');
  if (proof.length > MAX_PROOF_LENGTH) return fail('The DPoP proof is too large.');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) return fail('The DPoP proof is not a compact JWS.');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return fail('The DPoP proof header is malformed.');
  }
  if (header.typ !== 'dpop+jwt') return fail('The DPoP proof typ is not dpop+jwt.');
  if (typeof header.alg !== 'string' || !(DPOP_ALGS as readonly string[]).includes(header.alg)) return fail('The DPoP proof alg is not an accepted asymmetric algorithm.');
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return fail('The DPoP proof has no jwk header.');
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) return fail('The DPoP proof jwk is not a public key.');

  let payload: Record<string, unknown>;
  try {
    const key = await importJWK(jwk, header.alg);
    const verified = await compactVerify(proof, key, { algorithms: [header.alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    return fail('The DPoP proof signature does not verify with its jwk.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fail('The DPoP proof payload is not a JSON object.');

  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) return fail('The DPoP proof jti is missing or malformed.');
  if (typeof htm !== 'string' || htm !== expected.htm) return fail('The DPoP proof htm does not match the request method.');
  const want = normalizedHtu(expected.htu);
  if (want === undefined || normalizedHtu(htu) !== want) return fail('The DPoP proof htu does not match the request URI.');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('The DPoP proof iat is missing or malformed.');
  const now = ctx.clock.now() / 1000;
  if (iat < now - DPOP_MAX_AGE_S) return fail('The DPoP proof is too old.');
  if (iat > now + DPOP_FUTURE_SKEW_S) return fail('The DPoP proof iat is in the future.');
  if (expected.accessToken !== undefined) {
    if (typeof payload.ath !== 'string' || !constantTimeEqual(payload.ath, accessTokenHash(expected.accessToken))) return fail('The DPoP proof ath does not match the access token.');
  }
  if (expected.nonceRequired && !nonceAccepted(ctx, expected.serviceId, expected.noncePurpose, payload.nonce)) {
    return fail(payload.nonce === undefined ? 'A DPoP nonce is required.' : 'The DPoP nonce is stale or unknown.', 'use_dpop_nonce');
  }

  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  // RFC 9449 §11.1: jti is unique per target URI. Stored as a digest (a jti may be long), kept
  // until the proof could no longer be accepted anyway.
  const expiresAt = (Math.floor(iat) + DPOP_MAX_AGE_S + 1) * 1000;
  const fresh = await ctx.store.claimJti(`dpop:${expected.serviceId}`, ctx.keyring.digest(`${want}\u0000${jkt}\u0000${jti}`), expiresAt, ctx.clock.now());
  if (!fresh) return fail('The DPoP proof has been used before.');
  return { ok: true, jkt };
}
