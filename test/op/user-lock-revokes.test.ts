import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

// Issue 12, finding 2: locking or deleting a user revokes, in the same transaction, her tokens
// and every request tokens could still come from (RFC 7662 §2.2: `active` is false for a token
// that is no longer valid), and no path mints tokens for a user who is not active.
describe.each(DIALECTS)('locking or deleting a user revokes her tokens on %s (manual clock, dispatcher by hand)', (dialect) => {
  let server: TestServer;
  let receiver: Receiver;
  let database: OpenedDatabase;

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock: new ManualClock(Date.now()), background: false });
    receiver = await startReceiver();
    database = openDatabase({ dataDir: server.config.dataDir, databaseUrl: server.config.databaseUrl });
  });
  afterAll(async () => {
    await database?.close();
    await receiver?.close();
    await server?.close();
  });

  const dispatch = () => server.runtime.front.dispatcher.runOnce();
  const auth = (front: FrontFixture) => basicAuth(front.clientId, front.clientSecret);
  async function start(front: FrontFixture, form: Record<string, string>): Promise<string> {
    const response = await postForm(`${front.issuer}/backchannel/authentication`, form, auth(front));
    expect(response.status, response.text).toBe(200);
    return response.json.auth_req_id as string;
  }
  const allow = (front: FrontFixture, authReqId: string) => request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
  const redeem = (front: FrontFixture, authReqId: string) => postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth(front));
  const refresh = (front: FrontFixture, token: string) => postForm(`${front.issuer}/token`, { grant_type: 'refresh_token', refresh_token: token }, auth(front));
  const introspect = async (front: FrontFixture, token: string) => (await postForm(`${front.issuer}/introspect`, { token }, auth(front))).json;
  const apiIntrospect = (front: FrontFixture, token: string) => front.admin('POST', `/api/${front.serviceId}/auth/introspection`, { token });
  const userinfo = (front: FrontFixture, token: string) => request(`${front.issuer}/userinfo`, { headers: bearer(token) });
  const login = (subject: string): Record<string, string> => (subject === 'bob' ? { login_hint: 'bob', user_code: '4321' } : { login_hint: subject });

  async function tokensOf(front: FrontFixture, subject: string): Promise<{ access_token: string; refresh_token: string }> {
    const authReqId = await start(front, { scope: 'openid', ...login(subject) });
    expect((await allow(front, authReqId)).json.result).toBe('AUTHORIZED');
    const answer = await redeem(front, authReqId);
    expect(answer.status, answer.text).toBe(200);
    return answer.json;
  }

  async function expectDead(front: FrontFixture, tokens: { access_token: string; refresh_token: string }) {
    expect(await introspect(front, tokens.access_token)).toEqual({ active: false });
    expect(await introspect(front, tokens.refresh_token)).toEqual({ active: false });
    expect(await apiIntrospect(front, tokens.access_token)).toMatchObject({ action: 'UNAUTHORIZED', usable: false });
    expect((await userinfo(front, tokens.access_token)).status).toBe(401);
    const refused = await refresh(front, tokens.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
  }

  async function expectAlive(front: FrontFixture, tokens: { access_token: string; refresh_token: string }) {
    expect((await introspect(front, tokens.access_token)).active).toBe(true);
    expect(await apiIntrospect(front, tokens.access_token)).toMatchObject({ action: 'OK', usable: true });
    expect((await userinfo(front, tokens.access_token)).status).toBe(200);
  }

  const lock = (front: FrontFixture, subject: string) => front.admin('PUT', `/admin/services/${front.serviceId}/users/${subject}`, { name: subject, status: 'locked' });
  const remove = (front: FrontFixture, subject: string) => request(`${server.baseUrl}/admin/services/${front.serviceId}/users/${subject}`, { method: 'DELETE', headers: bearer(server.adminToken) });
  const revoke = { lock, delete: remove };

  for (const how of ['lock', 'delete'] as const) {
    it(`${how}: her access and refresh tokens die everywhere at once, her open requests become denials, and others keep theirs`, async () => {
      const front = await createFront(server);
      const alice = await tokensOf(front, 'alice');
      const bob = await tokensOf(front, 'bob');
      const approved = await start(front, { scope: 'openid', login_hint: 'alice' });
      expect((await allow(front, approved)).json.result).toBe('AUTHORIZED');
      const waiting = await start(front, { scope: 'openid', login_hint: 'alice' });
      await expectAlive(front, alice);

      await revoke[how](front, 'alice');

      await expectDead(front, alice);
      // Approved before, redeemed after: refused (CIBA §11 access_denied), and so is the one she never answered.
      for (const authReqId of [approved, waiting]) {
        const refused = await redeem(front, authReqId);
        expect(refused.status).toBe(400);
        expect(refused.json.error).toBe('access_denied');
      }
      expect((await request(`${front.issuer}/device/api/requests?subject=alice`)).json.requests).toEqual([]);
      expect((await allow(front, waiting)).status).toBe(409);

      await expectAlive(front, bob);
      expect((await refresh(front, bob.refresh_token)).status).toBe(200);

      // Unlocking her (or creating her again) brings nothing back; new flows work again.
      await front.admin('PUT', `/admin/services/${front.serviceId}/users/alice`, { name: 'Alice', email: 'alice@example.com' });
      expect(await introspect(front, alice.access_token)).toEqual({ active: false });
      expect((await refresh(front, alice.refresh_token)).json.error).toBe('invalid_grant');
      expect((await redeem(front, approved)).json.error).toBe('access_denied');
      await expectAlive(front, await tokensOf(front, 'alice'));
    });
  }

  it('a look-alike subject (SQL wildcard, other case) is a different user', async () => {
    const front = await createFront(server);
    const alice = await tokensOf(front, 'alice');
    for (const subject of ['alice%', 'ALICE', 'alic_', "alice' OR '1'='1"]) {
      await front.admin('PUT', `/admin/services/${front.serviceId}/users/${encodeURIComponent(subject)}`, { status: 'locked' });
      expect((await remove(front, encodeURIComponent(subject))).status).toBe(204);
    }
    expect((await remove(front, 'nobody')).status).toBe(404);
    await expectAlive(front, alice);
  });

  for (const how of ['lock', 'delete'] as const) {
    it(`push, ${how} after approval: the queued push with her tokens is cancelled and the tokens are dead`, async () => {
      const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') });
      const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'push-1' });
      expect((await allow(front, authReqId)).json.result).toBe('AUTHORIZED');
      await revoke[how](front, 'alice');
      const before = receiver.requests.length;
      expect(await dispatch()).toBe(0);
      expect(receiver.requests.length).toBe(before);
      const log = await front.admin('GET', `/admin/services/${front.serviceId}/notifications`);
      expect(log.notifications).toMatchObject([{ kind: 'push', status: 'failed', lastError: 'cancelled: the user was locked or deleted' }]);
    });

    it(`push, ${how} before approval: no tokens are minted or pushed`, async () => {
      const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') });
      const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'push-2' });
      await revoke[how](front, 'alice');
      expect((await allow(front, authReqId)).status).toBe(409);
      await dispatch();
      expect(receiver.requests.filter((r) => r.body.includes(authReqId) && r.body.includes('access_token'))).toEqual([]);
    });
  }

  it('ping, locked after approval: the ping still goes (it carries only auth_req_id) and the token endpoint says access_denied', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'ping-1' });
    expect((await allow(front, authReqId)).json.result).toBe('AUTHORIZED');
    await lock(front, 'alice');
    expect(await dispatch()).toBe(1);
    expect(receiver.requests.at(-1)!.body).toBe(JSON.stringify({ auth_req_id: authReqId }));
    expect((await redeem(front, authReqId)).json.error).toBe('access_denied');
  });

  it('webhook channel: a queued device webhook for her is cancelled', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'POLL' });
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: receiver.url('/app') });
    await start(front, { scope: 'openid', login_hint: 'alice' });
    await start(front, { scope: 'openid', login_hint: 'bob', user_code: '4321' });
    await lock(front, 'alice');
    expect(await dispatch()).toBe(1);
    expect(JSON.parse(receiver.requests.at(-1)!.body)).toMatchObject({ subject: 'bob' });
    const log = await front.admin('GET', `/admin/services/${front.serviceId}/notifications`);
    expect(log.notifications.map((n: { status: string; lastError?: string }) => `${n.status}:${n.lastError ?? ''}`).sort()).toEqual([
      'delivered:',
      'failed:cancelled: the user was locked or deleted',
    ]);
  });

  // A lock that commits between the front's identification of the user and its device request
  // leaves a request no revocation could find: every minting path checks her status itself.
  // The window is opened here by locking her row directly, without the revocation.
  const lockRowOnly = (front: FrontFixture, subject: string) =>
    (database.db as any).updateTable('users').set({ status: 'locked' }).where('service_id', '=', Number(front.serviceId)).where('subject', '=', subject).execute();

  it('push through the webhook app\'s /complete for a user locked in that window: recorded as a denial, access_denied pushed, no tokens', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') });
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: receiver.url('/app') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'push-3' });
    await dispatch();
    const event = JSON.parse(receiver.requests.at(-1)!.body);
    await lockRowOnly(front, 'alice');
    const completed = await front.admin('POST', `/api/${front.serviceId}/backchannel/authentication/complete`, { ticket: event.ticket, result: 'AUTHORIZED', subject: 'alice' });
    expect(completed.action).toBe('NOTIFICATION');
    expect(completed.accessToken).toBeUndefined();
    expect(JSON.parse(completed.responseContent)).toMatchObject({ auth_req_id: authReqId, error: 'access_denied' });
    expect(await dispatch()).toBe(1);
    const pushed = JSON.parse(receiver.requests.at(-1)!.body);
    expect(pushed).toMatchObject({ auth_req_id: authReqId, error: 'access_denied' });
    expect(pushed.access_token).toBeUndefined();
  });

  it('the simulator\'s approval for a user locked in that window is a denial (poll and push)', async () => {
    for (const client of [{}, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') }]) {
      const front = await createFront(server, client);
      const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'push-4' });
      await lockRowOnly(front, 'alice');
      expect((await allow(front, authReqId)).json.result).toBe('ACCESS_DENIED');
      if (client.bcDeliveryMode === 'PUSH') {
        expect(await dispatch()).toBe(1);
        expect(JSON.parse(receiver.requests.at(-1)!.body)).toEqual({ auth_req_id: authReqId, error: 'access_denied' });
      } else {
        expect((await redeem(front, authReqId)).json.error).toBe('access_denied');
      }
    }
  });
});
