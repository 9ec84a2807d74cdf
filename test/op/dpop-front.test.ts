import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { dpopKey, proof } from '../support/dpop.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** DPoP at the front (RFC 9449): openid-client's DPoP handle runs a CIBA poll flow and calls userinfo. */
describe.each(DIALECTS)('DPoP at the front with openid-client (%s)', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });
  afterAll(() => server?.close());

  async function clientFor(front: FrontFixture) {
    return oidc.discovery(new URL(front.issuer), String(front.clientId), undefined, oidc.ClientSecretBasic(front.clientSecret), { execute: [oidc.allowInsecureRequests] });
  }
  async function approvedPoll(front: FrontFixture, config: oidc.Configuration, DPoP: oidc.DPoPHandle) {
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid email', login_hint: 'alice@example.com' });
    expect((await request(`${front.issuer}/device/api/ciba/${started.auth_req_id}/allow`, { method: 'POST' })).json).toEqual({ result: 'AUTHORIZED' });
    return oidc.pollBackchannelAuthenticationGrant(config, started, undefined, { DPoP });
  }

  it('a poll flow gets a DPoP-bound token; userinfo takes it with a proof, refuses it as a Bearer token', async () => {
    const front = await createFront(server, { dpopRequired: true });
    const config = await clientFor(front);
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'PS256', 'EdDSA']));
    const keyPair = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, keyPair);
    const tokens = await approvedPoll(front, config, DPoP);
    expect(tokens.token_type).toBe('dpop');

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected.token_type).toBe('DPoP');
    expect((introspected.cnf as { jkt?: string }).jkt).toBe(await DPoP.calculateThumbprint());

    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'alice', { DPoP })).toMatchObject({ sub: 'alice', email: 'alice@example.com' });

    const asBearer = await request(`${front.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token".*algs="/);
    expect(asBearer.json.error).toBe('invalid_token');

    const noProof = await request(`${front.issuer}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP /);

    // A proof for another URI (the Host header is not where htu comes from).
    const key = await dpopKey();
    const elsewhere = await proof(key, { htm: 'GET', htu: 'http://evil.example.com/userinfo', nowMs: Date.now(), accessToken: tokens.access_token });
    const wrongHtu = await request(`${front.issuer}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: elsewhere } });
    expect(wrongHtu.status).toBe(401);
    expect(wrongHtu.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('a dpopRequired client polling without a proof gets invalid_dpop_proof; two DPoP headers are refused', async () => {
    const front = await createFront(server, { dpopRequired: true });
    const auth = { authorization: `Basic ${Buffer.from(`${front.clientId}:${front.clientSecret}`).toString('base64')}` };
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice@example.com' }, auth);
    const authReqId = String(started.json.auth_req_id);
    const bare = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }, auth);
    expect(bare.status).toBe(400);
    expect(bare.json.error).toBe('invalid_dpop_proof');
    expect(bare.headers.get('cache-control')).toBe('no-store');

    const key = await dpopKey();
    const one = await proof(key, { htu: `${front.issuer}/token`, nowMs: Date.now() });
    const twice = await fetch(`${front.issuer}/token`, {
      method: 'POST',
      headers: [['content-type', 'application/x-www-form-urlencoded'], ['authorization', auth.authorization], ['dpop', one], ['dpop', one]],
      body: new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }).toString(),
    });
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });

  it('with nonces required, openid-client follows DPoP-Nonce at the token and userinfo endpoints', async () => {
    const front = await createFront(server, {}, { dpopNonceRequired: true });
    const config = await clientFor(front);
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('PS256'));
    const tokens = await approvedPoll(front, config, DPoP);
    expect(tokens.token_type).toBe('dpop');
    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'alice', { DPoP })).toMatchObject({ sub: 'alice' });

    const key = await dpopKey();
    const withoutNonce = await proof(key, { htm: 'GET', htu: `${front.issuer}/userinfo`, nowMs: Date.now(), accessToken: tokens.access_token });
    const demanded = await request(`${front.issuer}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: withoutNonce } });
    expect(demanded.status).toBe(401);
    expect(demanded.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(demanded.headers.get('dpop-nonce')).toBeTruthy();
  });
});
