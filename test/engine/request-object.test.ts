import { randomUUID } from 'node:crypto';
import { CompactEncrypt, CompactSign, exportJWK, generateKeyPair, generateSecret, importJWK, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  requestObjectRequired,
  verifyRequestObject,
  type RequestObjectClient,
  type RequestObjectContext,
  type VerifiedRequestObject,
} from '../../src/engine/request-object/verify-request-object.js';
import { isOAuthError, type OAuthError } from '../../src/engine/protocol/oauth-error.js';

const NOW = 1_700_000_000;
const SKEW = 30;
const ISSUER = 'https://as.example.com';
const BACKCHANNEL_ENDPOINT = 'https://as.example.com/api/backchannel/authentication';

interface TestKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  /** The public JWK as a client would register it: no `alg`, no `key_ops`. */
  publicJwk: JWK;
  privateJwk: JWK;
}

async function makeKey(alg: 'PS256' | 'ES256' | 'RS256' | 'EdDSA', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const { alg: _a, key_ops: _o, ext: _e, ...pub } = await exportJWK(publicKey);
  const { alg: _pa, key_ops: _po, ext: _pe, ...priv } = await exportJWK(privateKey);
  return { alg, kid, privateKey, publicJwk: { ...pub, kid, use: 'sig' }, privateJwk: priv };
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function baseClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: '1001',
    aud: ISSUER,
    exp: NOW + 300,
    iat: NOW,
    nbf: NOW,
    jti: randomUUID(),
    scope: 'openid',
    login_hint: 'alice@example.com',
    binding_message: '1234',
    ...overrides,
  };
}

function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

async function sign(claims: unknown, key: { privateKey: CryptoKey; alg: string; kid?: string }, header: Record<string, unknown> = {}): Promise<string> {
  const protectedHeader = { alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }), ...header };
  return new CompactSign(encode(claims)).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

function context(keys: JWK[], usedJtis = new Set<string>()): RequestObjectContext & { claims: Array<[string, number]> } {
  const claims: Array<[string, number]> = [];
  return {
    issuer: ISSUER,
    audiences: [BACKCHANNEL_ENDPOINT],
    clientKeys: async () => keys,
    claimJti: async (jti, expiresAt) => {
      claims.push([jti, expiresAt]);
      if (usedJtis.has(jti)) return false;
      usedJtis.add(jti);
      return true;
    },
    now: NOW,
    clockSkew: SKEW,
    claims,
  };
}

function expectInvalidRequest(result: VerifiedRequestObject | OAuthError, description: RegExp): void {
  expect(isOAuthError(result), `expected an error, got ${JSON.stringify(result)}`).toBe(true);
  const error = result as OAuthError;
  expect(error.error).toBe('invalid_request');
  expect(error.status).toBe(400);
  expect(error.description).toMatch(description);
}

function expectVerified(result: VerifiedRequestObject | OAuthError): VerifiedRequestObject {
  expect(isOAuthError(result), `expected success, got ${JSON.stringify(result)}`).toBe(false);
  return result as VerifiedRequestObject;
}

let ps1: TestKey; // client 1's key
let ps2: TestKey; // client 2's key
let es1: TestKey;
let ed1: TestKey;

// Client 1 as in the conformance suite's FAPI-CIBA plan: PS256 registered.
const client1: RequestObjectClient = { clientId: 1001, clientIdAlias: 'client-one', bcRequestSignAlg: 'PS256' };
const client1Keys = () => [ps1.publicJwk];

beforeAll(async () => {
  [ps1, ps2, es1, ed1] = await Promise.all([makeKey('PS256', 'c1-ps'), makeKey('PS256', 'c2-ps'), makeKey('ES256', 'c1-es'), makeKey('EdDSA', 'c1-ed')]);
});

describe('verifyRequestObject: conformance negative modules', () => {
  it('#12 missing aud fails', async () => {
    const jwt = await sign(without(baseClaims(), 'aud'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'aud'/);
  });

  it('#13 bad aud fails', async () => {
    const jwt = await sign(baseClaims({ aud: 'https://www.other1.example.com/' }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /'aud' claim does not contain the issuer/);
  });

  it('#14 missing iss fails', async () => {
    const jwt = await sign(without(baseClaims(), 'iss'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'iss'/);
  });

  it("#15 bad iss (client 2's client_id) fails", async () => {
    const jwt = await sign(baseClaims({ iss: '2002' }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /'iss' claim is not the client_id/);
  });

  it('#16 missing exp fails', async () => {
    const jwt = await sign(without(baseClaims(), 'exp'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'exp'/);
  });

  it('#17 expired exp fails', async () => {
    const jwt = await sign(baseClaims({ exp: NOW - 3600 }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /expired/);
  });

  it('#18 exp 70 minutes in the future (lifetime over 60 minutes) fails', async () => {
    const jwt = await sign(baseClaims({ exp: NOW + 70 * 60, nbf: NOW }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /lifetime .* exceeds 60 minutes/);
  });

  it('#19 missing iat fails', async () => {
    const jwt = await sign(without(baseClaims(), 'iat'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'iat'/);
  });

  it('#20 missing nbf fails', async () => {
    const jwt = await sign(without(baseClaims(), 'nbf'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'nbf'/);
  });

  it('#21 nbf 10 minutes in the future fails', async () => {
    const jwt = await sign(baseClaims({ nbf: NOW + 10 * 60, exp: NOW + 15 * 60 }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /not yet valid/);
  });

  it('#22 nbf 70 minutes in the past fails', async () => {
    const jwt = await sign(baseClaims({ nbf: NOW - 70 * 60, exp: NOW + 5 * 60 }), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /'nbf' is more than 60 minutes in the past/);
  });

  it('#23 missing jti fails', async () => {
    const jwt = await sign(without(baseClaims(), 'jti'), ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /no 'jti'/);
  });

  it('#24 signature algorithm none fails', async () => {
    const jwt = `${b64({ alg: 'none' })}.${b64(baseClaims())}.`;
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /'none' is not allowed/);
  });

  it('#25 altered signature bytes fail', async () => {
    const [header, payload, signature] = (await sign(baseClaims(), ps1)).split('.') as [string, string, string];
    const altered = Buffer.from(Buffer.from(signature, 'base64url').map((byte) => byte ^ 0x5a)).toString('base64url');
    expectInvalidRequest(await verifyRequestObject(`${header}.${payload}.${altered}`, client1, context(client1Keys())), /signature does not verify/);
  });

  it("#26 RS256 with the client's RSA key fails when PS256 is registered", async () => {
    const rsaKey = (await importJWK(ps1.privateJwk, 'RS256')) as CryptoKey;
    const jwt = await sign(baseClaims(), { privateKey: rsaKey, alg: 'RS256', kid: ps1.kid });
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /must be signed with PS256/);
  });

  it("#27 signed by another client's key fails", async () => {
    const claims = baseClaims();
    // As the suite does: client 2's key and kid.
    const withOtherKid = await sign(claims, ps2);
    expectInvalidRequest(await verifyRequestObject(withOtherKid, client1, context(client1Keys())), /no registered key with kid 'c2-ps'/);
    // Worse: client 2's key but client 1's kid, or no kid at all.
    const withOwnKid = await sign(claims, { ...ps2, kid: ps1.kid });
    expectInvalidRequest(await verifyRequestObject(withOwnKid, client1, context(client1Keys())), /signature does not verify/);
    const withoutKid = await sign(claims, { privateKey: ps2.privateKey, alg: 'PS256' });
    expectInvalidRequest(await verifyRequestObject(withoutKid, client1, context(client1Keys())), /signature does not verify/);
  });

  it('#28 both login_hint and login_hint_token are returned so the caller can reject them', async () => {
    // CIBA Core §7.1 "exactly one hint" is checked by the caller's hint step, on these claims.
    const claims = baseClaims({ login_hint: 'join@example.com', login_hint_token: 'xxxxxxxxxxxxxxxxxxxx' });
    const verified = expectVerified(await verifyRequestObject(await sign(claims, ps1), client1, context(client1Keys())));
    expect(verified.claims.login_hint).toBe('join@example.com');
    expect(verified.claims.login_hint_token).toBe('xxxxxxxxxxxxxxxxxxxx');
  });
});

describe('verifyRequestObject: success', () => {
  it('accepts PS256 and returns the parameters without the JWT registered claims', async () => {
    const claims = baseClaims({ acr_values: 'urn:acr:1', request_context: { geo: [1, 2] } });
    const ctx = context(client1Keys());
    const verified = expectVerified(await verifyRequestObject(await sign(claims, ps1), client1, ctx));
    expect(verified).toEqual({
      kind: 'request-object',
      alg: 'PS256',
      claims: { scope: 'openid', login_hint: 'alice@example.com', binding_message: '1234', acr_values: 'urn:acr:1', request_context: { geo: [1, 2] } },
    });
    // The jti is kept as long as the time checks would still accept the object.
    expect(ctx.claims).toEqual([[claims.jti, NOW + 300 + SKEW]]);
  });

  it('accepts ES256', async () => {
    const client: RequestObjectClient = { clientId: 1001, bcRequestSignAlg: 'ES256' };
    const verified = expectVerified(await verifyRequestObject(await sign(baseClaims(), es1), client, context([es1.publicJwk])));
    expect(verified.alg).toBe('ES256');
  });

  it('accepts EdDSA', async () => {
    const client: RequestObjectClient = { clientId: 1001, bcRequestSignAlg: 'EdDSA' };
    const verified = expectVerified(await verifyRequestObject(await sign(baseClaims(), ed1), client, context([ed1.publicJwk])));
    expect(verified.alg).toBe('EdDSA');
  });

  it('accepts any asymmetric algorithm when the client registered none', async () => {
    const client: RequestObjectClient = { clientId: 1001 };
    const rsaKey = (await importJWK(ps1.privateJwk, 'RS256')) as CryptoKey;
    const jwt = await sign(baseClaims(), { privateKey: rsaKey, alg: 'RS256', kid: ps1.kid });
    expect(expectVerified(await verifyRequestObject(jwt, client, context(client1Keys()))).alg).toBe('RS256');
  });

  it('accepts the alias as iss, aud as an array, the issuer with a trailing slash, and the endpoint URL', async () => {
    for (const overrides of [{ iss: 'client-one' }, { aud: ['https://other.example', `${ISSUER}/`] }, { aud: BACKCHANNEL_ENDPOINT }]) {
      expectVerified(await verifyRequestObject(await sign(baseClaims(overrides), ps1), client1, context(client1Keys())));
    }
  });

  it('keeps requested_expiry as a number and as a string', async () => {
    const asNumber = await verifyRequestObject(await sign(baseClaims({ requested_expiry: 300 }), ps1), client1, context(client1Keys()));
    expect(expectVerified(asNumber).claims.requested_expiry).toBe(300);
    const asString = await verifyRequestObject(await sign(baseClaims({ requested_expiry: '30' }), ps1), client1, context(client1Keys()));
    expect(expectVerified(asString).claims.requested_expiry).toBe('30');
  });

  it('allows the clock skew on exp and nbf', async () => {
    const justExpired = await sign(baseClaims({ exp: NOW - SKEW + 1, nbf: NOW - 600 }), ps1);
    expectVerified(await verifyRequestObject(justExpired, client1, context(client1Keys())));
    const notYetValid = await sign(baseClaims({ nbf: NOW + SKEW - 1 }), ps1);
    expectVerified(await verifyRequestObject(notYetValid, client1, context(client1Keys())));
    const tooLate = await sign(baseClaims({ exp: NOW - SKEW, nbf: NOW - 600 }), ps1);
    expectInvalidRequest(await verifyRequestObject(tooLate, client1, context(client1Keys())), /expired/);
  });
});

describe('verifyRequestObject: key selection', () => {
  let a: TestKey;
  let b: TestKey;
  const client: RequestObjectClient = { clientId: 1001 };
  const keys = () => [ps1.publicJwk, a.publicJwk, b.publicJwk];

  beforeAll(async () => {
    [a, b] = await Promise.all([makeKey('ES256', 'key-a'), makeKey('ES256', 'key-b')]);
  });

  it('selects the key named by kid among several', async () => {
    expectVerified(await verifyRequestObject(await sign(baseClaims(), b), client, context(keys())));
  });

  it('does not fall back to other keys when kid names a key that did not sign', async () => {
    const jwt = await sign(baseClaims(), { ...b, kid: 'key-a' });
    expectInvalidRequest(await verifyRequestObject(jwt, client, context(keys())), /signature does not verify/);
  });

  it('fails for an unknown kid even though another registered key would verify', async () => {
    const jwt = await sign(baseClaims(), { ...b, kid: 'unknown' });
    expectInvalidRequest(await verifyRequestObject(jwt, client, context(keys())), /no registered key with kid 'unknown'/);
  });

  it('tries every key of a fitting type when there is no kid', async () => {
    const jwt = await sign(baseClaims(), { privateKey: b.privateKey, alg: 'ES256' });
    expectVerified(await verifyRequestObject(jwt, client, context(keys())));
  });

  it('does not use a key registered for another algorithm or for encryption', async () => {
    const jwt = await sign(baseClaims(), b);
    expectInvalidRequest(await verifyRequestObject(jwt, client, context([{ ...b.publicJwk, alg: 'ES384' }])), /no registered key/);
    expectInvalidRequest(await verifyRequestObject(jwt, client, context([{ ...b.publicJwk, use: 'enc' }])), /no registered key/);
  });

  it('rejects HS256 even when a client key would verify it', async () => {
    const secret = (await generateSecret('HS256', { extractable: true })) as CryptoKey;
    const octJwk = await exportJWK(secret);
    const jwt = await sign(baseClaims(), { privateKey: secret, alg: 'HS256' });
    expectInvalidRequest(await verifyRequestObject(jwt, client, context([octJwk])), /HS256 is not allowed; an asymmetric algorithm is required/);
  });
});

describe('verifyRequestObject: replay and claim syntax', () => {
  it('rejects a replayed jti', async () => {
    const used = new Set<string>();
    const jwt = await sign(baseClaims(), ps1);
    expectVerified(await verifyRequestObject(jwt, client1, context(client1Keys(), used)));
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys(), used)), /'jti' has already been used/);
  });

  it('does not record the jti of a request rejected for another reason', async () => {
    const ctx = context(client1Keys());
    expectInvalidRequest(await verifyRequestObject(await sign(baseClaims({ aud: 'https://elsewhere' }), ps1), client1, ctx), /'aud'/);
    expect(ctx.claims).toEqual([]);
  });

  it('rejects an empty or over-long jti', async () => {
    for (const jti of ['', 42]) {
      expectInvalidRequest(await verifyRequestObject(await sign(baseClaims({ jti }), ps1), client1, context(client1Keys())), /'jti' claim is not a non-empty string/);
    }
    expectVerified(await verifyRequestObject(await sign(baseClaims({ jti: 'j'.repeat(256) }), ps1), client1, context(client1Keys())));
    const long = await sign(baseClaims({ jti: 'j'.repeat(257) }), ps1);
    expectInvalidRequest(await verifyRequestObject(long, client1, context(client1Keys())), /longer than 256/);
  });

  it('rejects numeric dates given as strings and a numeric iss', async () => {
    const expString = await sign(baseClaims({ exp: String(NOW + 300) }), ps1);
    expectInvalidRequest(await verifyRequestObject(expString, client1, context(client1Keys())), /'exp' claim is not a number/);
    const nbfString = await sign(baseClaims({ nbf: String(NOW) }), ps1);
    expectInvalidRequest(await verifyRequestObject(nbfString, client1, context(client1Keys())), /'nbf' claim is not a number/);
    const issNumber = await sign(baseClaims({ iss: 1001 }), ps1);
    expectInvalidRequest(await verifyRequestObject(issNumber, client1, context(client1Keys())), /'iss' claim is not a string/);
  });

  it('rejects aud that is not a string or a non-empty array of strings', async () => {
    for (const aud of [[], [ISSUER, 7], 7, { iss: ISSUER }]) {
      expectInvalidRequest(await verifyRequestObject(await sign(baseClaims({ aud }), ps1), client1, context(client1Keys())), /'aud' claim is not a string/);
    }
  });

  it('rejects exp not after nbf', async () => {
    const jwt = await sign(baseClaims({ nbf: NOW, exp: NOW }), { ...ps1 });
    const ctx = { ...context(client1Keys()), now: NOW - 10 };
    expectInvalidRequest(await verifyRequestObject(jwt, client1, ctx), /'exp' is not after 'nbf'/);
  });

  it('rejects a client_id claim naming another client', async () => {
    expectVerified(await verifyRequestObject(await sign(baseClaims({ client_id: 'client-one' }), ps1), client1, context(client1Keys())));
    const other = await sign(baseClaims({ client_id: '2002' }), ps1);
    expectInvalidRequest(await verifyRequestObject(other, client1, context(client1Keys())), /'client_id' claim is not the client_id/);
  });

  it('rejects a nested request or request_uri (RFC 9101 §4)', async () => {
    for (const nested of [{ request: 'x.y.z' }, { request_uri: 'urn:x' }]) {
      expectInvalidRequest(await verifyRequestObject(await sign(baseClaims(nested), ps1), client1, context(client1Keys())), /must not contain 'request'/);
    }
  });

  it('keeps a __proto__ claim as plain data', async () => {
    const payload = new TextEncoder().encode(`${JSON.stringify(baseClaims()).slice(0, -1)},"__proto__":{"polluted":true}}`);
    const jwt = await new CompactSign(payload).setProtectedHeader({ alg: 'PS256', kid: ps1.kid }).sign(ps1.privateKey);
    const verified = expectVerified(await verifyRequestObject(jwt, client1, context(client1Keys())));
    expect(Object.hasOwn(verified.claims, '__proto__')).toBe(true);
    expect((verified.claims as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('verifyRequestObject: malformed input', () => {
  it('rejects an encrypted request object', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(encode(baseClaims())).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey);
    expect(jwe.split('.')).toHaveLength(5);
    expectInvalidRequest(await verifyRequestObject(jwe, client1, context(client1Keys())), /encrypted request objects are not supported/);
  });

  it('rejects a JSON array as payload even when correctly signed', async () => {
    const jwt = await sign(['iss', '1001'], ps1);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /payload is not a JSON object/);
  });

  it('rejects a non-JSON payload even when correctly signed', async () => {
    const jwt = await new CompactSign(new Uint8Array([0xff, 0xfe, 0x7b])).setProtectedHeader({ alg: 'PS256', kid: ps1.kid }).sign(ps1.privateKey);
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(client1Keys())), /payload is not a JSON object/);
  });

  it('answers invalid_request for garbage without throwing', async () => {
    const header = b64({ alg: 'PS256' });
    const cases: Array<[string, RegExp]> = [
      ['a.b.c', /header is not a base64url-encoded JSON object/],
      ['', /empty/],
      ['a'.repeat(1 << 20), /longer than/],
      [`${header}.${'A'.repeat(1 << 20)}.sig`, /longer than/],
      [b64([1, 2, 3]), /not a JWS in compact serialization/],
      [`${b64([{ alg: 'PS256' }])}.${b64([1, 2])}.c2ln`, /header is not a base64url-encoded JSON object/],
      [`${header}.${b64([1, 2])}.c2ln`, /signature does not verify/],
      [`${header}.${b64('not json')}.c2ln`, /signature does not verify/],
      [`${b64({ alg: 'PS256', kid: 5 })}.${b64({})}.c2ln`, /'kid' is not a string/],
      [`${b64({ alg: 5 })}.${b64({})}.c2ln`, /no 'alg'/],
      [`${b64({ alg: 'NONE' })}.${b64({})}.`, /'none' is not allowed/],
      [`${header}.${b64({})}.`, /empty signature/],
      [`${header}.${b64({})}.c2ln!`, /not base64url/],
      ['....', /encrypted/],
      ['..', /header is not/],
      ['1e3', /not a JWS/],
      [`${b64('123')}.${b64('456')}.c2ln`, /header is not/],
      ['\u0000.\uffff.\ud800', /not base64url/],
    ];
    for (const [input, description] of cases) {
      expectInvalidRequest(await verifyRequestObject(input, client1, context(client1Keys())), description);
    }
  });

  it('does not throw for non-string input or malformed client keys', async () => {
    for (const input of [undefined, null, 42, {}, ['a', 'b', 'c']]) {
      expectInvalidRequest(await verifyRequestObject(input as unknown as string, client1, context(client1Keys())), /not a string/);
    }
    const jwt = await sign(baseClaims(), { privateKey: ps1.privateKey, alg: 'PS256' });
    const junkKeys = [null, 'key', { kty: 'RSA' }, { kty: 'RSA', n: '!!', e: 'AQAB' }, { kty: 5 }] as unknown as JWK[];
    expectInvalidRequest(await verifyRequestObject(jwt, client1, context(junkKeys)), /signature does not verify/);
    expectVerified(await verifyRequestObject(jwt, client1, context([...junkKeys, ps1.publicJwk])));
  });
});

describe('verifyRequestObject: deterministic fuzz', () => {
  it('answers invalid_request for 500 random dotted strings without throwing', async () => {
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const alphabet = 'eyJ0.-_=+/ {}[]":,aAzZ09\u00e9\u0000';
    const validJwt = await sign(baseClaims(), ps1);
    const valid = validJwt.split('.');
    for (let i = 0; i < 500; i += 1) {
      const parts = Array.from({ length: 1 + (next() % 6) }, (_, j) =>
        next() % 3 === 0 ? (valid[j % 3] ?? '') : Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join(''),
      );
      const input = parts.join('.');
      if (input === validJwt) continue; // reassembled the genuine request object
      const result = await verifyRequestObject(input, client1, context(client1Keys()));
      expectInvalidRequest(result, /./);
    }
  });
});

describe('requestObjectRequired', () => {
  it('is true exactly when the client registered a signing algorithm (conformance #43 is then the caller\'s 400)', () => {
    expect(requestObjectRequired({ clientId: 1, bcRequestSignAlg: 'PS256' })).toBe(true);
    expect(requestObjectRequired({ clientId: 1 })).toBe(false);
    expect(requestObjectRequired({ clientId: 1, bcRequestSignAlg: '' })).toBe(false);
  });
});
