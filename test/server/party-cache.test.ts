import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { PARTY_TTL_MS } from '../../src/engine/cache/party-caches.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, type TestServer } from '../support/test-server.js';
import { startTwoNodes } from '../support/two-nodes.js';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Key {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function esKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

/**
 * Services and clients are cached on each node for PARTY_TTL_MS. Two nodes on one database
 * and one manual clock: a change made through node A may go unseen by node B until B's
 * entry ages out, and must be seen after.
 */
describe.each(DIALECTS)('the per-node party cache (%s)', (dialect) => {
  const clock = new ManualClock();
  let nodeA: TestServer;
  let nodeB: TestServer;
  let closeNodes: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ nodeA, nodeB, close: closeNodes } = await startTwoNodes(dialect, clock));
  });
  afterAll(() => closeNodes?.());

  /** A token request on node B: 400 invalid_grant once the client is authenticated (the auth_req_id is unknown), 401 if not. */
  function tokenAtB(front: FrontFixture, credentials: { headers?: Record<string, string>; form?: Record<string, string> }) {
    const path = new URL(front.issuer).pathname;
    return postForm(`${nodeB.baseUrl}${path}/token`, { grant_type: CIBA_GRANT, auth_req_id: 'no-such-request', ...credentials.form }, credentials.headers ?? {});
  }

  async function assertion(front: FrontFixture, key: Key): Promise<Record<string, string>> {
    const at = Math.floor(clock.now() / 1000);
    const id = String(front.clientId);
    const jwt = await new SignJWT({ iss: id, sub: id, aud: front.issuer, jti: randomUUID(), iat: at, exp: at + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid! })
      .sign(key.privateKey);
    return { client_assertion_type: ASSERTION_TYPE, client_assertion: jwt };
  }

  const authenticated = (answer: { status: number; json: any }) => [answer.status, answer.json?.error];

  it('a client deleted on node A stops working on node B once the cache time has passed', async () => {
    const front = await createFront(nodeA);
    const basic = { headers: basicAuth(front.clientId, front.clientSecret) };
    expect(authenticated(await tokenAtB(front, basic))).toEqual([400, 'invalid_grant']);

    await front.admin('DELETE', `/api/${front.serviceId}/client/delete/${front.clientId}`);
    // Node A forgets at once; node B may still serve its copy until it ages out.
    const atA = await postForm(`${front.issuer}/token`, { grant_type: CIBA_GRANT, auth_req_id: 'no-such-request' }, basic.headers);
    expect(authenticated(atA)).toEqual([401, 'invalid_client']);
    clock.advance(PARTY_TTL_MS);
    expect(authenticated(await tokenAtB(front, basic))).toEqual([400, 'invalid_grant']);

    clock.advance(1);
    const afterTtl = await tokenAtB(front, basic);
    expect(authenticated(afterTtl)).toEqual([401, 'invalid_client']);
    expect(afterTtl.json.error_description).toMatch(/unknown client/);
  });

  it('a client re-keyed on node A (new JWK Set) is checked against the new keys on node B once the cache time has passed', async () => {
    const [oldKey, newKey] = [await esKey('old'), await esKey('new')];
    const client = { tokenAuthMethod: 'PRIVATE_KEY_JWT', tokenAuthSignAlg: 'ES256', clientName: 'rekeyed', bcDeliveryMode: 'POLL' };
    const front = await createFront(nodeA, { ...client, jwks: JSON.stringify({ keys: [oldKey.publicJwk] }) });
    expect(authenticated(await tokenAtB(front, { form: await assertion(front, oldKey) }))).toEqual([400, 'invalid_grant']);

    await front.admin('POST', `/api/${front.serviceId}/client/update/${front.clientId}`, { ...client, jwks: JSON.stringify({ keys: [newKey.publicJwk] }) });
    clock.advance(PARTY_TTL_MS);
    // Within the cache time node B may still hold the old keys.
    expect(authenticated(await tokenAtB(front, { form: await assertion(front, oldKey) }))).toEqual([400, 'invalid_grant']);

    clock.advance(1);
    const old = await tokenAtB(front, { form: await assertion(front, oldKey) });
    expect(authenticated(old)).toEqual([401, 'invalid_client']);
    expect(old.json.error_description).toMatch(/no registered client key matches/);
    expect(authenticated(await tokenAtB(front, { form: await assertion(front, newKey) }))).toEqual([400, 'invalid_grant']);
  });

  it('front settings changed on node A show on node B once the cache time has passed', async () => {
    const front = await createFront(nodeA);
    const path = `/admin/services/${front.serviceId}/front`;
    const readAtB = async () => (await request(`${nodeB.baseUrl}${path}`, { headers: bearer(nodeB.adminToken) })).json.bindingMessageMaxLength;
    expect(await readAtB()).toBe(64);
    await front.admin('PUT', path, { bindingMessageMaxLength: 40 });
    clock.advance(PARTY_TTL_MS);
    expect(await readAtB()).toBe(64);
    clock.advance(1);
    expect(await readAtB()).toBe(40);
  });
});
