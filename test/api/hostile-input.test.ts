import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request, type RawResponse } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('management API under malformed, missing, oversized and hostile input', () => {
  let server: TestServer;
  let serviceId: number;
  let clientId: number;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer();
    auth = bearer(server.adminToken);
    serviceId = (await post('/api/service/create', {})).json.apiKey;
    clientId = (await post(`/api/${serviceId}/client/create`, { clientName: 'c' })).json.clientId;
  });
  afterAll(() => server?.close());

  function post(path: string, body: unknown, type = 'application/json'): Promise<RawResponse> {
    return request(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const expect4xx = (response: RawResponse, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(typeof response.json.resultCode).toBe('string');
    expect(response.json.resultCode).toMatch(/^A\d{6}$/);
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  };

  it('malformed JSON is a 400', async () => {
    expect4xx(await post('/api/service/create', '{"serviceName":'), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, '\u0000\u0001binary'), 400);
    expect4xx(await post('/api/service/create', ''), 400);
  });

  it('wrong types and unknown enum values are 400s', async () => {
    expect4xx(await post('/api/service/create', { accessTokenDuration: 'soon' }), 400);
    expect4xx(await post('/api/service/create', { supportedGrantTypes: ['TELEPATHY'] }), 400);
    expect4xx(await post('/api/service/create', { supportedBackchannelTokenDeliveryModes: ['poll'] }), 400);
    expect4xx(await post('/api/service/create', { backchannelPollingInterval: -1 }), 400);
    expect4xx(await post('/api/service/create', { issuer: 'https://as.example.com/?x=1' }), 400);
    expect4xx(await post('/api/service/create', { jwks: '{"keys":[{"kty":"EC"}]}' }), 400);
    expect4xx(await post('/api/service/create', { jwks: 'not json' }), 400);
    expect4xx(await post('/api/service/create', [1, 2, 3]), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { clientType: 'SECRET' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { bcDeliveryMode: 'poll' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { bcDeliveryMode: 'PING' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: 'http://example.com/cb' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { bcRequestSignAlg: 'HS256' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { jwks: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { extension: { accessTokenDuration: -5 } }), 400);
    expect4xx(await post(`/api/${serviceId}/client/create`, { grantTypes: 'CIBA' + 'X'.repeat(100) }), 400);
  });

  it('unknown ids are 404s, non-numeric ids too', async () => {
    expect4xx(await request(`${server.baseUrl}/api/999999999999/service/get`, { headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/abc/service/get`, { headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/${serviceId}/client/get/42`, { headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/${serviceId}/client/get/${'9'.repeat(40)}`, { headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/${serviceId}/client/get/%00%ff`, { headers: auth }), 400);
    expect4xx(await post(`/api/${serviceId}/client/update/42`, {}), 404);
    expect4xx(await request(`${server.baseUrl}/api/${serviceId}/client/delete/42`, { method: 'DELETE', headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/999999999999/client/get/${clientId}`, { headers: auth }), 404);
  });

  it('bodies over the size limit are 413s', async () => {
    expect4xx(await post('/api/service/create', { serviceName: 'x'.repeat(2 * 1024 * 1024) }), 413);
  });

  it('unsupported content types are 415s', async () => {
    expect4xx(await post('/api/service/create', '<xml/>', 'application/xml'), 415);
  });

  it('wrong methods and unknown paths are 404s with the standard body', async () => {
    expect4xx(await request(`${server.baseUrl}/api/service/create`, { headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/api/${serviceId}/service/get`, { method: 'PUT', headers: auth }), 404);
    expect4xx(await request(`${server.baseUrl}/nowhere`), 404);
  });

  it('bad paging parameters are 400s and large pages are capped', async () => {
    expect4xx(await request(`${server.baseUrl}/api/service/get/list?start=-1`, { headers: auth }), 400);
    expect4xx(await request(`${server.baseUrl}/api/service/get/list?end=abc`, { headers: auth }), 400);
    const list = await request(`${server.baseUrl}/api/service/get/list?start=0&end=999999`, { headers: auth });
    expect(list.status).toBe(200);
    expect(list.json.end).toBe(1000);
  });

  it('a bad JSON Patch for the configuration is a 400', async () => {
    const response = await request(`${server.baseUrl}/api/${serviceId}/service/configuration?patch=${encodeURIComponent('[{"op":"explode"}]')}`, { headers: auth });
    expect4xx(response, 400);
  });

  it('form-encoded bodies work, with arrays as space-separated strings', async () => {
    const form = new URLSearchParams({ serviceName: 'form', supportedGrantTypes: 'CIBA REFRESH_TOKEN', backchannelPollingInterval: '3' });
    const created = await post('/api/service/create', form.toString(), 'application/x-www-form-urlencoded');
    expect(created.status).toBe(200);
    expect(created.json.supportedGrantTypes).toEqual(['CIBA', 'REFRESH_TOKEN']);
    expect(created.json.backchannelPollingInterval).toBe(3);
  });

  it('answers never contain null and ids are numbers', async () => {
    const got = await request(`${server.baseUrl}/api/${serviceId}/client/get/${clientId}`, { headers: auth });
    expect(got.status).toBe(200);
    expect(got.text).not.toContain('null');
    expect(typeof got.json.clientId).toBe('number');
    const svc = await request(`${server.baseUrl}/api/${serviceId}/service/get`, { headers: auth });
    expect(svc.text).not.toContain('null');
    expect(typeof svc.json.apiKey).toBe('number');
  });

  it('nulls sent by a caller are treated as absent', async () => {
    const created = await post(`/api/${serviceId}/client/create`, { clientName: null, bcNotificationEndpoint: null });
    expect(created.status).toBe(200);
    expect(created.json).not.toHaveProperty('clientName');
  });

  it('the server still answers after all of that', async () => {
    expect((await request(`${server.baseUrl}/health`)).json).toEqual({ status: 'ok' });
  });
});
