import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** Contract C: GET /admin/services/{id}/requests, the console's live requests. */
describe.each(DIALECTS)('live requests API (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  const clock = new ManualClock();
  const ids: Record<string, string> = {};

  const list = (query = '', token = server.adminToken, serviceId = front.serviceId) =>
    request(`${server.baseUrl}/admin/services/${serviceId}/requests${query}`, { headers: bearer(token) });
  const start = async (hint: string, bindingMessage: string) => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid profile', login_hint: hint, binding_message: bindingMessage }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status).toBe(200);
    clock.advance(10);
    return started.json.auth_req_id as string;
  };

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock, background: false });
    front = await createFront(server);
    ids.approved = await start('alice', 'approve me');
    ids.denied = await start('bob', 'deny me');
    ids.expired = await start('alice', 'let me expire');
    expect((await request(`${front.issuer}/device/api/ciba/${ids.approved}/allow`, { method: 'POST' })).status).toBe(200);
    expect((await request(`${front.issuer}/device/api/ciba/${ids.denied}/deny`, { method: 'POST' })).status).toBe(200);
    clock.advance(3_600_000);
    ids.pending = await start('alice', '<img src=x onerror=alert(1)>');
  });
  afterAll(() => server?.close());

  it('lists every request newest first with client, user, binding message, scopes, channel, state and times', async () => {
    const answer = await list();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const requests = answer.json.requests as Array<Record<string, unknown>>;
    expect(requests.map((r) => [r.authReqId, r.state])).toEqual([
      [ids.pending, 'pending'],
      [ids.expired, 'expired'],
      [ids.denied, 'denied'],
      [ids.approved, 'approved'],
    ]);
    expect(requests[0]).toEqual({
      authReqId: ids.pending,
      clientId: Number(front.clientId),
      clientName: 'Front test client',
      subject: 'alice',
      bindingMessage: '<img src=x onerror=alert(1)>',
      scopes: ['openid', 'profile'],
      channel: 'simulator',
      state: 'pending',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(Date.parse(requests[0]!.expiresAt as string)).toBeGreaterThan(Date.parse(requests[0]!.createdAt as string));
    expect(answer.json.nextCursor).toBeUndefined();
  });

  it('filters by state, subject and client', async () => {
    for (const state of ['pending', 'approved', 'denied', 'expired']) {
      const answer = await list(`?state=${state}`);
      expect(answer.json.requests.map((r: { authReqId: string }) => r.authReqId)).toEqual([ids[state]]);
    }
    expect((await list('?subject=bob')).json.requests.map((r: { authReqId: string }) => r.authReqId)).toEqual([ids.denied]);
    expect((await list('?subject=alice&state=expired')).json.requests).toHaveLength(1);
    expect((await list(`?clientId=${front.clientId}`)).json.requests).toHaveLength(4);
    expect((await list('?clientId=999999')).json.requests).toEqual([]);
  });

  it('an expired request the sweep has failed is still listed as expired', async () => {
    await server.runtime.front.sweep();
    expect((await list('?state=expired')).json.requests.map((r: { authReqId: string }) => r.authReqId)).toEqual([ids.expired]);
    expect((await list('?state=pending')).json.requests.map((r: { authReqId: string }) => r.authReqId)).toEqual([ids.pending]);
  });

  it('pages with an opaque cursor until the end', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const answer = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.json.requests).toHaveLength(1);
      seen.push(answer.json.requests[0].authReqId);
      cursor = answer.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids.pending, ids.expired, ids.denied, ids.approved]);
  });

  it('a service token sees its own service and is refused another', async () => {
    const token = (await front.admin('POST', `/admin/services/${front.serviceId}/tokens`, {})).token as string;
    expect((await list('', token)).json.requests).toHaveLength(4);
    const other = await front.admin('POST', '/api/service/create', { serviceName: 'other' });
    expect((await list('', token, String(other.apiKey))).status).toBe(403);
    expect((await list('', 'not-a-token')).status).toBe(401);
    expect((await request(`${server.baseUrl}/admin/services/${front.serviceId}/requests`)).status).toBe(401);
  });

  it('refuses hostile queries with 400 and the standard error body, never a 500', async () => {
    const hostile = [
      '?state=approvedd',
      '?state=',
      '?limit=0',
      '?limit=201',
      '?limit=abc',
      '?limit=1e400',
      '?clientId=-1',
      '?clientId=1%20OR%201=1',
      '?clientId=1234567890123456',
      '?cursor=%00',
      '?cursor=not-a-cursor',
      `?cursor=${Buffer.from("1'; DROP TABLE front_requests;--").toString('base64url')}`,
      `?cursor=${'A'.repeat(129)}`,
      `?cursor=${Buffer.from('99999999999999999999.abc').toString('base64url')}`,
      `?subject=${'a'.repeat(256)}`,
      '?subject=',
      '?unknown=1',
      '?state[a][b][c]=pending',
    ];
    for (const query of hostile) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('cache-control'), query).toBe('no-store');
      expect(answer.json.resultCode, query).toMatch(/^A\d+$/);
    }
    expect((await list('?state=pending&state=denied')).status).toBe(400);
    expect((await request(`${server.baseUrl}/admin/services/99999999/requests`, { headers: bearer(server.adminToken) })).status).toBe(404);
    expect((await request(`${server.baseUrl}/admin/services/abc/requests`, { headers: bearer(server.adminToken) })).status).toBeLessThan(500);
  });
});
