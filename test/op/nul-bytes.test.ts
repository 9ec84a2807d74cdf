import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** PostgreSQL's text cannot hold NUL: a NUL anywhere a value reaches a lookup must not become a 500. */
describe.each(DIALECTS)('NUL bytes in identifiers on %s', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    front = await createFront(server);
  });
  afterAll(() => server?.close());

  it('as client_id (Basic or form) at the backchannel, token and introspection endpoints: 401 invalid_client', async () => {
    for (const endpoint of ['backchannel/authentication', 'token', 'introspect']) {
      const basic = await postForm(`${front.issuer}/${endpoint}`, { scope: 'openid', login_hint: 'alice', grant_type: 'refresh_token', refresh_token: 'x', token: 'x' }, basicAuth('a\u0000b', 'secret'));
      expect(basic.status, `${endpoint} ${basic.text}`).toBe(401);
      expect(basic.json.error).toBe('invalid_client');
      const form = await postForm(`${front.issuer}/${endpoint}`, { client_id: '\u0000', client_secret: 's', scope: 'openid', login_hint: 'alice', grant_type: 'refresh_token', refresh_token: 'x', token: 'x' });
      expect(form.status, `${endpoint} ${form.text}`).toBe(401);
    }
  });

  it('as login_hint: unknown_user_id, and the front still works after it', async () => {
    const auth = basicAuth(front.clientId, front.clientSecret);
    const hinted = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'al\u0000ice' }, auth);
    expect(hinted.status, hinted.text).toBe(400);
    expect(hinted.json.error).toBe('unknown_user_id');
    const fine = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, auth);
    expect(fine.status).toBe(200);
  });

  it('in a user\'s subject, email or phone number at the directory API: 400', async () => {
    const put = (subject: string, body: unknown) =>
      request(`${server.baseUrl}/admin/services/${front.serviceId}/users/${subject}`, {
        method: 'PUT', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
    expect((await put('a%00b', {})).status).toBe(400);
    expect((await put('dave', { email: 'd\u0000@example.com' })).status).toBe(400);
    expect((await put('dave', { phone_number: '+1\u0000' })).status).toBe(400);
    const got = await request(`${server.baseUrl}/admin/services/${front.serviceId}/users/a%00b`, { headers: bearer(server.adminToken) });
    // The same subject rule as for PUT: a NUL is a malformed subject (400), not an unknown user.
    expect(got.status, got.text).toBe(400);
    expect(got.json.resultCode).toBe('A001201');
    expect(got.headers.get('cache-control')).toBe('no-store');
  });
});
