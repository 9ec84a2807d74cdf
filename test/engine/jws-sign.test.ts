import { describe, expect, it } from 'vitest';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, generateSecret, jwtVerify } from 'jose';
import { signCompact, signingKeyObject } from '../../src/lib/jws-sign.js';

const ASYMMETRIC: [string, Record<string, unknown>][] = [
  ['RS256', { modulusLength: 2048 }], ['RS384', { modulusLength: 2048 }], ['RS512', { modulusLength: 2048 }],
  ['PS256', { modulusLength: 2048 }], ['PS384', { modulusLength: 2048 }], ['PS512', { modulusLength: 2048 }],
  ['ES256', {}], ['ES384', {}], ['ES512', {}], ['EdDSA', { crv: 'Ed25519' }],
];

describe('signCompact (node:crypto JWS), verified by jose', () => {
  it.each(ASYMMETRIC)('%s', async (alg, options) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { ...options, extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `k-${alg}` };
    const token = signCompact({ alg, typ: 'JWT', kid: jwk.kid }, { sub: 'alice', aud: ['c1'], iat: 1, exp: 4_000_000_000, n: 'ü' }, alg, signingKeyObject(jwk, alg));
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [alg], audience: 'c1' });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: `k-${alg}` });
    expect(payload).toEqual({ sub: 'alice', aud: ['c1'], iat: 1, exp: 4_000_000_000, n: 'ü' });
    // The same JWK object gives the same imported key, which still signs afresh.
    expect(signingKeyObject(jwk, alg)).toBe(signingKeyObject(jwk, alg));
    const again = signCompact({ alg }, { x: 1 }, alg, signingKeyObject(jwk, alg));
    await expect(compactVerify(again, publicKey)).resolves.toBeDefined();
  });

  it('HS256 with an oct key', async () => {
    const secret = await generateSecret('HS256', { extractable: true });
    const jwk = await exportJWK(secret);
    const token = signCompact({ alg: 'HS256' }, { sub: 'bob' }, 'HS256', signingKeyObject(jwk, 'HS256'));
    expect((await jwtVerify(token, secret)).payload).toEqual({ sub: 'bob' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256' });
  });

  it('never signs with another tenant\'s key that shares its kid and public members', async () => {
    const victim = await generateKeyPair('ES256', { extractable: true });
    const victimJwk = { ...(await exportJWK(victim.privateKey)), kid: 'shared-kid' };
    const victimToken = signCompact({ alg: 'ES256', kid: 'shared-kid' }, { sub: 'v' }, 'ES256', signingKeyObject(victimJwk, 'ES256'));
    await expect(compactVerify(victimToken, victim.publicKey)).resolves.toBeDefined();

    // Another service uploads the victim's public key material with a private part of its own.
    const other = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const forged = { ...victimJwk, d: other.d };
    // Refused at import: a key whose private part does not belong to its public members.
    expect(() => signingKeyObject(forged, 'ES256')).toThrow(new Error('the key shared-kid cannot sign ES256: its private part does not match its public members'));
    // The victim's own key object still signs as the victim.
    expect(signingKeyObject(victimJwk, 'ES256')).toBe(signingKeyObject(victimJwk, 'ES256'));
  });

  it('refuses RSA and Ed25519 keys whose private part belongs to another key', async () => {
    const pair = async (alg: string, options: Record<string, unknown>) => exportJWK((await generateKeyPair(alg, { ...options, extractable: true })).privateKey);
    const [rsaVictim, rsaOther] = [await pair('PS256', { modulusLength: 2048 }), await pair('PS256', { modulusLength: 2048 })];
    const { n, e, kty } = rsaVictim;
    const rsaForged = { ...rsaOther, kty, n, e, kid: 'rsa-kid' };
    expect(() => signingKeyObject(rsaForged, 'PS256')).toThrow(new Error('the key rsa-kid cannot sign PS256: its private part does not match its public members'));
    const [edVictim, edOther] = [await pair('EdDSA', { crv: 'Ed25519' }), await pair('EdDSA', { crv: 'Ed25519' })];
    const edForged = { ...edVictim, d: edOther.d };
    expect(() => signingKeyObject(edForged, 'EdDSA')).toThrow(new Error('the key cannot sign EdDSA: its private part does not match its public members'));
  });

  it('refuses keys that do not fit the algorithm (RFC 7518 §3)', async () => {
    const p384 = await exportJWK((await generateKeyPair('ES384', { extractable: true })).privateKey);
    expect(() => signingKeyObject(p384, 'ES256')).toThrow(/prime256v1/);
    const { generateKeyPairSync } = await import('node:crypto');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    expect(() => signingKeyObject(small as never, 'RS256')).toThrow(/2048/);
    const ed = await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).privateKey);
    expect(() => signingKeyObject(ed, 'ES256')).toThrow(new Error('the key cannot sign ES256: needs an EC key on prime256v1'));
    expect(() => signingKeyObject({ kty: 'oct', k: Buffer.alloc(16).toString('base64url') }, 'HS256')).toThrow(/too short/);
  });

  it('refuses an algorithm it does not know instead of signing with a guess', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = signingKeyObject(await exportJWK(privateKey), 'ES256');
    expect(() => signCompact({ alg: 'none' }, {}, 'none', key)).toThrow(/unsupported/);
    expect(() => signCompact({ alg: 'XS256' }, {}, 'XS256', key)).toThrow(/unsupported/);
  });
});
