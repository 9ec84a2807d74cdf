import { createHmac } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { noContent, startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

describe('ping, push and webhook through the front (manual clock, dispatcher driven by hand)', () => {
  let server: TestServer;
  let clock: ManualClock;
  let receiver: Receiver;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ clock, background: false });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  const dispatch = () => server.runtime.front.dispatcher.runOnce();
  const newest = () => receiver.requests.at(-1)!;

  async function start(front: { issuer: string; clientId: string; clientSecret: string }, form: Record<string, string>) {
    const response = await postForm(`${front.issuer}/backchannel/authentication`, form, basicAuth(front.clientId, front.clientSecret));
    expect(response.status, response.text).toBe(200);
    return response.json.auth_req_id as string;
  }
  const redeem = (front: { issuer: string; clientId: string; clientSecret: string }, authReqId: string) =>
    postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));

  it('ping: the client is pinged with exactly {auth_req_id}, then redeems', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'notify-token-1' });
    expect((await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    const before = receiver.requests.length;
    expect(await dispatch()).toBe(1);
    expect(receiver.requests.length).toBe(before + 1);
    const ping = newest();
    expect(ping.method).toBe('POST');
    expect(ping.path).toBe('/ping');
    expect(ping.headers.authorization).toBe('Bearer notify-token-1');
    expect(ping.headers['content-type']).toMatch(/^application\/json/);
    expect(ping.body).toBe(JSON.stringify({ auth_req_id: authReqId }));

    const tokens = await redeem(front, authReqId);
    expect(tokens.status).toBe(200);
    expect(tokens.json.access_token).toBeTruthy();
    expect(await dispatch()).toBe(0); // delivered once
  });

  it('ping after denial: pinged, then access_denied at the token endpoint', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'n2' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/deny`, { method: 'POST' });
    await dispatch();
    expect(newest().body).toBe(JSON.stringify({ auth_req_id: authReqId }));
    const denied = await redeem(front, authReqId);
    expect(denied.status).toBe(400);
    expect(denied.json.error).toBe('access_denied');
  });

  it('push: the client receives the tokens, with an ID token bound to the request', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') });
    const authReqId = await start(front, { scope: 'openid email', login_hint: 'alice', client_notification_token: 'push-token' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    await dispatch();
    const push = newest();
    expect(push.headers.authorization).toBe('Bearer push-token');
    const body = JSON.parse(push.body);
    expect(body).toMatchObject({ auth_req_id: authReqId, token_type: 'Bearer' });
    expect(body.access_token).toBeTruthy();
    const jwks = (await request(`${front.issuer}/jwks`)).json;
    const { payload } = await jwtVerify(body.id_token, createLocalJWKSet(jwks), { issuer: front.issuer, audience: String(front.clientId), currentDate: new Date(clock.now()) });
    expect(payload['urn:openid:params:jwt:claim:auth_req_id']).toBe(authReqId);
    expect(payload.at_hash).toBeTruthy();
    expect(payload.sub).toBe('alice');
    expect(payload.email).toBe('alice@example.com');
    // A push client does not redeem at the token endpoint.
    expect((await redeem(front, authReqId)).json.error).toBe('invalid_grant');
  });

  it('push denial carries error access_denied', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/push') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'p2' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/deny`, { method: 'POST' });
    await dispatch();
    expect(JSON.parse(newest().body)).toEqual({ auth_req_id: authReqId, error: 'access_denied' });
  });

  it('an unanswered request fails at its expiry, not before: ping sent, then expired_token', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'n3', requested_expiry: '30' });
    clock.advance(28_000);
    expect((await redeem(front, authReqId)).json.error).toBe('authorization_pending');
    clock.advance(2_000);
    expect(await server.runtime.front.sweep()).toBeGreaterThanOrEqual(1);
    await dispatch();
    expect(newest().body).toBe(JSON.stringify({ auth_req_id: authReqId }));
    const expired = await redeem(front, authReqId);
    expect(expired.json.error).toBe('expired_token');
    expect((await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).status).toBe(409);
  });

  it('poll expiry: expired_token after expires_in', async () => {
    const front = await createFront(server);
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', requested_expiry: '20' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.json.expires_in).toBe(20);
    clock.advance(21_000);
    expect((await redeem(front, started.json.auth_req_id)).json.error).toBe('expired_token');
  });

  it('wrong or missing user code and a binding message outside the policy are refused', async () => {
    const front = await createFront(server, { bcUserCodeRequired: true }, { backchannelUserCodeParameterSupported: true });
    const url = `${front.issuer}/backchannel/authentication`;
    const auth = basicAuth(front.clientId, front.clientSecret);
    expect((await postForm(url, { scope: 'openid', login_hint: 'bob', user_code: '1111' }, auth)).json.error).toBe('invalid_user_code');
    expect((await postForm(url, { scope: 'openid', login_hint: 'bob' }, auth)).json.error).toBe('missing_user_code');
    expect((await postForm(url, { scope: 'openid', login_hint: 'bob', user_code: '4321' }, auth)).status).toBe(200);
    const long = await postForm(url, { scope: 'openid', login_hint: 'bob', user_code: '4321', binding_message: 'x'.repeat(65) }, auth);
    expect(long.status).toBe(400);
    expect(long.json.error).toBe('invalid_binding_message');
    const control = await postForm(url, { scope: 'openid', login_hint: 'bob', user_code: '4321', binding_message: 'a\u0007b' }, auth);
    expect(control.json.error).toBe('invalid_binding_message');
  });

  it('a user locked after approving gets no tokens', async () => {
    const front = await createFront(server);
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/alice`, { email: 'alice@example.com', name: 'Alice', status: 'locked' });
    const refused = await redeem(front, authReqId);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('access_denied');
  });

  it('locking a user ends her pending request as a denial: a later approval finds it decided', async () => {
    const front = await createFront(server);
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice' });
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/alice`, { email: 'alice@example.com', status: 'locked' });
    const approval = await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    expect(approval.status).toBe(409);
    expect(approval.json.error).toBe('already_decided');
    expect((await redeem(front, authReqId)).json.error).toBe('access_denied');
  });

  it('webhook: the app gets a signed request and completes it through the API; the ping follows', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const settings = await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: receiver.url('/app') });
    const secret = settings.webhookSecret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await front.admin('GET', `/admin/services/${front.serviceId}/front`)).webhookSecret).toBeUndefined();

    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', binding_message: 'Hook', client_notification_token: 'n4' });
    await dispatch();
    const hook = newest();
    expect(hook.path).toBe('/app');
    const signature = String(hook.headers['openciba-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(signature) ?? [];
    expect(createHmac('sha256', secret).update(`${t}.${hook.body}`).digest('hex')).toBe(v1);
    const event = JSON.parse(hook.body);
    expect(event).toMatchObject({ type: 'backchannel_authentication_request', subject: 'alice', bindingMessage: 'Hook', scopes: ['openid'] });

    const token = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/tokens`, { method: 'POST', headers: bearer(server.adminToken) })).json.token;
    const completed = await request(event.completeEndpoint, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ ticket: event.ticket, result: 'AUTHORIZED', subject: 'alice' }),
    });
    expect(completed.json.action).toBe('NOTIFICATION');
    await dispatch();
    expect(newest()).toMatchObject({ path: '/ping', body: JSON.stringify({ auth_req_id: authReqId }) });
    expect((await redeem(front, authReqId)).status).toBe(200);
    // The notification log shows both deliveries, without secrets.
    const log = await front.admin('GET', `/admin/services/${front.serviceId}/notifications`);
    expect(log.notifications.map((n: { kind: string; status: string }) => `${n.kind}:${n.status}`).sort()).toEqual(['ping:delivered', 'webhook:delivered']);
    expect(JSON.stringify(log)).not.toContain(authReqId);
  });

  it('a push that cannot be delivered stays visible with its attempts', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PUSH', bcNotificationEndpoint: receiver.url('/down') });
    receiver.handler = (r, res) => void res.writeHead(r.path === '/down' ? 503 : 204).end();
    try {
      const authReqId = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'p3', requested_expiry: '60' });
      await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
      for (let i = 0; i < 12; i++) {
        await dispatch();
        clock.advance(10_000);
      }
      const log = await front.admin('GET', `/admin/services/${front.serviceId}/notifications`);
      expect(log.notifications).toHaveLength(1);
      expect(log.notifications[0]).toMatchObject({ kind: 'push', status: 'failed' });
      expect(log.notifications[0].attempts).toBeGreaterThan(1);
      expect(log.notifications[0].lastError).toMatch(/503/);
    } finally {
      receiver.handler = noContent;
    }
  });

  it("a locked user's refresh token stops working", async () => {
    const front = await createFront(server);
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    const tokens = (await redeem(front, authReqId)).json;
    const refresh = (token: string) => postForm(`${front.issuer}/token`, { grant_type: 'refresh_token', refresh_token: token }, basicAuth(front.clientId, front.clientSecret));
    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/alice`, { status: 'locked' });
    const refused = await refresh(refreshed.json.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
  });

  it('only confidential clients may introspect, and another client\'s token only as a resource server', async () => {
    const front = await createFront(server);
    const authReqId = await start(front, { scope: 'openid', login_hint: 'alice' });
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    const accessToken = (await redeem(front, authReqId)).json.access_token;
    const publicClient = await front.admin('POST', `/api/${front.serviceId}/client/create`, { clientName: 'spa', clientType: 'PUBLIC' });
    const asPublic = await postForm(`${front.issuer}/introspect`, { token: accessToken }, basicAuth(publicClient.clientId, publicClient.clientSecret));
    expect(asPublic.status).toBe(401);
    expect(asPublic.json.error).toBe('invalid_client');
    // Issue 12 finding 5: another client sees nothing of the token; a client registered as a
    // resource server (its attribute openciba.resource_server = "true") sees it.
    const otherClient = await front.admin('POST', `/api/${front.serviceId}/client/create`, { clientName: 'another client', tokenAuthMethod: 'CLIENT_SECRET_POST' });
    const asOtherClient = await postForm(`${front.issuer}/introspect`, { token: accessToken, client_id: String(otherClient.clientId), client_secret: otherClient.clientSecret });
    expect(asOtherClient.json).toEqual({ active: false });
    const rs = await front.admin('POST', `/api/${front.serviceId}/client/create`, {
      clientName: 'resource server',
      tokenAuthMethod: 'CLIENT_SECRET_POST',
      attributes: [{ key: 'openciba.resource_server', value: 'true' }],
    });
    const asResourceServer = await postForm(`${front.issuer}/introspect`, { token: accessToken, client_id: String(rs.clientId), client_secret: rs.clientSecret });
    expect(asResourceServer.json).toMatchObject({ active: true, sub: 'alice' });
  });

  it('a login_hint_token signed by the client names the user; an expired one is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'hint-key', alg: 'ES256', use: 'sig' };
    const front = await createFront(server, { jwks: JSON.stringify({ keys: [jwk] }) });
    const hintToken = (claims: Record<string, unknown>, expiresAt: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'hint-key' }).setIssuedAt(Math.floor(clock.now() / 1000) - 10).setExpirationTime(expiresAt).sign(privateKey);
    const nowSeconds = Math.floor(clock.now() / 1000);
    const url = `${front.issuer}/backchannel/authentication`;
    const auth = basicAuth(front.clientId, front.clientSecret);
    const ok = await postForm(url, { scope: 'openid', login_hint_token: await hintToken({ email: 'alice@example.com' }, nowSeconds + 300) }, auth);
    expect(ok.status, ok.text).toBe(200);
    const pending = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(pending.json.requests).toHaveLength(1);
    const expired = await postForm(url, { scope: 'openid', login_hint_token: await hintToken({ sub: 'alice' }, nowSeconds - 60) }, auth);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toBe('expired_login_hint_token');
    const forged = await postForm(url, { scope: 'openid', login_hint_token: await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'hint-key' }).setExpirationTime(nowSeconds + 300).sign((await generateKeyPair('ES256')).privateKey) }, auth);
    expect(forged.json.error).toBe('unknown_user_id');
  });

  it('id_token_hint from an earlier flow identifies the user', async () => {
    const front = await createFront(server);
    const first = await start(front, { scope: 'openid', login_hint: 'alice' });
    await request(`${front.issuer}/device/api/ciba/${first}/allow`, { method: 'POST' });
    const idToken = (await redeem(front, first)).json.id_token as string;
    expect(decodeJwt(idToken).sub).toBe('alice');
    const second = await start(front, { scope: 'openid', id_token_hint: idToken });
    expect(second).not.toBe(first);
    // The first flow was decided and redeemed, so alice has exactly the second one waiting.
    const pending = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(pending.json.requests).toHaveLength(1);
    expect(pending.json.requests[0]).toMatchObject({ id: server.runtime.engine.keyring.digest(second), subject: 'alice', clientId: Number(front.clientId) });
    // And it is alice's to decide: approving it by its auth_req_id yields tokens for alice.
    expect((await request(`${front.issuer}/device/api/ciba/${second}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    expect(decodeJwt((await redeem(front, second)).json.id_token as string).sub).toBe('alice');
  });
});
