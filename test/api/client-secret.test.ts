import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTY_TTL_MS } from '../../src/engine/cache/party-caches.js';
import { ManualClock } from '../support/clock.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request, type RawResponse } from '../support/http.js';
import { DIALECTS, type TestServer } from '../support/test-server.js';
import { startTwoNodes } from '../support/two-nodes.js';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
const SECRET = /^[A-Za-z0-9_-]{86}$/;

/**
 * /client/secret/refresh and /client/secret/update on two nodes sharing one database and one
 * manual clock: the old secret stops working at once on the node that changed it, and on the
 * other once its party cache entry has aged out.
 */
describe.each(DIALECTS)('client secret rotation (%s)', (dialect) => {
  const clock = new ManualClock();
  let nodeA: TestServer;
  let nodeB: TestServer;
  let closeNodes: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ nodeA, nodeB, close: closeNodes } = await startTwoNodes(dialect, clock));
  });
  afterAll(() => closeNodes?.());

  const api = (method: string, path: string, body?: unknown, token = nodeA.adminToken): Promise<RawResponse> =>
    request(`${nodeA.baseUrl}${path}`, {
      method,
      headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });

  /** The token endpoint of a node: 400 invalid_grant once the client is authenticated (the auth_req_id is unknown), 401 if not. */
  async function tokenAt(node: TestServer, front: FrontFixture, secret: string): Promise<[number, string]> {
    const path = new URL(front.issuer).pathname;
    const answer = await postForm(`${node.baseUrl}${path}/token`, { grant_type: CIBA_GRANT, auth_req_id: 'no-such-request' }, basicAuth(front.clientId, secret));
    return [answer.status, answer.json?.error];
  }

  async function backchannelAt(node: TestServer, front: FrontFixture, secret: string): Promise<[number, string | undefined]> {
    const path = new URL(front.issuer).pathname;
    const answer = await postForm(`${node.baseUrl}${path}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(front.clientId, secret));
    return [answer.status, answer.json?.error];
  }

  const AUTHENTICATED: [number, string] = [400, 'invalid_grant'];
  const REFUSED: [number, string] = [401, 'invalid_client'];

  it('refresh makes a new random secret; the old one fails at once on this node and after the cache time on another', async () => {
    const front = await createFront(nodeA);
    const old = front.clientSecret;
    expect(await tokenAt(nodeB, front, old)).toEqual(AUTHENTICATED);

    const refreshed = await api('GET', `/api/${front.serviceId}/client/secret/refresh/${front.clientId}`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    expect(refreshed.json).toEqual({ resultCode: 'A148001', resultMessage: '[A148001] The client secret was refreshed successfully.', newClientSecret: expect.stringMatching(SECRET), oldClientSecret: old });
    const fresh = refreshed.json.newClientSecret as string;
    expect(fresh).not.toBe(old);

    expect(await tokenAt(nodeA, front, old)).toEqual(REFUSED);
    expect(await backchannelAt(nodeA, front, old)).toEqual(REFUSED);
    expect(await tokenAt(nodeA, front, fresh)).toEqual(AUTHENTICATED);
    expect((await backchannelAt(nodeA, front, fresh))[0]).toBe(200);
    // client/get shows the secret now in force.
    expect((await api('GET', `/api/${front.serviceId}/client/get/${front.clientId}`)).json.clientSecret).toBe(fresh);

    // Node B may still serve its cached copy until it ages out, and not a moment after.
    clock.advance(PARTY_TTL_MS + 1);
    expect(await tokenAt(nodeB, front, old)).toEqual(REFUSED);
    expect(await tokenAt(nodeB, front, fresh)).toEqual(AUTHENTICATED);
  });

  it('update sets the given secret, by client id or by alias', async () => {
    const front = await createFront(nodeA, { clientIdAlias: 'rotating-client' });
    const chosen = `chosen_${'A1-'.repeat(26)}`.slice(0, 86);
    const updated = await api('POST', `/api/${front.serviceId}/client/secret/update/rotating-client`, { clientSecret: chosen });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ resultCode: 'A149001', resultMessage: '[A149001] The client secret was updated successfully.', newClientSecret: chosen, oldClientSecret: front.clientSecret });
    expect(await tokenAt(nodeA, front, front.clientSecret)).toEqual(REFUSED);
    expect(await tokenAt(nodeA, front, chosen)).toEqual(AUTHENTICATED);

    const byId = await api('POST', `/api/${front.serviceId}/client/secret/update/${front.clientId}`, { clientSecret: 'short-one_2' });
    expect(byId.json.oldClientSecret).toBe(chosen);
    expect(await tokenAt(nodeA, front, 'short-one_2')).toEqual(AUTHENTICATED);
    // The rest of the client is untouched.
    expect((await api('GET', `/api/${front.serviceId}/client/get/${front.clientId}`)).json).toMatchObject({ clientName: 'Front test client', clientIdAlias: 'rotating-client', clientSecret: 'short-one_2' });
  });

  it('a client that authenticates without its secret still has it refreshed, as on Authlete', async () => {
    const front = await createFront(nodeA, { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: 'CN=client' });
    const refreshed = await api('GET', `/api/${front.serviceId}/client/secret/refresh/${front.clientId}`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.newClientSecret).toMatch(SECRET);
    expect((await api('GET', `/api/${front.serviceId}/client/get/${front.clientId}`)).json).toMatchObject({ tokenAuthMethod: 'TLS_CLIENT_AUTH', clientSecret: refreshed.json.newClientSecret });
  });

  it('each change is in the audit trail as admin.changed, naming the field and never the value', async () => {
    const front = await createFront(nodeA);
    const refreshed = await api('GET', `/api/${front.serviceId}/client/secret/refresh/${front.clientId}`);
    await api('POST', `/api/${front.serviceId}/client/secret/update/${front.clientId}`, { clientSecret: 'audited_secret' });
    // A refused change is not recorded.
    await api('POST', `/api/${front.serviceId}/client/secret/update/${front.clientId}`, { clientSecret: 'bad secret' });
    const trail = await api('GET', `/admin/services/${front.serviceId}/events?type=admin.changed`);
    expect(trail.status).toBe(200);
    const secretEvents = trail.json.events.filter((e: { data: { changes?: string[] } }) => e.data.changes?.includes('clientSecret'));
    expect(secretEvents.map((e: { data: unknown }) => e.data)).toEqual([
      { actor: expect.any(String), resource: 'client', action: 'rotate', target: front.clientId, changes: ['clientSecret'] },
      { actor: expect.any(String), resource: 'client', action: 'update', target: front.clientId, changes: ['clientSecret'] },
    ]);
    for (const secret of [front.clientSecret, refreshed.json.newClientSecret, 'audited_secret']) expect(trail.text).not.toContain(secret);
  });

  describe('hostile input', () => {
    let front: FrontFixture;
    let otherServiceToken: string;
    beforeAll(async () => {
      front = await createFront(nodeA);
      const other = await createFront(nodeA);
      otherServiceToken = (await api('POST', `/admin/services/${other.serviceId}/tokens`)).json.token;
    });

    const expectError = (answer: RawResponse, status: number, code?: string) => {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.json.resultCode).toMatch(code ? new RegExp(`^${code}$`) : /^A\d{6}$/);
      expect(answer.json.resultMessage).toMatch(/^\[A\d{6}\] /);
      expect(answer.text).not.toMatch(/at .*\.(ts|js):\d+/);
    };
    const update = (body: unknown, client = front.clientId, token?: string) => api('POST', `/api/${front.serviceId}/client/secret/update/${client}`, body, token);
    const refresh = (client = front.clientId, token?: string) => api('GET', `/api/${front.serviceId}/client/secret/refresh/${client}`, undefined, token);

    it('refuses secrets that are not Authlete-shaped, without echoing them and without a change', async () => {
      const refusals: unknown[] = [
        { clientSecret: '' },
        { clientSecret: 'x'.repeat(87) },
        { clientSecret: 'tab\there' },
        { clientSecret: 'nul\u0000byte' },
        { clientSecret: 'line\r\nbreak' },
        { clientSecret: 'spa ce' },
        { clientSecret: '<script>alert(1)</script>' },
        { clientSecret: 'ünïcode' },
        { clientSecret: 'a+b/c=' },
      ];
      for (const body of refusals) {
        const answer = await update(body);
        expectError(answer, 400, 'A149201');
        expect(answer.text).not.toContain((body as { clientSecret: string }).clientSecret || '\u0000');
      }
      // (A number or a one-element array would be coerced to a string, as everywhere in the API.)
      for (const body of [{}, { clientSecret: null }, { clientSecret: { nested: 'x' } }, { clientSecret: ['a', 'b'] }, [], 'null', '"text"']) expectError(await update(body), 400);
      expect(await tokenAt(nodeA, front, front.clientSecret)).toEqual(AUTHENTICATED);
    });

    it('malformed, oversized and deeply nested bodies are 4xx', async () => {
      expectError(await update('{"clientSecret":'), 400);
      expectError(await update('\u0000\u0001binary'), 400);
      expectError(await update({ clientSecret: 'x'.repeat(2 * 1024 * 1024) }), 413);
      expectError(await update(`${'{"clientSecret":'.repeat(5000)}"deep"${'}'.repeat(5000)}`), 400);
      expectError(await request(`${nodeA.baseUrl}/api/${front.serviceId}/client/secret/update/${front.clientId}`, { method: 'POST', headers: { ...bearer(nodeA.adminToken), 'content-type': 'application/xml' }, body: '<x/>' }), 415);
      expect(await tokenAt(nodeA, front, front.clientSecret)).toEqual(AUTHENTICATED);
    });

    it('unknown clients and services are 404s; tokens of another service are 403s; no token is 401', async () => {
      expectError(await refresh('42'), 404, 'A001206');
      expectError(await update({ clientSecret: 'abc' }, '42'), 404, 'A001206');
      expectError(await refresh('no-such-alias'), 404, 'A001206');
      expectError(await refresh(encodeURIComponent('<b>x</b>')), 404, 'A001206');
      expectError(await api('GET', `/api/999999999999/client/secret/refresh/${front.clientId}`), 404, 'A001205');
      expectError(await refresh(front.clientId, otherServiceToken), 403, 'A001204');
      expectError(await update({ clientSecret: 'abc' }, front.clientId, otherServiceToken), 403, 'A001204');
      expectError(await request(`${nodeA.baseUrl}/api/${front.serviceId}/client/secret/refresh/${front.clientId}`), 401, 'A001202');
      // A client of another service is unknown here, even with the organization token.
      const other = await createFront(nodeA);
      expectError(await refresh(other.clientId), 404, 'A001206');
      expect(await tokenAt(nodeA, other, other.clientSecret)).toEqual(AUTHENTICATED);
      expect(await tokenAt(nodeA, front, front.clientSecret)).toEqual(AUTHENTICATED);
    });
  });
});
