import * as oidc from 'openid-client';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTY_TTL_MS } from '../../src/engine/cache/party-caches.js';
import { ManualClock } from '../support/clock.js';
import { createFront, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';
import { startTwoNodes } from '../support/two-nodes.js';

const PREPUBLICATION_S = 300;
const ID_TOKEN_S = 900;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/**
 * A relying party as openid-client builds it, its clock set to the server's manual one and ID
 * token signatures checked against jwks_uri. `node` reaches the service through another node on
 * the same database: the metadata (whose issuer names the first node) is read there and its
 * endpoints pointed at that node.
 */
async function relyingParty(front: FrontFixture, clock: ManualClock, node?: string): Promise<oidc.Configuration> {
  const skew = Math.round((clock.now() - Date.now()) / 1000);
  const clientMetadata = { client_secret: front.clientSecret, [oidc.clockSkew]: skew };
  let config: oidc.Configuration;
  if (node === undefined) {
    config = await oidc.discovery(new URL(front.issuer), front.clientId, clientMetadata, oidc.ClientSecretBasic(front.clientSecret), { execute: [oidc.allowInsecureRequests] });
  } else {
    const local = `${node}${new URL(front.issuer).pathname}`;
    const metadata = (await request(`${local}/.well-known/openid-configuration`)).json as Record<string, unknown>;
    const pointed = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, k !== 'issuer' && typeof v === 'string' ? v.replace(front.issuer, local) : v]));
    config = new oidc.Configuration(pointed as oidc.ServerMetadata, front.clientId, clientMetadata, oidc.ClientSecretBasic(front.clientSecret));
    oidc.allowInsecureRequests(config);
  }
  oidc.enableNonRepudiationChecks(config);
  return config;
}

/** One poll flow approved on the simulator; openid-client verifies the ID token's signature against the service's jwks_uri. */
async function idTokenFrom(front: FrontFixture, clock: ManualClock, node?: string): Promise<string> {
  const rp = await relyingParty(front, clock, node);
  const started = await oidc.initiateBackchannelAuthentication(rp, { scope: 'openid', login_hint: 'alice' });
  const device = node === undefined ? front.issuer : `${node}${new URL(front.issuer).pathname}`;
  const approved = await request(`${device}/device/api/ciba/${started.auth_req_id}/allow`, { method: 'POST' });
  expect(approved.json).toEqual({ result: 'AUTHORIZED' });
  const tokens = await oidc.pollBackchannelAuthenticationGrant(rp, started);
  expect(tokens.claims()?.sub).toBe('alice');
  return tokens.id_token!;
}

const kidOf = (idToken: string) => decodeProtectedHeader(idToken).kid;
const kidsOf = (jwks: { keys: { kid?: string }[] }) => jwks.keys.map((k) => k.kid);
const signedBy = async (idToken: string, jwks: JSONWebKeySet) => compactVerify(idToken, createLocalJWKSet(jwks)).then(() => true, () => false);

function expectPublicOnly(jwks: { keys: Record<string, unknown>[] }): void {
  for (const key of jwks.keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
}

describe.each(DIALECTS)('signing-key rotation, verified by openid-client (%s)', (dialect) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let front: FrontFixture;
  const jwks = async () => (await request(`${front.issuer}/jwks`)).json as JSONWebKeySet;
  const keys = async () => (await front.admin('GET', `/admin/services/${front.serviceId}/keys`)).keys as Record<string, any>[];
  const es256 = (list: Record<string, any>[]) => list.filter((k) => k.alg === 'ES256');

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock, background: false, env: { OPENCIBA_KEY_PREPUBLICATION_SECONDS: String(PREPUBLICATION_S) } });
    front = await createFront(server, { idTokenSignAlg: 'ES256' }, { idTokenDuration: ID_TOKEN_S });
  });
  afterAll(() => server?.close());

  it('publishes the new key before it signs, keeps the old one until its tokens expired, then retires it', async () => {
    // Before: one current ES256 key signs.
    const before = await idTokenFrom(front, clock);
    const [original] = es256(await keys());
    expect(original).toMatchObject({ alg: 'ES256', use: 'sig', state: 'current' });
    expect(kidOf(before)).toBe(original!.kid);

    const rotated = await front.admin('POST', `/admin/services/${front.serviceId}/keys/rotate`, { alg: 'ES256' });
    const rotatedAt = clock.now();
    const [old, fresh] = es256(rotated.keys);
    expect(old).toMatchObject({ kid: original!.kid, state: 'current', retiresAt: new Date(rotatedAt + PREPUBLICATION_S * 1000 + PARTY_TTL_MS + ID_TOKEN_S * 1000).toISOString() });
    expect(fresh).toMatchObject({ alg: 'ES256', use: 'sig', state: 'next', createdAt: new Date(rotatedAt).toISOString(), activatesAt: new Date(rotatedAt + PREPUBLICATION_S * 1000).toISOString() });
    expect(rotated.keys.filter((k: any) => k.alg !== 'ES256').every((k: any) => k.state === 'current')).toBe(true);
    expect(JSON.stringify(rotated)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);

    // During pre-publication: both keys are published everywhere, the old one still signs.
    const during = await jwks();
    expect(kidsOf(during)).toEqual(expect.arrayContaining([old!.kid, fresh!.kid]));
    expectPublicOnly(during as never);
    const viaApi = await front.admin('GET', `/api/${front.serviceId}/service/jwks/get`);
    expect(kidsOf(viaApi)).toEqual(kidsOf(during));
    const service = await front.admin('GET', `/api/${front.serviceId}/service/get`);
    expect(kidsOf(JSON.parse(service.jwks))).toEqual(kidsOf(during));
    const whileNext = await idTokenFrom(front, clock);
    expect(kidOf(whileNext)).toBe(old!.kid);
    clock.advance(PREPUBLICATION_S * 1000 - 1);
    expect(kidOf(await idTokenFrom(front, clock))).toBe(old!.kid);

    // Activation (plus the party cache's lifetime): the new key signs, and a relying party that
    // fetched the JWK Set during pre-publication verifies it without fetching again.
    clock.advance(1 + PARTY_TTL_MS);
    const after = await idTokenFrom(front, clock);
    expect(kidOf(after)).toBe(fresh!.kid);
    expect(await signedBy(after, during)).toBe(true);
    expect(es256(await keys()).map((k) => [k.kid, k.state])).toEqual([[old!.kid, 'retiring'], [fresh!.kid, 'current']]);
    // Tokens the old key signed still verify against what is published now.
    const published = await jwks();
    expect(kidsOf(published)).toContain(old!.kid);
    for (const token of [before, whileNext]) expect(await signedBy(token, published)).toBe(true);
    // … and as an id_token_hint (CIBA §7.1), which the service checks against its published keys.
    const hinted = await oidc.initiateBackchannelAuthentication(await relyingParty(front, clock), { scope: 'openid', id_token_hint: before });
    expect(hinted.auth_req_id).toBeTruthy();

    // Once every token the old key signed has expired, it leaves the JWK Set.
    clock.advance(ID_TOKEN_S * 1000 - 1);
    expect(kidsOf(await jwks())).toContain(old!.kid);
    clock.advance(1);
    const retired = await jwks();
    expect(kidsOf(retired)).not.toContain(old!.kid);
    expect(kidsOf((await front.admin('GET', `/api/${front.serviceId}/service/jwks/get?includePrivateKeys=true`)) as never)).not.toContain(old!.kid);
    expect(kidsOf(JSON.parse((await front.admin('GET', `/api/${front.serviceId}/service/get`)).jwks))).not.toContain(old!.kid);
    expect(es256(await keys()).map((k) => [k.kid, k.state])).toEqual([[old!.kid, 'retired'], [fresh!.kid, 'current']]);
    expect(await signedBy(before, retired)).toBe(false);
    const staleHint = oidc.initiateBackchannelAuthentication(await relyingParty(front, clock), { scope: 'openid', id_token_hint: before });
    await expect(staleHint).rejects.toMatchObject({ error: 'invalid_request' });
    const latest = await idTokenFrom(front, clock);
    expect(kidOf(latest)).toBe(fresh!.kid);
    expect(await signedBy(latest, retired)).toBe(true);
    const metadata = (await request(`${front.issuer}/.well-known/openid-configuration`)).json;
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));

    // The next rotation drops the retired key from the stored set.
    await front.admin('POST', `/admin/services/${front.serviceId}/keys/rotate`, { alg: 'ES256' });
    expect(es256(await keys()).map((k) => k.kid)).not.toContain(old!.kid);
  });

  it('refuses a second rotation while one is pending (409), and rotates every current key when no alg is named', async () => {
    const other = await createFront(server, { idTokenSignAlg: 'RS256' });
    const path = `/admin/services/${other.serviceId}/keys/rotate`;
    const call = (body: unknown) =>
      request(`${server.baseUrl}${path}`, { method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const all = await call({});
    expect(all.status).toBe(200);
    const states = (all.json.keys as any[]).map((k) => `${k.alg}:${k.state}`).sort();
    expect(states).toEqual(['ES256:current', 'ES256:next', 'EdDSA:current', 'EdDSA:next', 'PS256:current', 'PS256:next', 'RS256:current', 'RS256:next']);
    const again = await call({ alg: 'PS256' });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('rotation_pending');
    expect(again.json.error_description).toMatch(/PS256/);
    expect(again.headers.get('cache-control')).toBe('no-store');
    // The pending key keeps its schedule: the refusal changed nothing.
    const listed = (await other.admin('GET', `/admin/services/${other.serviceId}/keys`)).keys;
    expect(listed).toEqual(all.json.keys);
    // Replacing the keys by hand (service/update with private keys) ends the rotation: every key is current.
    const privateSet = await other.admin('GET', `/api/${other.serviceId}/service/jwks/get?includePrivateKeys=true`);
    const service = await other.admin('GET', `/api/${other.serviceId}/service/get`);
    await other.admin('POST', `/api/${other.serviceId}/service/update`, { ...service, jwks: JSON.stringify(privateSet) });
    const replaced = (await other.admin('GET', `/admin/services/${other.serviceId}/keys`)).keys as any[];
    expect(replaced.every((k) => k.state === 'current')).toBe(true);
  });

  it('a service/update that sends the public jwks back keeps the rotation schedule', async () => {
    const third = await createFront(server);
    await third.admin('POST', `/admin/services/${third.serviceId}/keys/rotate`, { alg: 'EdDSA' });
    const scheduled = (await third.admin('GET', `/admin/services/${third.serviceId}/keys`)).keys;
    const service = await third.admin('GET', `/api/${third.serviceId}/service/get`);
    await third.admin('POST', `/api/${third.serviceId}/service/update`, { ...service, serviceName: 'renamed' });
    expect((await third.admin('GET', `/admin/services/${third.serviceId}/keys`)).keys).toEqual(scheduled);
    // A view read before the replaced key retired may still come back after it did.
    const retiresAt = Date.parse(scheduled.find((k: any) => k.alg === 'EdDSA' && k.retiresAt).retiresAt);
    clock.advance(retiresAt - clock.now());
    await third.admin('POST', `/api/${third.serviceId}/service/update`, { ...service, serviceName: 'renamed again' });
    const after = (await third.admin('GET', `/admin/services/${third.serviceId}/keys`)).keys as any[];
    expect(after.filter((k) => k.alg === 'EdDSA').map((k) => k.state)).toEqual(['retired', 'current']);
    expect(JSON.parse((await third.admin('GET', `/api/${third.serviceId}/service/get`)).jwks).keys.filter((k: any) => k.alg === 'EdDSA')).toHaveLength(1);
  });
});

describe.each(DIALECTS)('two nodes on one database pick up a rotation (%s)', (dialect) => {
  const clock = new ManualClock(Date.now());
  let nodeA: TestServer;
  let nodeB: TestServer;
  let closeNodes: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ nodeA, nodeB, close: closeNodes } = await startTwoNodes(dialect, clock, { OPENCIBA_KEY_PREPUBLICATION_SECONDS: '60' }));
  });
  afterAll(() => closeNodes?.());

  it('both serve the new JWK Set within the cache time, and both sign with the new key after activation', async () => {
    const front = await createFront(nodeA, { idTokenSignAlg: 'ES256' });
    const path = new URL(front.issuer).pathname;
    // Node B has read (and cached) the service before the rotation.
    const beforeB = await idTokenFrom(front, clock, nodeB.baseUrl);
    const rotated = await front.admin('POST', `/admin/services/${front.serviceId}/keys/rotate`, { alg: 'ES256' });
    const fresh = rotated.keys.find((k: any) => k.state === 'next');
    for (const node of [nodeA, nodeB]) {
      const published = (await request(`${node.baseUrl}${path}/jwks`)).json;
      expect(kidsOf(published)).toContain(fresh.kid);
    }
    clock.advance(60_000 + PARTY_TTL_MS);
    for (const node of [undefined, nodeB.baseUrl]) expect(kidOf(await idTokenFrom(front, clock, node))).toBe(fresh.kid);
    expect(kidOf(beforeB)).not.toBe(fresh.kid);
    const listedAtB = (await request(`${nodeB.baseUrl}/admin/services/${front.serviceId}/keys`, { headers: bearer(nodeB.adminToken) })).json;
    expect(listedAtB.keys.find((k: any) => k.kid === fresh.kid).state).toBe('current');
  });
});
