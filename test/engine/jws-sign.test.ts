import { describe, expect, it } from 'vitest';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, generateSecret, jwtVerify } from 'jose';
import { signCompact, signingKeyObject } from '../../src/engine/crypto/jws-sign.js';

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
    // A key imported once is reused, and still signs afresh (ECDSA/PSS signatures differ each time, all verify).
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

  it('refuses an algorithm it does not know instead of signing with a guess', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = signingKeyObject(await exportJWK(privateKey), 'ES256');
    expect(() => signCompact({ alg: 'none' }, {}, 'none', key)).toThrow(/unsupported/);
    expect(() => signCompact({ alg: 'XS256' }, {}, 'XS256', key)).toThrow(/unsupported/);
  });
});
