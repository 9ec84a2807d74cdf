import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { bearer, request, type RawResponse } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** RFC 6749 §5.2's character set for error_description. */
const DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

function expectInvalidRequest(answer: RawResponse, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.json.error).toBe('invalid_request');
  expect(answer.json.error_description).toMatch(DESCRIPTION);
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

describe.each(DIALECTS)('hostile input at /admin/services/{id}/keys (%s)', (dialect) => {
  let server: TestServer;
  let serviceId: string;
  let otherServiceId: string;
  let serviceToken: string;
  let otherToken: string;
  const rotate = (body: string | undefined, headers: Record<string, string> = {}, id = serviceId) =>
    request(`${server.baseUrl}/admin/services/${id}/keys/rotate`, {
      method: 'POST',
      headers: { ...bearer(server.adminToken), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
  const keysOf = async (id = serviceId) => (await request(`${server.baseUrl}/admin/services/${id}/keys`, { headers: bearer(server.adminToken) })).json.keys;

  beforeAll(async () => {
    server = await startTestServer({ dialect, env: { OPENCIBA_BODY_LIMIT: '4096' } });
    const api = adminApi(server.baseUrl, server.adminToken);
    serviceId = (await api.createService()).serviceId;
    otherServiceId = (await api.createService()).serviceId;
    serviceToken = (await api.call('POST', `/admin/services/${serviceId}/tokens`, {})).token;
    otherToken = (await api.call('POST', `/admin/services/${otherServiceId}/tokens`, {})).token;
  });
  afterAll(() => server?.close());

  it('names an unsupported alg, and changes nothing', async () => {
    const before = await keysOf();
    for (const alg of ['HS256', 'none', 'ES384', 'RSA-OAEP', 'es256', 'ES256 ', 'A"\\\u0000\u202e\u{1F600}'.repeat(3)]) {
      const answer = await rotate(JSON.stringify({ alg }));
      expectInvalidRequest(answer);
      if (/^[\x20-\x7E]+$/.test(alg) && !/["\\]/.test(alg)) expect(answer.json.error_description).toContain(alg.trim() === alg ? alg : alg.trim());
    }
    expect(await keysOf()).toEqual(before);
  });

  it('refuses malformed, mistyped, unknown, nested and oversized bodies with 400 invalid_request (413 over the limit)', async () => {
    for (const body of ['{', '{"alg":', 'null x', '[]', '"ES256"', '42', '{"alg":42}', '{"alg":null,"extra":1}', '{"alg":"ES256","kid":"mine"}', '{"alg":["ES256","RS256"]}', '{"alg":{"a":1}}', '{"__proto__":{"alg":"HS256"}}', '{"alg":""}']) {
      expectInvalidRequest(await rotate(body));
    }
    expectInvalidRequest(await rotate(`{"alg":${'['.repeat(1500)}${']'.repeat(1500)}}`));
    expectInvalidRequest(await rotate(JSON.stringify({ alg: 'x'.repeat(5000) })), 413);
    expectInvalidRequest(await rotate(JSON.stringify({ alg: 'E'.repeat(65) })));
    // The API's validator takes a one-element array for its element (app.ts, coerceTypes 'array'), as everywhere under /api.
    expect((await rotate('{"alg":["EdDSA"]}')).status).toBe(200);
    const xml = await rotate('<alg>ES256</alg>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(xml.json.error).toBe('invalid_request');
  });

  it('refuses a missing or wrong token (401) and another service\'s token (403), for listing and rotating', async () => {
    const before = await keysOf();
    const none = await request(`${server.baseUrl}/admin/services/${serviceId}/keys/rotate`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect((await rotate('{}', bearer('not-a-token-at-all-0000'))).status).toBe(401);
    expect((await rotate('{}', bearer(otherToken))).status).toBe(403);
    expect((await request(`${server.baseUrl}/admin/services/${serviceId}/keys`, { headers: bearer(otherToken) })).status).toBe(403);
    expect((await request(`${server.baseUrl}/admin/services/${serviceId}/keys`)).status).toBe(401);
    expect(await keysOf()).toEqual(before);
    expect(await keysOf(otherServiceId)).toHaveLength(4);
  });

  it('lets the service token list and rotate its own keys; an unknown service or an id that cannot be one is 404', async () => {
    const own = await request(`${server.baseUrl}/admin/services/${serviceId}/keys`, { headers: bearer(serviceToken) });
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('no-store');
    const rotated = await rotate(JSON.stringify({ alg: 'ES256' }), bearer(serviceToken));
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.json)).toEqual(['keys']);
    expect(rotated.text).not.toMatch(/"(d|p|q|dp|dq|qi|k)":/);
    const missing = await rotate('{}', {}, '999999999999');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('not_found');
    expect((await request(`${server.baseUrl}/admin/services/999999999999/keys`, { headers: bearer(server.adminToken) })).status).toBe(404);
    // The caller hook answers ids that cannot name a service before anything is read, as on every service route.
    for (const id of ['12ab', '9'.repeat(40), '%00', '-1']) expect((await rotate('{}', {}, id)).status).toBe(404);
  });

  it('accepts no body, an empty object or a JSON null as "every current algorithm"', async () => {
    const api = adminApi(server.baseUrl, server.adminToken);
    for (const body of [undefined, '{}', 'null']) {
      const { serviceId: id } = await api.createService();
      const answer = await rotate(body, {}, id);
      expect(answer.status).toBe(200);
      expect((answer.json.keys as any[]).filter((k) => k.state === 'next')).toHaveLength(4);
    }
  });
});
