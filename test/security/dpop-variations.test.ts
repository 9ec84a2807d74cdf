import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request, type RawResponse } from '../support/http.js';
import { ManualClock } from '../support/clock.js';
import { dpopKey, proof, type DpopKey } from '../support/dpop.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

/**
 * Issue 11's hostile DPoP input, tried again by the security review with the variations the
 * feature tests leave out (RFC 9449 §4.3, §5, §7.1, §11.1): a symmetric key, htu with a query or
 * fragment, a proof made for the other endpoint, iat exactly at the edges of the window, one jti
 * with two keys, and another key at refresh. A stopped ManualClock makes the edges exact.
 */
describe.each(DIALECTS)('DPoP proofs at the front, variations (%s)', (dialect) => {
  let server: TestServer;
  let clock: ManualClock;
  let front: FrontFixture;

  beforeAll(async () => {
    // A whole second, so that iat (seconds) and the server's clock (milliseconds) agree exactly.
    clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
    server = await startTestServer({ dialect, clock, background: false });
    front = await createFront(server, { dpopRequired: true });
    // Many requests at alice within a stopped minute: the push-bombing limits are not under test here.
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { maxRequestsPerMinutePerUser: 1000, maxRequestsPerMinutePerClient: 1000, maxPendingRequestsPerUser: 1000 });
  });
  afterAll(() => server?.close());

  const auth = () => basicAuth(front.clientId, front.clientSecret);
  const tokenUrl = () => `${front.issuer}/token`;
  const userinfoUrl = () => `${front.issuer}/userinfo`;
  const nowS = () => Math.floor(clock.now() / 1000);

  async function approved(): Promise<string> {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, auth());
    expect(started.status, started.text).toBe(200);
    expect((await request(`${front.issuer}/device/api/ciba/${started.json.auth_req_id}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    return started.json.auth_req_id as string;
  }
  const redeem = (authReqId: string, dpop: string) => postForm(tokenUrl(), { grant_type: CIBA, auth_req_id: authReqId }, { ...auth(), dpop });
  const userinfo = (accessToken: string, dpop: string) => request(userinfoUrl(), { headers: { authorization: `DPoP ${accessToken}`, dpop } });

  function expectBadProof(answer: RawResponse, detail: string) {
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('invalid_dpop_proof');
    expect(answer.json.error_description).toContain(detail);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  }

  it('a symmetric jwk (kty oct) with an asymmetric alg is not a public key', async () => {
    const key = await dpopKey();
    const authReqId = await approved();
    expectBadProof(await redeem(authReqId, await proof(key, { htu: tokenUrl(), nowMs: clock.now(), header: { jwk: { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' } } })), 'not a public key');
    // Nothing was spent: the request is still redeemable with a good proof.
    expect((await redeem(authReqId, await proof(key, { htu: tokenUrl(), nowMs: clock.now() }))).status).toBe(200);
  });

  it('a proof made for userinfo is refused at the token endpoint, and one for the token endpoint at userinfo', async () => {
    const key = await dpopKey();
    const authReqId = await approved();
    expectBadProof(await redeem(authReqId, await proof(key, { htu: userinfoUrl(), nowMs: clock.now() })), 'htu does not match');
    const tokens = await redeem(authReqId, await proof(key, { htu: tokenUrl(), nowMs: clock.now() }));
    expect(tokens.status).toBe(200);
    const atUserinfo = await userinfo(tokens.json.access_token, await proof(key, { htm: 'GET', htu: tokenUrl(), nowMs: clock.now(), accessToken: tokens.json.access_token }));
    expect(atUserinfo.status).toBe(401);
    expect(atUserinfo.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('htu with a query and a fragment is compared without them (§4.3 step 9); another path, port or scheme is not', async () => {
    const key = await dpopKey();
    const url = new URL(tokenUrl());
    for (const other of [`${url.origin}/s/${front.serviceId}/tokens`, `${url.protocol}//${url.hostname}:1${url.pathname}`, tokenUrl().replace('http:', 'https:'), `${tokenUrl()}/`]) {
      expectBadProof(await redeem(await approved(), await proof(key, { htu: other, nowMs: clock.now() })), 'htu does not match');
    }
    expect((await redeem(await approved(), await proof(key, { htu: `${tokenUrl()}?x=1#frag`, nowMs: clock.now() }))).status).toBe(200);
  });

  it('iat exactly 120 s old and exactly 30 s ahead is accepted; one second beyond either edge is refused', async () => {
    const key = await dpopKey();
    expectBadProof(await redeem(await approved(), await proof(key, { htu: tokenUrl(), nowMs: clock.now(), iat: nowS() - 121 })), 'too old');
    expectBadProof(await redeem(await approved(), await proof(key, { htu: tokenUrl(), nowMs: clock.now(), iat: nowS() + 31 })), 'in the future');
    expect((await redeem(await approved(), await proof(key, { htu: tokenUrl(), nowMs: clock.now(), iat: nowS() - 120 }))).status).toBe(200);
    expect((await redeem(await approved(), await proof(key, { htu: tokenUrl(), nowMs: clock.now(), iat: nowS() + 30 }))).status).toBe(200);
  });

  it('a proof replayed at the edge of its window is still refused: its jti is kept as long as the proof is acceptable', async () => {
    const key = await dpopKey();
    const early = await proof(key, { htu: tokenUrl(), nowMs: clock.now(), iat: nowS() + 30 });
    expect((await redeem(await approved(), early)).status).toBe(200);
    clock.advance(150_000); // now = iat + 120: the proof's age is exactly the limit.
    expectBadProof(await redeem(await approved(), early), 'used before');
    clock.advance(1_000);
    expectBadProof(await redeem(await approved(), early), 'too old');
  });

  it('one jti with two keys: two different proofs, each bound to its own key; the same proof twice is a replay', async () => {
    const [first, second] = [await dpopKey(), await dpopKey()];
    const one = await redeem(await approved(), await proof(first, { htu: tokenUrl(), nowMs: clock.now(), jti: 'shared-jti' }));
    const two = await redeem(await approved(), await proof(second, { htu: tokenUrl(), nowMs: clock.now(), jti: 'shared-jti' }));
    expect([one.status, two.status]).toEqual([200, 200]);
    // The second key cannot use the first key's token, even with the very jti the first used.
    const crossed = await userinfo(one.json.access_token, await proof(second, { htm: 'GET', htu: userinfoUrl(), nowMs: clock.now(), accessToken: one.json.access_token, jti: 'shared-ui' }));
    expect(crossed.status).toBe(401);
    expect(crossed.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    const p = await proof(first, { htm: 'GET', htu: userinfoUrl(), nowMs: clock.now(), accessToken: one.json.access_token, jti: 'shared-ui' });
    expect((await userinfo(one.json.access_token, p)).status).toBe(200);
    expect((await userinfo(one.json.access_token, p)).status).toBe(401);
  });

  it('refresh with another key (a confidential client, §5): the new access token is bound to the new key, not the old one', async () => {
    const [oldKey, newKey] = [await dpopKey(), await dpopKey()];
    const tokens = await redeem(await approved(), await proof(oldKey, { htu: tokenUrl(), nowMs: clock.now() }));
    expect(tokens.status).toBe(200);
    const refreshed = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token }, { ...auth(), dpop: await proof(newKey, { htu: tokenUrl(), nowMs: clock.now() }) });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json.token_type).toBe('DPoP');
    const introspected = await postForm(`${front.issuer}/introspect`, { token: refreshed.json.access_token }, auth());
    expect(introspected.json.cnf).toEqual({ jkt: newKey.thumbprint });
    const proofFor = (key: DpopKey, token: string) => proof(key, { htm: 'GET', htu: userinfoUrl(), nowMs: clock.now(), accessToken: token });
    expect((await userinfo(refreshed.json.access_token, await proofFor(oldKey, refreshed.json.access_token))).status).toBe(401);
    expect((await userinfo(refreshed.json.access_token, await proofFor(newKey, refreshed.json.access_token))).status).toBe(200);
    // The refresh token is spent (rotation): the old key cannot refresh again with it either.
    const again = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token }, { ...auth(), dpop: await proof(oldKey, { htu: tokenUrl(), nowMs: clock.now() }) });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
  });
});
