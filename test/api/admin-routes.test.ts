import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request, type RawResponse } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('/admin: users, front settings, notifications and service tokens', () => {
  let server: TestServer;
  let serviceId: number;
  let otherServiceId: number;
  let serviceToken: string;

  const call = (method: string, path: string, body?: unknown, token = server.adminToken, type = 'application/json') =>
    request(`${server.baseUrl}${path}`, {
      method,
      headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  const expectError = (response: RawResponse, status: number) => {
    expect(response.status, response.text).toBe(status);
    expect(response.json.resultCode).toMatch(/^A\d{6}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  beforeAll(async () => {
    server = await startTestServer();
    serviceId = (await call('POST', '/api/service/create', {})).json.apiKey;
    otherServiceId = (await call('POST', '/api/service/create', {})).json.apiKey;
    serviceToken = (await call('POST', `/admin/services/${serviceId}/tokens`)).json.token;
  });
  afterAll(() => server?.close());

  it('creates, reads, lists, replaces and deletes users; the user code never comes back', async () => {
    const put = await call('PUT', `/admin/services/${serviceId}/users/erin`, { email: 'erin@example.com', name: 'Erin', userCode: 'otter-4410-lark', locale: 'en' });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ subject: 'erin', email: 'erin@example.com', name: 'Erin', locale: 'en', status: 'active', hasUserCode: true });
    expect(put.text).not.toContain('otter-4410-lark');
    const list = await call('GET', `/admin/services/${serviceId}/users`);
    expect(list.json.users.map((u: { subject: string }) => u.subject)).toEqual(['erin']);
    const replaced = await call('PUT', `/admin/services/${serviceId}/users/erin`, { status: 'locked' });
    expect(replaced.json).toMatchObject({ status: 'locked', hasUserCode: false });
    expect(replaced.json.email).toBeUndefined();
    expect((await call('DELETE', `/admin/services/${serviceId}/users/erin`)).status).toBe(204);
    expectError(await call('GET', `/admin/services/${serviceId}/users/erin`), 404);
    expectError(await call('DELETE', `/admin/services/${serviceId}/users/erin`), 404);
  });

  it('refuses malformed, mistyped, oversized and unknown input', async () => {
    expectError(await call('PUT', `/admin/services/${serviceId}/users/x`, '{"email":', undefined), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/users/x`, { status: 'sleeping' }), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/users/x`, { email: 'x'.repeat(400) }), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/users/${'s'.repeat(300)}`, {}), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/users/x`, Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, 1]))), 400);
    expectError(await call('PUT', `/admin/services/999999999999/users/x`, {}), 404);
    expectError(await call('GET', `/admin/services/999999999999/users`), 404);
    expectError(await call('PUT', `/admin/services/${serviceId}/front`, { deviceChannel: 'carrier-pigeon' }), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/front`, { deviceChannel: 'webhook' }), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: 'http://example.com/hook' }), 400);
    expectError(await call('PUT', `/admin/services/${serviceId}/front`, { unknownSetting: true }), 400);
    expectError(await call('GET', `/admin/services/${serviceId}/notifications?start=-5`), 400);
  });

  it('scopes service tokens to their own service', async () => {
    expect((await call('GET', `/admin/services/${serviceId}/users`, undefined, serviceToken)).status).toBe(200);
    expectError(await call('GET', `/admin/services/${otherServiceId}/users`, undefined, serviceToken), 403);
    expectError(await call('PUT', `/admin/services/${otherServiceId}/users/x`, {}, serviceToken), 403);
    expectError(await call('GET', `/admin/services/${otherServiceId}/front`, undefined, serviceToken), 403);
    expectError(await call('GET', `/admin/services/${otherServiceId}/notifications`, undefined, serviceToken), 403);
    expectError(await call('POST', `/admin/services/${serviceId}/tokens`, undefined, serviceToken), 403);
    expectError(await call('GET', `/admin/services/${serviceId}/users`, undefined, 'not-a-token-at-all'), 401);
  });

  it('revokes a service access token given its value', async () => {
    const minted = (await call('POST', `/admin/services/${serviceId}/tokens`)).json.token as string;
    expect((await call('GET', `/api/${serviceId}/service/get`, undefined, minted)).status).toBe(200);
    expectError(await call('DELETE', `/admin/services/${otherServiceId}/tokens`, { token: minted }), 404);
    expectError(await call('DELETE', `/admin/services/${serviceId}/tokens`, { token: minted }, minted), 403);
    expect((await call('DELETE', `/admin/services/${serviceId}/tokens`, { token: minted })).status).toBe(204);
    expectError(await call('GET', `/api/${serviceId}/service/get`, undefined, minted), 401);
    expectError(await call('DELETE', `/admin/services/${serviceId}/tokens`, { token: minted }), 404);
    expectError(await call('DELETE', `/admin/services/${serviceId}/tokens`, {}), 400);
  });

  it('sets the webhook channel, shows the secret once, and rotates it on request', async () => {
    const set = await call('PUT', `/admin/services/${serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: 'http://127.0.0.1:9/hook', bindingMessageMaxLength: 20 });
    expect(set.status).toBe(200);
    const first = set.json.webhookSecret as string;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await call('PUT', `/admin/services/${serviceId}/front`, { bindingMessageMaxLength: 30 });
    expect(again.json.webhookSecret).toBeUndefined();
    expect(again.json).toMatchObject({ deviceChannel: 'webhook', bindingMessageMaxLength: 30, webhookSecretSet: true });
    const rotated = await call('PUT', `/admin/services/${serviceId}/front`, { rotateWebhookSecret: true });
    expect(rotated.json.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.json.webhookSecret).not.toBe(first);
    const read = await call('GET', `/admin/services/${serviceId}/front`);
    expect(read.text).not.toContain(rotated.json.webhookSecret);
  });
});
