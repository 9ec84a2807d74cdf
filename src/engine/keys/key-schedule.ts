import type { JWK } from 'jose';
import { PARTY_TTL_MS } from '../cache/party-caches.js';
import { settings } from '../services/service-settings.js';
import type { JwkSet } from './service-keys.js';

/**
 * When a key was made, starts signing, stops signing and leaves the JWK Set (epoch ms). Kept
 * beside the keys in the service's sealed key set, so that every node derives the same state
 * from the database and the clock, and none has to remember a transition.
 */
export interface KeyTimes {
  createdAt: number;
  /** A rotation's new key: published from `createdAt`, signing from here. */
  activatesAt?: number;
  /** The key it was replaced by signs from here. */
  supersededAt?: number;
  /** Unpublished from here (at the least; see `retirementOf`). */
  retiresAt?: number;
}

/** What `services.jwks_sealed` holds, sealed: the JWK Set and the times of keys a rotation touched. */
export interface StoredKeySet extends JwkSet {
  schedule?: Record<string, KeyTimes>;
}

export type KeyState = 'next' | 'current' | 'retiring' | 'retired';

/**
 * How long a replaced key stays published after its successor starts signing: the service's
 * ID token lifetime (a client's may only be shorter) and clock skew, plus the party cache's
 * lifetime, during which another node may still sign with it. JWT access tokens are not issued,
 * so the ID token is the longest-lived signed artefact.
 */
export function retentionMs(service: Record<string, unknown>): number {
  return PARTY_TTL_MS + (settings.idTokenDuration(service, {}) + settings.clockSkew(service)) * 1000;
}

/**
 * The stored retirement, or later when the service's ID token lifetime has grown since: a token
 * signed before the switch must verify until it expires, whatever was known at rotation time.
 */
export function retirementOf(times: KeyTimes, retention: number): number | undefined {
  if (times.supersededAt === undefined) return times.retiresAt;
  return Math.max(times.retiresAt ?? 0, times.supersededAt + retention);
}

export function keyState(times: KeyTimes | undefined, now: number, retention: number): KeyState {
  if (times === undefined) return 'current';
  if (times.activatesAt !== undefined && now < times.activatesAt) return 'next';
  if (times.supersededAt !== undefined && now >= times.supersededAt) {
    return now >= (retirementOf(times, retention) ?? Number.POSITIVE_INFINITY) ? 'retired' : 'retiring';
  }
  return 'current';
}

/** A key's algorithm: its `alg`, else the one its type and curve imply (RFC 7518 §3). */
export function algOfKey(jwk: JWK): string {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256';
}

function keysIn(set: StoredKeySet, states: readonly KeyState[], now: number, retention: number): JwkSet {
  return { keys: set.keys.filter((k) => states.includes(keyState(typeof k.kid === 'string' ? set.schedule?.[k.kid] : undefined, now, retention))) };
}

const PUBLISHED: readonly KeyState[] = ['next', 'current', 'retiring'];
const SIGNING: readonly KeyState[] = ['current'];

/** The keys a JWK Set shows now (private form; callers publish `publicJwks` of it). */
export const publishedKeys = (set: StoredKeySet, now: number, retention: number): JwkSet => keysIn(set, PUBLISHED, now, retention);
/** The keys that sign now: one current key per algorithm after a rotation. */
export const signingKeys = (set: StoredKeySet, now: number, retention: number): JwkSet => keysIn(set, SIGNING, now, retention);
