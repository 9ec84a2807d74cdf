import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

describe.each(DIALECTS)('CIBA poll flow end to end with openid-client (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  let config: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    front = await createFront(server);
    config = await oidc.discovery(new URL(front.issuer), String(front.clientId), undefined, oidc.ClientSecretBasic(front.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => server?.close());

  it('discovers, starts, is approved on the simulator API, and gets tokens', async () => {
    expect(config.serverMetadata().backchannel_authentication_endpoint).toBe(`${front.issuer}/backchannel/authentication`);
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid email profile', login_hint: 'alice@example.com', binding_message: 'W4SCT' });
    expect(started.auth_req_id.length).toBeGreaterThanOrEqual(32);
    expect(started.interval).toBe(1);

    const pending = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(pending.json.requests).toHaveLength(1);
    expect(pending.json.requests[0]).toMatchObject({ clientName: 'Front test client', bindingMessage: 'W4SCT', scopes: ['openid', 'email', 'profile'] });

    const approve = await request(`${front.issuer}/device/api/ciba/${started.auth_req_id}/allow`, { method: 'POST' });
    expect(approve.json).toEqual({ result: 'AUTHORIZED' });

    const tokens = await oidc.pollBackchannelAuthenticationGrant(config, started);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = tokens.claims();
    expect(claims?.sub).toBe('alice');
    expect(claims?.email).toBe('alice@example.com');
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${front.issuer}/jwks`)), { issuer: front.issuer, audience: String(front.clientId) });
    expect(payload.sub).toBe('alice');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice' });

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected.active).toBe(true);
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('unknown user → 400 unknown_user_id; locked user → 403 access_denied', async () => {
    const url = `${front.issuer}/backchannel/authentication`;
    const auth = { authorization: `Basic ${Buffer.from(`${front.clientId}:${front.clientSecret}`).toString('base64')}` };
    const unknown = await postForm(url, { scope: 'openid', login_hint: 'nobody' }, auth);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('unknown_user_id');
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    const locked = await postForm(url, { scope: 'openid', login_hint: 'carol' }, auth);
    expect(locked.status).toBe(403);
    expect(locked.json.error).toBe('access_denied');
  });
});
