import { describe, expect, it } from 'vitest';
import { PARTY_TTL_MS } from '../../src/engine/cache/party-caches.js';
import { algOfKey, keyState, publishedKeys, retentionMs, retirementOf, signingKeys, type StoredKeySet } from '../../src/engine/keys/key-schedule.js';

describe('key states derived from stored times', () => {
  const retention = 10_000;
  it('follows next → current → retiring → retired at the stored instants', () => {
    const fresh = { createdAt: 0, activatesAt: 100 };
    expect(keyState(fresh, 99, retention)).toBe('next');
    expect(keyState(fresh, 100, retention)).toBe('current');
    const old = { createdAt: 0, supersededAt: 100, retiresAt: 100 + retention };
    expect(keyState(old, 99, retention)).toBe('current');
    expect(keyState(old, 100, retention)).toBe('retiring');
    expect(keyState(old, 100 + retention - 1, retention)).toBe('retiring');
    expect(keyState(old, 100 + retention, retention)).toBe('retired');
    // A key no rotation touched is current.
    expect(keyState(undefined, 5, retention)).toBe('current');
  });

  it('keeps a replaced key longer when the ID token lifetime grew after the rotation, never shorter', () => {
    const old = { createdAt: 0, supersededAt: 100, retiresAt: 5_000 };
    expect(retirementOf(old, 10_000)).toBe(10_100);
    expect(retirementOf(old, 1_000)).toBe(5_000);
    expect(keyState(old, 6_000, 10_000)).toBe('retiring');
  });

  it('retains for the ID token lifetime, clock skew and the party cache', () => {
    expect(retentionMs({ idTokenDuration: 600, allowableClockSkew: 5 })).toBe(PARTY_TTL_MS + 605_000);
    expect(retentionMs({})).toBeGreaterThan(PARTY_TTL_MS);
  });

  it('publishes next, current and retiring keys, and signs only with current ones', () => {
    const set: StoredKeySet = {
      keys: [{ kty: 'EC', kid: 'old', alg: 'ES256' }, { kty: 'EC', kid: 'new', alg: 'ES256' }, { kty: 'RSA', kid: 'gone' }, { kty: 'OKP', kid: 'plain' }],
      schedule: { old: { createdAt: 0, supersededAt: 100, retiresAt: 200 }, new: { createdAt: 50, activatesAt: 100 }, gone: { createdAt: 0, supersededAt: 10, retiresAt: 20 } },
    };
    const kids = (s: { keys: { kid?: string }[] }) => s.keys.map((k) => k.kid);
    expect(kids(publishedKeys(set, 60, 0))).toEqual(['old', 'new', 'plain']);
    expect(kids(signingKeys(set, 60, 0))).toEqual(['old', 'plain']);
    expect(kids(signingKeys(set, 100, 0))).toEqual(['new', 'plain']);
    expect(kids(publishedKeys(set, 200, 0))).toEqual(['new', 'plain']);
  });

  it('names the algorithm of keys without alg by their type', () => {
    expect(algOfKey({ kty: 'RSA' })).toBe('RS256');
    expect(algOfKey({ kty: 'OKP', crv: 'Ed25519' })).toBe('EdDSA');
    expect(algOfKey({ kty: 'EC', crv: 'P-384' })).toBe('ES384');
    expect(algOfKey({ kty: 'EC', crv: 'P-256', alg: 'ES256' })).toBe('ES256');
  });
});
