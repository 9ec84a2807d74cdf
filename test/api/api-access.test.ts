import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('API authentication and service scoping', () => {
  let server: TestServer;
  let serviceA: number;
  let serviceB: number;
  let tokenA: string;

  beforeAll(async () => {
    server = await startTestServer();
    const create = async (name: string) =>
      (await request(`${server.baseUrl}/api/service/create`, {
        method: 'POST',
        headers: { ...bearer(server.adminToken), 'content-type': 'application/json' },
        body: JSON.stringify({ serviceName: name }),
      })).json.apiKey as number;
    serviceA = await create('A');
    serviceB = await create('B');
    const minted = await request(`${server.baseUrl}/admin/services/${serviceA}/tokens`, { method: 'POST', headers: bearer(server.adminToken) });
    expect(minted.status).toBe(200);
    tokenA = minted.json.token;
    expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  afterAll(() => server?.close());

  const expectResultError = (response: Awaited<ReturnType<typeof request>>, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json.resultCode).toBe(code);
    expect(response.json.resultMessage).toMatch(new RegExp(`^\\[${code}\\] `));
  };

  it('401 A001202 without an Authorization header', async () => {
    const response = await request(`${server.baseUrl}/api/${serviceA}/service/get`);
    expectResultError(response, 401, 'A001202');
    expect(response.json.resultMessage).toBe('[A001202] /service/get, Authorization header is missing.');
  });

  it('401 for a wrong token, a non-Bearer scheme and an oversized token', async () => {
    expectResultError(await request(`${server.baseUrl}/api/${serviceA}/service/get`, { headers: bearer('wrong-token-value') }), 401, 'A001203');
    expectResultError(await request(`${server.baseUrl}/api/${serviceA}/service/get`, { headers: { authorization: `Basic ${btoa('a:b')}` } }), 401, 'A001203');
    expectResultError(await request(`${server.baseUrl}/api/${serviceA}/service/get`, { headers: bearer('x'.repeat(5000)) }), 401, 'A001203');
  });

  it('a service token acts on its own service only', async () => {
    expect((await request(`${server.baseUrl}/api/${serviceA}/service/get`, { headers: bearer(tokenA) })).status).toBe(200);
    expectResultError(await request(`${server.baseUrl}/api/${serviceB}/service/get`, { headers: bearer(tokenA) }), 403, 'A001204');
    expectResultError(await request(`${server.baseUrl}/api/${serviceB}/client/get/list`, { headers: bearer(tokenA) }), 403, 'A001204');
    const list = await request(`${server.baseUrl}/api/service/get/list?start=0&end=50`, { headers: bearer(tokenA) });
    expect(list.status).toBe(200);
    expect(list.json.services.map((s: { apiKey: number }) => s.apiKey)).toEqual([serviceA]);
    expect(list.json.totalCount).toBe(1);
  });

  it('organization-wide operations refuse service tokens', async () => {
    expectResultError(await request(`${server.baseUrl}/api/service/create`, {
      method: 'POST', headers: { ...bearer(tokenA), 'content-type': 'application/json' }, body: '{}',
    }), 403, 'A001204');
    expectResultError(await request(`${server.baseUrl}/api/${serviceA}/service/delete`, { method: 'DELETE', headers: bearer(tokenA) }), 403, 'A001204');
    expectResultError(await request(`${server.baseUrl}/admin/services/${serviceA}/tokens`, { method: 'POST', headers: bearer(tokenA) }), 403, 'A001204');
    expectResultError(await request(`${server.baseUrl}/api/${serviceA}/service/jwks/get?includePrivateKeys=true`, { headers: bearer(tokenA) }), 403, 'A001204');
  });

  it('minting a token for an unknown service is a 404', async () => {
    expectResultError(await request(`${server.baseUrl}/admin/services/123456789012/tokens`, { method: 'POST', headers: bearer(server.adminToken) }), 404, 'A001205');
  });

  it('a deleted service takes its tokens with it', async () => {
    const created = await request(`${server.baseUrl}/api/service/create`, {
      method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: '{"serviceName":"gone"}',
    });
    const id = created.json.apiKey as number;
    const token = (await request(`${server.baseUrl}/admin/services/${id}/tokens`, { method: 'POST', headers: bearer(server.adminToken) })).json.token as string;
    const deleted = await request(`${server.baseUrl}/api/${id}/service/delete`, { method: 'DELETE', headers: bearer(server.adminToken) });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectResultError(await request(`${server.baseUrl}/api/${id}/service/get`, { headers: bearer(token) }), 401, 'A001203');
  });
});
