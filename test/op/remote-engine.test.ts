import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, type ClientFixture } from '../support/admin-api.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The front in one server, the engine in another (OPENCIBA_ENGINE_URL): the front reaches the
 * engine only through the HTTP API, as it would reach Authlete, and keeps its own users,
 * device requests and outbox in its own database.
 */
describe('the front over HTTP in front of a remote engine', () => {
  let engine: TestServer;
  let front: TestServer;
  let receiver: Receiver;
  let serviceId: string;
  let issuer: string;
  let poll: ClientFixture;
  let ping: ClientFixture;
  let frontToken: string;

  beforeAll(async () => {
    engine = await startTestServer();
    receiver = await startReceiver();
    const api = adminApi(engine.baseUrl, engine.adminToken);
    const serviceToken = async (id: string) =>
      (await request(`${engine.baseUrl}/admin/services/${id}/tokens`, { method: 'POST', headers: bearer(engine.adminToken) })).json.token as string;
    const call = async (method: string, base: string, token: string, path: string, body: unknown) => {
      const response = await request(`${base}${path}`, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, response.text).toBeLessThan(300);
      return response.json;
    };
    // The service is created on the engine first; the front's address is known only once it runs.
    const { serviceId: id, created: service } = await api.createService({ serviceName: 'remote', backchannelPollingInterval: 1 });
    serviceId = id;
    frontToken = await serviceToken(serviceId);
    front = await startTestServer({ env: { OPENCIBA_ENGINE_URL: engine.baseUrl, OPENCIBA_ENGINE_TOKEN: frontToken } });
    issuer = `${front.baseUrl}/s/${serviceId}`;
    await call('POST', engine.baseUrl, engine.adminToken, `/api/${serviceId}/service/update`, {
      ...service,
      issuer,
      tokenEndpoint: `${issuer}/token`,
      backchannelAuthenticationEndpoint: `${issuer}/backchannel/authentication`,
      jwksUri: `${issuer}/jwks`,
    });
    poll = await api.createClient(serviceId, { clientName: 'remote poll', bcDeliveryMode: 'POLL' });
    ping = await api.createClient(serviceId, { clientName: 'remote ping', bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    // Users live with the front.
    await adminApi(front.baseUrl, front.adminToken).putUser(serviceId, 'alice', { name: 'Alice', email: 'alice@example.com' });
  }, 60_000);
  afterAll(async () => {
    await front?.close();
    await engine?.close();
    await receiver?.close();
  });

  it('serves discovery from the engine with the front as issuer', async () => {
    const metadata = await request(`${issuer}/.well-known/openid-configuration`);
    expect(metadata.json.issuer).toBe(issuer);
    expect(metadata.json.backchannel_authentication_endpoint).toBe(`${issuer}/backchannel/authentication`);
    expect((await request(`${issuer}/jwks`)).json.keys.length).toBeGreaterThan(0);
  });

  it('runs a poll flow', async () => {
    const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid email', login_hint: 'alice@example.com' }, basicAuth(poll.clientId, poll.clientSecret));
    expect(started.status, started.text).toBe(200);
    expect((await request(`${issuer}/device/api/ciba/${started.json.auth_req_id}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    const tokens = await postForm(`${issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.json.auth_req_id }, basicAuth(poll.clientId, poll.clientSecret));
    expect(tokens.status, tokens.text).toBe(200);
    const userinfo = await request(`${issuer}/userinfo`, { headers: bearer(tokens.json.access_token) });
    expect(userinfo.json).toEqual({ sub: 'alice', email: 'alice@example.com' });
  });

  it('queues and delivers a ping from its own outbox', async () => {
    const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: 'remote-ping' }, basicAuth(ping.clientId, ping.clientSecret));
    expect(started.status, started.text).toBe(200);
    await request(`${issuer}/device/api/ciba/${started.json.auth_req_id}/allow`, { method: 'POST' });
    await front.runtime.front.dispatcher.runOnce();
    const pinged = receiver.requests.filter((r) => r.body === JSON.stringify({ auth_req_id: started.json.auth_req_id }));
    expect(pinged).toHaveLength(1);
    expect(pinged[0]!.headers.authorization).toBe('Bearer remote-ping');
    const tokens = await postForm(`${issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.json.auth_req_id }, basicAuth(ping.clientId, ping.clientSecret));
    expect(tokens.status).toBe(200);
  });

  it('unknown services are refused by the front administration', async () => {
    const response = await request(`${front.baseUrl}/admin/services/123456789012/users/x`, {
      method: 'PUT', headers: { ...bearer(front.adminToken), 'content-type': 'application/json' }, body: '{}',
    });
    expect(response.status).toBe(404);
  });

  it('a request the front accepts but the engine finds too large to relay is a 413, not a server error', async () => {
    // Just under the front's 1 MiB limit, sent raw: each `"` doubles when quoted into the engine's
    // JSON body, which is then over the engine's limit.
    const body = `scope=openid&login_hint=alice&binding_message=${'"'.repeat(1024 * 1024 - 200)}`;
    const response = await request(`${issuer}/backchannel/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(poll.clientId, poll.clientSecret) },
      body,
    });
    expect(response.status, response.text.slice(0, 200)).toBe(413);
    expect(response.json.error).toBe('invalid_request');
  });

  // Last: it takes the front's access to the engine away.
  it('a decision the engine does not record is undone: the request is pending again, for the user or the expiry sweep', async () => {
    const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(poll.clientId, poll.clientSecret));
    expect(started.status, started.text).toBe(200);
    const revoked = await request(`${engine.baseUrl}/admin/services/${serviceId}/tokens`, {
      method: 'DELETE', headers: { ...bearer(engine.adminToken), 'content-type': 'application/json' }, body: JSON.stringify({ token: frontToken }),
    });
    expect(revoked.status).toBe(204);

    const failed = await request(`${issuer}/device/api/ciba/${started.json.auth_req_id}/allow`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(failed.json.error).toBe('server_error');
    const record = await front.runtime.store.findFrontRequest(Number(serviceId), front.runtime.engine.keyring.digest(started.json.auth_req_id));
    expect(record?.status).toBe('pending');
    const listed = await request(`${issuer}/device/api/requests?subject=alice`);
    expect(listed.json.requests.length).toBeGreaterThan(0);

    // The engine refusing the front is the server's fault, not the client's: 500, not 4xx.
    const next = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(poll.clientId, poll.clientSecret));
    expect(next.status).toBe(500);
    expect(next.json.error).toBe('server_error');
    expect(next.headers.get('cache-control')).toBe('no-store');
  });
});
