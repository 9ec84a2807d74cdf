import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** PUT /admin/services/{id}/users/{subject}/status: lock or unlock without replacing the user. */
describe.each(DIALECTS)('user status route (%s)', (dialect) => {
  let server: TestServer;
  let serviceId: string;
  const put = (subject: string, body: string, token = server.adminToken, service = serviceId) =>
    request(`${server.baseUrl}/admin/services/${service}/users/${encodeURIComponent(subject)}/status`, {
      method: 'PUT', headers: { ...bearer(token), 'content-type': 'application/json' }, body,
    });

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    const api = adminApi(server.baseUrl, server.adminToken);
    serviceId = (await api.createService()).serviceId;
    await api.putUser(serviceId, 'erin', { name: 'Erin', email: 'erin@example.com', userCode: '1234', locale: 'en' });
  });
  afterAll(() => server?.close());

  it('locks and unlocks, keeping her claims and user code', async () => {
    const locked = await put('erin', '{"status":"locked"}');
    expect(locked.status).toBe(200);
    expect(locked.headers.get('cache-control')).toBe('no-store');
    expect(locked.json).toMatchObject({ subject: 'erin', status: 'locked', name: 'Erin', email: 'erin@example.com', locale: 'en', hasUserCode: true });
    expect(locked.json.userCode).toBeUndefined();
    const unlocked = await put('erin', '{"status":"active"}');
    expect(unlocked.json).toMatchObject({ status: 'active', name: 'Erin', hasUserCode: true });
    const read = await request(`${server.baseUrl}/admin/services/${serviceId}/users/erin`, { headers: bearer(server.adminToken) });
    expect(read.json).toMatchObject({ status: 'active', hasUserCode: true, locale: 'en' });
  });

  it('a user who does not exist is a 404 and is not created', async () => {
    expect((await put('nobody', '{"status":"locked"}')).status).toBe(404);
    expect((await request(`${server.baseUrl}/admin/services/${serviceId}/users/nobody`, { headers: bearer(server.adminToken) })).status).toBe(404);
  });

  it('refuses hostile bodies with 400, never a 500', async () => {
    for (const body of ['{}', '{"status":"deleted"}', '{"status":"LOCKED"}', '{"status":"locked","name":"x"}', '[]', 'null', '"locked"', '{"status":', `{"status":"${'a'.repeat(100_000)}"}`, '['.repeat(5000) + ']'.repeat(5000)]) {
      const answer = await put('erin', body);
      expect(answer.status, body.slice(0, 40)).toBe(400);
      expect(answer.json.resultCode, body.slice(0, 40)).toMatch(/^A\d+$/);
    }
    // As everywhere in this API (Ajv's coerceTypes 'array', for form bodies), a one-element array is its element.
    expect((await put('erin', '{"status":["active"]}')).json.status).toBe('active');
    expect((await put('erin', '{"status":["locked","active"]}')).status).toBe(400);
    expect((await put('a'.repeat(256), '{"status":"locked"}')).status).toBe(400);
    expect((await put('bad\u0001name', '{"status":"locked"}')).status).toBe(400);
    const read = await request(`${server.baseUrl}/admin/services/${serviceId}/users/erin`, { headers: bearer(server.adminToken) });
    expect(read.json.status).toBe('active');
  });

  it("takes a service token of that service, refuses another service's and none", async () => {
    const token = (await adminApi(server.baseUrl, server.adminToken).call('POST', `/admin/services/${serviceId}/tokens`, {})).token as string;
    expect((await put('erin', '{"status":"active"}', token)).status).toBe(200);
    const other = (await adminApi(server.baseUrl, server.adminToken).createService()).serviceId;
    expect((await put('erin', '{"status":"locked"}', token, other)).status).toBe(403);
    expect((await put('erin', '{"status":"locked"}', 'nope')).status).toBe(401);
  });
});
