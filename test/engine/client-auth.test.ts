import { execFileSync } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { authenticateClient } from '../../src/engine/client-auth/authenticate-client.js';
import { distinguishedNamesMatch } from '../../src/engine/client-auth/distinguished-name.js';
import type { AuthClient, AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from '../../src/engine/client-auth/types.js';
import { isOAuthError, type OAuthError } from '../../src/engine/protocol/oauth-error.js';
import { createFront, postForm } from '../support/front-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const ISSUER = 'https://as.example.com';
const TOKEN_ENDPOINT = 'https://as.example.com/api/token';
const BACKCHANNEL_ENDPOINT = 'https://as.example.com/api/backchannel/authentication';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SKEW = 10;
// Conformance §3.2: error_description may only use %x20-21 / %x23-5B / %x5D-7E.
const DESCRIPTION_CHARSET = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

const now = Math.floor(Date.now() / 1000);

interface Signer {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeSigner(alg: 'PS256' | 'ES256' | 'EdDSA' | 'RS256', kid: string): Promise<Signer & { privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid }, privateJwk: await exportJWK(privateKey) };
}

let ps256: Signer & { privateJwk: JWK };
let es256: Signer;
let eddsa: Signer;
let rs256: Signer;
let unregisteredPs256: Signer;
let workDir: string;
let tlsCertPem: string;
let tlsKeyJwk: JWK;
let otherCertPem: string;

const SECRETS = {
  basic: 'basic-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  post: 'post-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  jwt: 'jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP',
};

let clients: AuthClient[] = [];

function client(clientId: number, tokenAuthMethod: ClientAuthMethod, extra: Partial<AuthClient> = {}): AuthClient {
  return { clientId, clientIdAlias: `alias-${clientId}`, clientType: 'CONFIDENTIAL', tokenAuthMethod, clientSecret: `secret-of-${clientId}`, ...extra };
}

function jwks(...keys: JWK[]): string {
  return JSON.stringify({ keys });
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function makeCertificate(name: string, subject: string, san: string): { certPath: string; keyPath: string } {
  const certPath = join(workDir, `${name}.crt`);
  const keyPath = join(workDir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', subject, '-addext', `subjectAltName=${san}`]);
  return { certPath, keyPath };
}

beforeAll(async () => {
  ps256 = await makeSigner('PS256', 'ps-key');
  es256 = await makeSigner('ES256', 'es-key');
  eddsa = await makeSigner('EdDSA', 'ed-key');
  rs256 = await makeSigner('RS256', 'rs-key');
  unregisteredPs256 = await makeSigner('PS256', 'ps-key'); // same kid, different key

  workDir = mkdtempSync(join(tmpdir(), 'client-auth-test-'));
  const tls = makeCertificate('tls', '/C=JP/O=Example Corp/CN=tls-client', 'DNS:client.example.com,IP:2001:db8::1,URI:https://client.example.com/cb,email:ops@Client.Example.com');
  const other = makeCertificate('other', '/C=JP/O=Example Corp/CN=intruder', 'DNS:intruder.example.com,IP:192.0.2.7');
  tlsCertPem = readFileSync(tls.certPath, 'utf8');
  otherCertPem = readFileSync(other.certPath, 'utf8');
  // Taken from the private key file, not from the certificate, so the test does not share the code path it checks.
  tlsKeyJwk = { ...(await exportJWK(createPublicKey(readFileSync(tls.keyPath)))), kid: 'tls-key', use: 'sig' };

  clients = [
    client(1001, 'CLIENT_SECRET_BASIC', { clientSecret: SECRETS.basic }),
    client(1002, 'CLIENT_SECRET_POST', { clientSecret: SECRETS.post }),
    client(1003, 'CLIENT_SECRET_JWT', { clientSecret: SECRETS.jwt }),
    client(1004, 'PRIVATE_KEY_JWT', { tokenAuthSignAlg: 'PS256', jwks: jwks(ps256.publicJwk) }),
    client(1005, 'PRIVATE_KEY_JWT', { jwks: jwks(ps256.publicJwk, es256.publicJwk) }),
    client(1006, 'PRIVATE_KEY_JWT', { tokenAuthSignAlg: 'EdDSA', jwks: jwks(eddsa.publicJwk) }),
    client(1007, 'PRIVATE_KEY_JWT', { jwks: jwks(rs256.publicJwk) }),
    client(1008, 'TLS_CLIENT_AUTH', { tlsClientAuthSubjectDn: 'CN=tls-client, O=Example Corp, C=JP' }),
    client(1009, 'TLS_CLIENT_AUTH', { tlsClientAuthSanDns: 'CLIENT.example.com' }),
    client(1010, 'TLS_CLIENT_AUTH', { tlsClientAuthSanIp: '2001:db8::1' }),
    client(1011, 'TLS_CLIENT_AUTH', { tlsClientAuthSanUri: 'https://client.example.com/cb' }),
    client(1012, 'TLS_CLIENT_AUTH', { tlsClientAuthSanEmail: 'ops@client.example.com' }),
    client(1013, 'TLS_CLIENT_AUTH'),
    client(1014, 'SELF_SIGNED_TLS_CLIENT_AUTH', { jwks: jwks(es256.publicJwk, tlsKeyJwk) }),
    client(1015, 'CLIENT_SECRET_BASIC', { locked: true }),
    client(1016, 'NONE', { clientType: 'PUBLIC', clientSecret: '' }),
    client(1017, 'NONE'),
  ];
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Harness {
  ctx: ClientAuthContext;
  claimed: Array<{ clientId: number; jti: string; expiresAt: number }>;
}

function harness(at: number = now): Harness {
  const used = new Set<string>();
  const claimed: Harness['claimed'] = [];
  const ctx: ClientAuthContext = {
    issuer: ISSUER,
    audiences: [TOKEN_ENDPOINT, BACKCHANNEL_ENDPOINT],
    findClient: async (id) => clients.find((c) => String(c.clientId) === id || c.clientIdAlias === id),
    claimJti: async (clientId, jti, expiresAt) => {
      claimed.push({ clientId, jti, expiresAt });
      const key = `${clientId} ${jti}`;
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
    clientKeys: async (c) => (c.jwks === undefined ? [] : (JSON.parse(c.jwks) as { keys: JWK[] }).keys),
    now: at,
    clockSkew: SKEW,
    // These tests are about subject matching: the chain counts as validated by the TLS layer
    // (chain validation itself is tested in test/api/mtls-chain-validation.test.ts).
    certificateTrust: { anchors: [], validationRequired: false, verifiedUpstream: true },
  };
  return { ctx, claimed };
}

async function authenticate(input: Partial<ClientAuthInput> & { parameters?: URLSearchParams }, h: Harness = harness()) {
  return authenticateClient({ parameters: new URLSearchParams(), ...input }, h.ctx);
}

function form(entries: Record<string, string>): URLSearchParams {
  return new URLSearchParams(entries);
}

function assertionForm(jwt: string, extra: Record<string, string> = {}): URLSearchParams {
  return form({ client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });
}

/** Claims for client `id`, with `undefined` in `overrides` removing a claim. */
function claimsFor(id: string, overrides: Record<string, unknown> = {}): JWTPayload {
  const claims: Record<string, unknown> = { iss: id, sub: id, aud: ISSUER, jti: randomUUID(), iat: now, exp: now + 60, ...overrides };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims as JWTPayload;
}

async function sign(key: CryptoKey | Uint8Array, alg: string, claims: JWTPayload, kid?: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(kid === undefined ? { alg } : { alg, kid }).sign(key);
}

async function signedBy(signer: Signer, id: string, overrides: Record<string, unknown> = {}): Promise<string> {
  return sign(signer.privateKey, signer.alg, claimsFor(id, overrides), signer.kid);
}

function hmacKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

function expectAuthenticated(result: AuthenticatedClient | OAuthError, clientId: number, method: ClientAuthMethod): void {
  if (isOAuthError(result)) throw new Error(`expected success, got ${result.error}: ${result.description}`);
  expect(result.kind).toBe('authenticated-client');
  expect(result.client.clientId).toBe(clientId);
  expect(result.method).toBe(method);
}

function expectError(result: AuthenticatedClient | OAuthError, error: 'invalid_client' | 'invalid_request', description: RegExp): OAuthError {
  if (!isOAuthError(result)) throw new Error(`expected ${error}, but client ${result.client.clientId} was authenticated`);
  expect(result.error).toBe(error);
  expect(result.status).toBe(error === 'invalid_client' ? 401 : 400);
  expect(result.description).toMatch(description);
  expect(result.description).toMatch(DESCRIPTION_CHARSET);
  return result;
}

describe('client_secret_basic', () => {
  it('authenticates with the secret from HTTP Basic, by numeric id or alias', async () => {
    expectAuthenticated(await authenticate({ clientId: '1001', clientSecret: SECRETS.basic }), 1001, 'CLIENT_SECRET_BASIC');
    expectAuthenticated(await authenticate({ clientId: 'alias-1001', clientSecret: SECRETS.basic }), 1001, 'CLIENT_SECRET_BASIC');
  });

  it('rejects a wrong secret without echoing either secret', async () => {
    const wrong = `${SECRETS.basic}x`;
    const error = expectError(await authenticate({ clientId: '1001', clientSecret: wrong }), 'invalid_client', /secret is incorrect/);
    expect(error.description).not.toContain(SECRETS.basic);
    expect(error.description).not.toContain(wrong);
  });

  it('rejects the right secret sent in the body instead of HTTP Basic', async () => {
    const result = await authenticate({ parameters: form({ client_id: '1001', client_secret: SECRETS.basic }) });
    expectError(result, 'invalid_client', /registered for client_secret_basic but presented client_secret in the request body/);
  });

  it('rejects a Basic client that presents nothing', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1001' }) }), 'invalid_client', /client_secret_basic requires a client secret in HTTP Basic/);
  });

  it('treats an empty client_secret parameter as absent (RFC 6749 section 3.1)', async () => {
    const result = await authenticate({ clientId: '1001', clientSecret: SECRETS.basic, parameters: form({ client_secret: '' }) });
    expectAuthenticated(result, 1001, 'CLIENT_SECRET_BASIC');
  });
});

describe('client_secret_post', () => {
  it('authenticates with client_id and client_secret in the body', async () => {
    expectAuthenticated(await authenticate({ parameters: form({ client_id: '1002', client_secret: SECRETS.post }) }), 1002, 'CLIENT_SECRET_POST');
  });

  it('rejects the right secret sent through HTTP Basic', async () => {
    expectError(await authenticate({ clientId: '1002', clientSecret: SECRETS.post }), 'invalid_client', /registered for client_secret_post but presented a client secret in HTTP Basic/);
  });

  it('rejects a wrong secret', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1002', client_secret: SECRETS.basic }) }), 'invalid_client', /secret is incorrect/);
  });
});

describe('client_secret_jwt', () => {
  it('accepts HS256 and HS512 assertions keyed with the client secret', async () => {
    for (const alg of ['HS256', 'HS512']) {
      const jwt = await sign(hmacKey(SECRETS.jwt), alg, claimsFor('1003'));
      expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }), 1003, 'CLIENT_SECRET_JWT');
    }
  });

  it('rejects an assertion keyed with another secret', async () => {
    const jwt = await sign(hmacKey(SECRETS.post), 'HS256', claimsFor('1003'));
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /signature is invalid/);
  });

  it('rejects an asymmetric assertion', async () => {
    const jwt = await signedBy(ps256, '1003');
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /algorithm is not allowed for client_secret_jwt/);
  });
});

describe('private_key_jwt: success', () => {
  it('accepts a PS256 assertion with aud = issuer, identifying the client from sub alone (conformance #37)', async () => {
    const h = harness();
    const jwt = await signedBy(ps256, '1004');
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }, h), 1004, 'PRIVATE_KEY_JWT');
    expect(h.claimed).toHaveLength(1);
  });

  it('accepts aud = token endpoint, backchannel endpoint, an array, or a trailing slash', async () => {
    for (const aud of [TOKEN_ENDPOINT, BACKCHANNEL_ENDPOINT, ['https://elsewhere.example', TOKEN_ENDPOINT], `${ISSUER}/`]) {
      const jwt = await signedBy(ps256, '1004', { aud });
      expectAuthenticated(await authenticate({ parameters: assertionForm(jwt, { client_id: '1004' }) }), 1004, 'PRIVATE_KEY_JWT');
    }
  });

  it('accepts ES256, EdDSA and RS256 keys', async () => {
    expectAuthenticated(await authenticate({ parameters: assertionForm(await signedBy(es256, '1005')) }), 1005, 'PRIVATE_KEY_JWT');
    expectAuthenticated(await authenticate({ parameters: assertionForm(await signedBy(eddsa, '1006')) }), 1006, 'PRIVATE_KEY_JWT');
    expectAuthenticated(await authenticate({ parameters: assertionForm(await signedBy(rs256, '1007')) }), 1007, 'PRIVATE_KEY_JWT');
  });

  it('finds the key by type when the header has no kid', async () => {
    const jwt = await sign(es256.privateKey, 'ES256', claimsFor('1005'));
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }), 1005, 'PRIVATE_KEY_JWT');
  });

  it('accepts the alias in the assertion and the numeric id as client_id', async () => {
    const jwt = await signedBy(ps256, 'alias-1004');
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt, { client_id: '1004' }) }), 1004, 'PRIVATE_KEY_JWT');
  });

  it('accepts an exp that passed less than the clock skew ago', async () => {
    const jwt = await signedBy(ps256, '1004', { exp: now - SKEW + 3, iat: now - 60 });
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }), 1004, 'PRIVATE_KEY_JWT');
  });

  it('records the jti for the numeric client id until exp plus the skew', async () => {
    const h = harness();
    const jwt = await signedBy(ps256, 'alias-1004', { jti: 'jti-record', exp: now + 90 });
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }, h), 1004, 'PRIVATE_KEY_JWT');
    expect(h.claimed).toEqual([{ clientId: 1004, jti: 'jti-record', expiresAt: now + 90 + SKEW }]);
  });
});

describe('private_key_jwt: rejections', () => {
  it('rejects client_id without an assertion (conformance #33/#34)', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1004' }) }), 'invalid_client', /private_key_jwt requires a client_assertion/);
  });

  it('rejects an RS256 assertion from a PS256 client even though the key verifies it (conformance #35/#36)', async () => {
    const rsWithSameKey = await importJWK(ps256.privateJwk, 'RS256');
    const jwt = await sign(rsWithSameKey as CryptoKey, 'RS256', claimsFor('1004'), ps256.kid);
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /must be signed with PS256/);
    // The same key and claims under PS256 pass, so the algorithm alone made the difference.
    expectAuthenticated(await authenticate({ parameters: assertionForm(await signedBy(ps256, '1004')) }), 1004, 'PRIVATE_KEY_JWT');
  });

  it('rejects an HS256 assertion', async () => {
    const jwt = await sign(hmacKey(clients.find((c) => c.clientId === 1005)!.clientSecret), 'HS256', claimsFor('1005'));
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /algorithm is not allowed for private_key_jwt/);
  });

  it('rejects an unsecured (alg none) assertion', async () => {
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const jwt = `${encode({ alg: 'none' })}.${encode(claimsFor('1005'))}.`;
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /algorithm is not allowed/);
  });

  it('rejects a tampered signature and does not burn its jti', async () => {
    const h = harness();
    const claims = claimsFor('1004', { jti: 'jti-tamper' });
    const [header, payload, signature] = (await sign(ps256.privateKey, 'PS256', claims, ps256.kid)).split('.') as [string, string, string];
    const bytes = base64url.decode(signature);
    bytes[10] = (bytes[10] ?? 0) ^ 0x5a;
    const tampered = `${header}.${payload}.${base64url.encode(bytes)}`;
    expectError(await authenticate({ parameters: assertionForm(tampered) }, h), 'invalid_client', /signature is invalid/);
    expect(h.claimed).toEqual([]);
    expectAuthenticated(await authenticate({ parameters: assertionForm(await sign(ps256.privateKey, 'PS256', claims, ps256.kid)) }, h), 1004, 'PRIVATE_KEY_JWT');
  });

  it('rejects an assertion signed by an unregistered key that reuses a registered kid', async () => {
    expectError(await authenticate({ parameters: assertionForm(await signedBy(unregisteredPs256, '1004')) }), 'invalid_client', /signature is invalid/);
  });

  it('rejects an assertion whose kid names no registered key', async () => {
    const jwt = await sign(ps256.privateKey, 'PS256', claimsFor('1004'), 'unknown-kid');
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /no registered client key matches/);
  });

  it('rejects an aud naming another server', async () => {
    const jwt = await signedBy(ps256, '1004', { aud: 'https://other.example.com' });
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /aud does not name this authorization server/);
  });

  it('rejects an expired assertion', async () => {
    const jwt = await signedBy(ps256, '1004', { exp: now - SKEW - 1, iat: now - 120 });
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /has expired/);
  });

  it('rejects an assertion without exp', async () => {
    const jwt = await signedBy(ps256, '1004', { exp: undefined });
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /no valid exp/);
  });

  it('rejects iat or nbf beyond the clock skew in the future', async () => {
    const early = await signedBy(ps256, '1004', { iat: now + SKEW + 30 });
    expectError(await authenticate({ parameters: assertionForm(early) }), 'invalid_client', /iat/);
    const notYet = await signedBy(ps256, '1004', { nbf: now + SKEW + 30 });
    expectError(await authenticate({ parameters: assertionForm(notYet) }), 'invalid_client', /nbf/);
  });

  it('caps the lifetime at 60 minutes (RFC 7523 section 3): exp after iat, exp after now without iat, and the age of iat', async () => {
    const at = (overrides: Record<string, unknown>) => signedBy(ps256, '1004', overrides);
    // exp - iat gets no skew allowance; the checks against now do.
    expectAuthenticated(await authenticate({ parameters: assertionForm(await at({ iat: now - 100, exp: now - 100 + 3600 })) }), 1004, 'PRIVATE_KEY_JWT');
    expectError(await authenticate({ parameters: assertionForm(await at({ iat: now - 100, exp: now - 100 + 3601 })) }), 'invalid_client', /^the client assertion lifetime \(exp minus iat\) exceeds 60 minutes$/);
    expectAuthenticated(await authenticate({ parameters: assertionForm(await at({ iat: undefined, exp: now + 3600 + SKEW })) }), 1004, 'PRIVATE_KEY_JWT');
    expectError(await authenticate({ parameters: assertionForm(await at({ iat: undefined, exp: now + 3600 + SKEW + 1 })) }), 'invalid_client', /^the client assertion exp is more than 60 minutes ahead$/);
    expectAuthenticated(await authenticate({ parameters: assertionForm(await at({ iat: now - 3600 - SKEW + 1, exp: now - SKEW + 1 })) }), 1004, 'PRIVATE_KEY_JWT');
    expectError(await authenticate({ parameters: assertionForm(await at({ iat: now - 3600 - SKEW - 1, exp: now + 60 })) }), 'invalid_client', /^the client assertion iat is more than 60 minutes in the past$/);
  });

  it('rejects a ten-year assertion without recording its jti', async () => {
    const h = harness();
    const jwt = await signedBy(ps256, '1004', { exp: now + 10 * 365 * 86400 });
    expectError(await authenticate({ parameters: assertionForm(jwt) }, h), 'invalid_client', /lifetime \(exp minus iat\) exceeds 60 minutes/);
    expect(h.claimed).toEqual([]);
  });

  it('rejects a missing or overlong jti', async () => {
    expectError(await authenticate({ parameters: assertionForm(await signedBy(ps256, '1004', { jti: undefined })) }), 'invalid_client', /no jti/);
    expectError(await authenticate({ parameters: assertionForm(await signedBy(ps256, '1004', { jti: 'j'.repeat(257) })) }), 'invalid_client', /jti is longer than 256/);
  });

  it('rejects a replayed assertion', async () => {
    const h = harness();
    const jwt = await signedBy(ps256, '1004', { jti: 'jti-replay' });
    expectAuthenticated(await authenticate({ parameters: assertionForm(jwt) }, h), 1004, 'PRIVATE_KEY_JWT');
    expectError(await authenticate({ parameters: assertionForm(jwt) }, h), 'invalid_client', /jti has already been used/);
  });

  it('rejects iss different from sub', async () => {
    const jwt = await signedBy(ps256, '1004', { iss: '1005' });
    expectError(await authenticate({ parameters: assertionForm(jwt) }), 'invalid_client', /iss and sub differ/);
  });

  it('rejects an assertion for another client than the Basic client id', async () => {
    const jwt = await signedBy(es256, '1005');
    expectError(await authenticate({ clientId: '1004', parameters: assertionForm(jwt) }), 'invalid_client', /do not name the same client/);
  });

  it('rejects a client_id parameter naming another client than the assertion', async () => {
    const jwt = await signedBy(ps256, '1004');
    expectError(await authenticate({ parameters: assertionForm(jwt, { client_id: '1005' }) }), 'invalid_client', /do not name the same client/);
  });

  it('rejects a wrong or missing client_assertion_type', async () => {
    const jwt = await signedBy(ps256, '1004');
    expectError(await authenticate({ parameters: assertionForm(jwt, { client_assertion_type: 'urn:example:other' }) }), 'invalid_client', /client_assertion_type must be/);
    expectError(await authenticate({ parameters: form({ client_assertion: jwt }) }), 'invalid_client', /client_assertion_type must be/);
  });

  it('rejects an assertion that is not a JWT', async () => {
    expectError(await authenticate({ parameters: assertionForm('not-a-jwt', { client_id: '1004' }) }), 'invalid_client', /not a well-formed signed JWT/);
  });
});

describe('identification, client state and method count', () => {
  it('rejects a request without any client identifier', async () => {
    expectError(await authenticate({ parameters: form({ grant_type: 'urn:openid:params:grant-type:ciba' }) }), 'invalid_client', /no client identifier/);
  });

  it('rejects an unknown client', async () => {
    expectError(await authenticate({ clientId: '9999', clientSecret: 'whatever' }), 'invalid_client', /unknown client/);
  });

  it('rejects a locked client even with the right secret', async () => {
    expectError(await authenticate({ clientId: '1015', clientSecret: 'secret-of-1015' }), 'invalid_client', /locked/);
  });

  it('rejects public clients and clients registered with method none', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1016' }) }), 'invalid_client', /public clients/);
    expectError(await authenticate({ parameters: form({ client_id: '1017' }) }), 'invalid_client', /no authentication method registered/);
  });

  it('rejects two authentication methods at once with invalid_request', async () => {
    const jwt = await signedBy(ps256, '1004');
    expectError(await authenticate({ clientId: '1004', clientSecret: 'secret-of-1004', parameters: assertionForm(jwt) }), 'invalid_request', /more than one client authentication method/);
    expectError(await authenticate({ clientId: '1001', clientSecret: SECRETS.basic, parameters: form({ client_secret: SECRETS.basic }) }), 'invalid_request', /more than one/);
    expectError(await authenticate({ parameters: assertionForm(jwt, { client_secret: 'secret-of-1004' }) }), 'invalid_request', /more than one/);
  });

  it('rejects a repeated client_id parameter with invalid_request', async () => {
    const parameters = new URLSearchParams([['client_id', '1002'], ['client_id', '1002'], ['client_secret', SECRETS.post]]);
    expectError(await authenticate({ parameters }), 'invalid_request', /client_id parameter is repeated/);
  });

  it('rejects a Basic client id that disagrees with the client_id parameter', async () => {
    expectError(await authenticate({ clientId: '1001', clientSecret: SECRETS.basic, parameters: form({ client_id: '1002' }) }), 'invalid_client', /do not name the same client/);
    expectAuthenticated(await authenticate({ clientId: '1001', clientSecret: SECRETS.basic, parameters: form({ client_id: 'alias-1001' }) }), 1001, 'CLIENT_SECRET_BASIC');
  });
});

describe('tls_client_auth', () => {
  const withCert = (id: string, certificate: string | undefined = tlsCertPem) => ({ clientCertificate: certificate, parameters: form({ client_id: id }) });

  it('matches the subject DN registered in RFC 4514 order', async () => {
    expectAuthenticated(await authenticate(withCert('1008')), 1008, 'TLS_CLIENT_AUTH');
  });

  it('rejects a certificate with another subject DN', async () => {
    expectError(await authenticate(withCert('1008', otherCertPem)), 'invalid_client', /subject DN does not match/);
  });

  it('matches SAN DNS (case-insensitively), IP (compressed vs expanded), URI and email (domain case-insensitive)', async () => {
    expectAuthenticated(await authenticate(withCert('1009')), 1009, 'TLS_CLIENT_AUTH');
    expectAuthenticated(await authenticate(withCert('1010')), 1010, 'TLS_CLIENT_AUTH');
    expectAuthenticated(await authenticate(withCert('1011')), 1011, 'TLS_CLIENT_AUTH');
    expectAuthenticated(await authenticate(withCert('1012')), 1012, 'TLS_CLIENT_AUTH');
  });

  it('rejects certificates without the registered SAN', async () => {
    expectError(await authenticate(withCert('1009', otherCertPem)), 'invalid_client', /no DNS subject alternative name matching/);
    expectError(await authenticate(withCert('1010', otherCertPem)), 'invalid_client', /no IP subject alternative name matching/);
  });

  it('accepts a URL-encoded PEM as some proxies forward it', async () => {
    expectAuthenticated(await authenticate(withCert('1008', encodeURIComponent(tlsCertPem))), 1008, 'TLS_CLIENT_AUTH');
  });

  it('rejects a missing or unparseable certificate', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1008' }) }), 'invalid_client', /tls_client_auth requires a TLS client certificate/);
    expectError(await authenticate(withCert('1008', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')), 'invalid_client', /could not be parsed/);
  });

  it('rejects a certificate outside its validity period', async () => {
    const later = harness(now + 40 * 86_400);
    expectError(await authenticate(withCert('1008'), later), 'invalid_client', /expired or not yet valid/);
    const earlier = harness(now - 86_400);
    expectError(await authenticate(withCert('1008'), earlier), 'invalid_client', /expired or not yet valid/);
  });

  it('rejects a client with no expected subject registered', async () => {
    expectError(await authenticate(withCert('1013')), 'invalid_client', /no expected certificate subject/);
  });

  it('rejects a TLS client that also sends a secret', async () => {
    const result = await authenticate({ clientCertificate: tlsCertPem, parameters: form({ client_id: '1008', client_secret: 'secret-of-1008' }) });
    expectError(result, 'invalid_client', /registered for tls_client_auth but presented client_secret/);
  });

  it('ignores a certificate presented next to another method', async () => {
    const jwt = await signedBy(ps256, '1004');
    expectAuthenticated(await authenticate({ clientCertificate: otherCertPem, parameters: assertionForm(jwt) }), 1004, 'PRIVATE_KEY_JWT');
  });
});

describe('self_signed_tls_client_auth', () => {
  it('accepts a certificate whose key is registered', async () => {
    expectAuthenticated(await authenticate({ clientCertificate: tlsCertPem, parameters: form({ client_id: '1014' }) }), 1014, 'SELF_SIGNED_TLS_CLIENT_AUTH');
  });

  it('rejects a certificate with another key', async () => {
    expectError(await authenticate({ clientCertificate: otherCertPem, parameters: form({ client_id: '1014' }) }), 'invalid_client', /does not match any registered client key/);
  });

  it('rejects a request without a certificate', async () => {
    expectError(await authenticate({ parameters: form({ client_id: '1014' }) }), 'invalid_client', /self_signed_tls_client_auth requires a TLS client certificate/);
  });
});

describe('distinguishedNamesMatch', () => {
  const nodeStyle = 'C=JP\nO=Example\\, Inc.\nOU=Payments\nCN=client one';

  it('ignores RDN order, attribute-name case, OIDs and spacing', () => {
    expect(distinguishedNamesMatch('CN=client one,OU=Payments,O=Example\\, Inc.,C=JP', nodeStyle)).toBe(true);
    expect(distinguishedNamesMatch('cn=client  one; ou=Payments; o=Example\\2C Inc.; c=JP', nodeStyle)).toBe(true);
    expect(distinguishedNamesMatch('2.5.4.3=client one,OU=Payments,O="Example, Inc.",countryName=JP', nodeStyle)).toBe(true);
  });

  it('rejects a different value, a missing attribute and an extra attribute', () => {
    expect(distinguishedNamesMatch('CN=client two,OU=Payments,O=Example\\, Inc.,C=JP', nodeStyle)).toBe(false);
    expect(distinguishedNamesMatch('CN=client one,O=Example\\, Inc.,C=JP', nodeStyle)).toBe(false);
    expect(distinguishedNamesMatch('CN=client one,OU=Payments,OU=Extra,O=Example\\, Inc.,C=JP', nodeStyle)).toBe(false);
    // An unescaped comma splits the organisation into two RDNs, which is a different name.
    expect(distinguishedNamesMatch('CN=client one,OU=Payments,O=Example, Inc.,C=JP', nodeStyle)).toBe(false);
  });

  it('never matches an empty or malformed name', () => {
    expect(distinguishedNamesMatch('', '')).toBe(false);
    expect(distinguishedNamesMatch('not a dn', 'not a dn')).toBe(false);
  });
});

describe('private_key_jwt with a jwks_uri, end to end at the token endpoint', () => {
  let server: TestServer;
  let signer: Signer;
  let live: Receiver;
  let failing: Receiver;
  let dropping: Receiver;
  let deadUri: string;

  beforeAll(async () => {
    server = await startTestServer();
    signer = await makeSigner('ES256', 'uri-key');
    live = await startReceiver((_request, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signer.publicJwk] })));
    failing = await startReceiver((_request, res) => void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'));
    // Takes the request, then drops the connection without an answer.
    dropping = await startReceiver((_request, res) => void res.socket?.destroy());
    // A port that listened a moment ago and now has nothing behind it.
    const gone = await startReceiver();
    deadUri = gone.url('/jwks');
    await gone.close();
  });
  afterAll(async () => {
    await Promise.all([live, failing, dropping].map((r) => r?.close()));
    await server?.close();
  });

  /** Registers a private_key_jwt client with this jwks_uri and presents an assertion at the front's token endpoint. */
  async function presentAssertion(jwksUri: string) {
    const front = await createFront(server, { tokenAuthMethod: 'PRIVATE_KEY_JWT', tokenAuthSignAlg: 'ES256', jwksUri });
    const at = Math.floor(Date.now() / 1000);
    const claims = { iss: String(front.clientId), sub: String(front.clientId), aud: front.issuer, jti: randomUUID(), iat: at, exp: at + 60 };
    const assertion = await sign(signer.privateKey, 'ES256', claims, signer.kid);
    return postForm(`${front.issuer}/token`, {
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: 'no-such-request',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
  }

  const keysUnavailable = { error: 'invalid_client', error_description: "[A244306] the client's public keys could not be obtained" };

  it('authenticates the client when its jwks_uri serves the key (and then refuses the unknown auth_req_id)', async () => {
    const answer = await presentAssertion(live.url('/jwks'));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_grant' });
    expect(live.requests.map((r) => r.path)).toEqual(['/jwks']);
  });

  it('refuses with invalid_client when nothing listens at the jwks_uri', async () => {
    const answer = await presentAssertion(deadUri);
    expect([answer.status, answer.json]).toEqual([401, keysUnavailable]);
  });

  it('refuses with invalid_client when the jwks_uri answers 500', async () => {
    const answer = await presentAssertion(failing.url('/jwks'));
    expect([answer.status, answer.json]).toEqual([401, keysUnavailable]);
    expect(failing.requests.map((r) => r.path)).toEqual(['/jwks']);
  });

  it('refuses with invalid_client when the jwks_uri drops the connection', async () => {
    const answer = await presentAssertion(dropping.url('/jwks'));
    expect([answer.status, answer.json]).toEqual([401, keysUnavailable]);
    expect(dropping.requests.map((r) => r.path)).toEqual(['/jwks']);
  });
});
