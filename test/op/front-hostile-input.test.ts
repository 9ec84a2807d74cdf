import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request, type RawResponse } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('front endpoints under malformed, missing, oversized and hostile input', () => {
  let server: TestServer;
  let front: FrontFixture;

  beforeAll(async () => {
    server = await startTestServer();
    front = await createFront(server);
  });
  afterAll(() => server?.close());

  const expectJsonError = (response: RawResponse, statuses: number[]) => {
    expect(statuses, `${response.status} ${response.text}`).toContain(response.status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof response.json.error).toBe('string');
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
  };
  const endpoints = ['backchannel/authentication', 'token', 'introspect', 'revoke'];

  it('JSON instead of a form is invalid_request', async () => {
    for (const endpoint of endpoints) {
      const response = await request(`${front.issuer}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"scope":"openid"}' });
      expectJsonError(response, [400]);
    }
  });

  it('malformed JSON and unsupported content types get JSON errors too', async () => {
    for (const endpoint of endpoints) {
      expectJsonError(await request(`${front.issuer}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }), [400]);
      expectJsonError(await request(`${front.issuer}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' }), [400, 415]);
    }
  });

  it('missing credentials and bad Basic headers are 401 invalid_client with a challenge', async () => {
    const missing = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' });
    expectJsonError(missing, [401]);
    expect(missing.json.error).toBe('invalid_client');
    const garbage = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'x' }, { authorization: 'Basic !!!' });
    expectJsonError(garbage, [401]);
    expect(garbage.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'x' }, basicAuth(front.clientId, 'wrong'));
    expectJsonError(wrong, [401]);
    expect(wrong.json.error).toBe('invalid_client');
  });

  it('oversized and binary bodies are refused without a 500', async () => {
    const auth = basicAuth(front.clientId, front.clientSecret);
    const huge = await request(`${front.issuer}/backchannel/authentication`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: `scope=openid&login_hint=${'a'.repeat(2 * 1024 * 1024)}`,
    });
    expectJsonError(huge, [400, 413]);
    const binary = await request(`${front.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: Buffer.from([0, 1, 2, 255, 254, 37, 255]),
    });
    expectJsonError(binary, [400]);
    const repeated = await request(`${front.issuer}/backchannel/authentication`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: 'scope=openid&scope=openid&login_hint=alice',
    });
    expectJsonError(repeated, [400]);
  });

  it('hostile hints and parameters', async () => {
    const auth = basicAuth(front.clientId, front.clientSecret);
    const url = `${front.issuer}/backchannel/authentication`;
    expect((await postForm(url, { scope: 'openid', login_hint: "' OR 1=1 --" }, auth)).json.error).toBe('unknown_user_id');
    expect((await postForm(url, { scope: 'openid', login_hint_token: 'not.a.jwt' }, auth)).json.error).toBe('unknown_user_id');
    expect((await postForm(url, { scope: 'openid', id_token_hint: 'eyJhbGciOiJub25lIn0.e30.' }, auth)).json.error).toBe('invalid_request');
    expectJsonError(await postForm(url, { scope: 'openid', login_hint: 'alice', requested_expiry: '1e9' }, auth), [400]);
    expectJsonError(await postForm(url, { scope: 'openid', login_hint: 'alice', binding_message: '<script>alert(1)</script>'.repeat(10) }, auth), [400]);
  });

  it('unknown services, unknown endpoints and non-numeric ids are JSON 404s', async () => {
    expectJsonError(await request(`${server.baseUrl}/s/999999999999/.well-known/openid-configuration`), [404]);
    expectJsonError(await postForm(`${server.baseUrl}/s/999999999999/token`, { grant_type: 'refresh_token' }), [404]);
    expectJsonError(await request(`${server.baseUrl}/s/abc/jwks`), [404]);
    expectJsonError(await request(`${front.issuer}/nothing-here`), [404]);
  });

  it('userinfo without, with a garbage or an unknown token is 401 with a challenge', async () => {
    for (const headers of [{}, { authorization: 'Bearer !!!' }, { authorization: 'Bearer unknown-token' }] as Record<string, string>[]) {
      const response = await request(`${front.issuer}/userinfo`, { headers });
      expectJsonError(response, [401]);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('the simulator refuses unknown ids and bad decisions', async () => {
    expectJsonError(await request(`${front.issuer}/device/api/ciba/unknown/allow`, { method: 'POST' }), [404]);
    expectJsonError(await request(`${front.issuer}/device/api/ciba/x/launch`, { method: 'POST' }), [400]);
    expectJsonError(await request(`${front.issuer}/device/api/requests?subject=${'x'.repeat(300)}`), [400]);
  });

  it('the front still answers after all of that', async () => {
    expect((await request(`${front.issuer}/.well-known/openid-configuration`)).json.issuer).toBe(front.issuer);
  });
});

describe('the device simulator in production mode', () => {
  let server: TestServer;
  let front: FrontFixture;

  beforeAll(async () => {
    server = await startTestServer({ mode: 'production', env: { OPENCIBA_PUBLIC_URL: 'https://as.example.test' } });
    front = await createFront(server);
  });
  afterAll(() => server?.close());

  const local = (path: string) => `${server.baseUrl}/s/${front.serviceId}${path}`;

  it('is off unless enabled, and then needs the admin token', async () => {
    expect((await request(local('/device'))).status).toBe(404);
    expect((await request(local('/device/api/users'))).status).toBe(404);
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { simulatorEnabled: true });
    expect((await request(local('/device'))).status).toBe(200);
    expect((await request(local('/device/api/users'))).status).toBe(401);
    expect((await request(local('/device/api/users'), { headers: { authorization: 'Bearer not-the-admin-token' } })).status).toBe(401);
    const users = await request(local('/device/api/users'), { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(users.status).toBe(200);
    expect(users.json.users.map((u: { subject: string }) => u.subject)).toEqual(['alice', 'bob', 'carol']);
  });
});
