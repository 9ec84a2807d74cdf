import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/test-server.js';
import { complete, content, halfHash, NOTIFICATION_ENDPOINT, newService, pollToken, rawPost, startCiba, startFlow, verifyIdToken, type CibaEnv, type TestClient, type TestService, clientsPerMode } from '../../support/ciba-fixtures.js';

type Mode = 'POLL' | 'PING' | 'PUSH';
type Result = 'AUTHORIZED' | 'ACCESS_DENIED' | 'TRANSACTION_FAILED';

const AUTH_REQ_ID_CLAIM = 'urn:openid:params:jwt:claim:auth_req_id';
const RT_HASH_CLAIM = 'urn:openid:params:jwt:claim:rt_hash';

describe.each(DIALECTS)('/backchannel/authentication/complete (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let clients: Record<Mode, TestClient>;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    clients = await clientsPerMode(env, service.serviceId);
  });
  afterAll(() => env?.close());

  const tokenError = async (mode: Mode, authReqId: string) => {
    const response = await pollToken(env, service.serviceId, clients[mode], authReqId);
    expect(response.action).toBe('BAD_REQUEST');
    return content(response).error as string;
  };

  describe.each<[Result, string | undefined, string | undefined]>([
    ['AUTHORIZED', undefined, undefined],
    ['ACCESS_DENIED', 'access_denied', 'access_denied'],
    ['TRANSACTION_FAILED', 'expired_token', 'transaction_failed'],
  ])('result %s', (result, tokenEndpointError, pushError) => {
    it('poll: NO_ACTION, no notification data, then the token endpoint tells the outcome', async () => {
      const client = clients.POLL;
      const flow = await startFlow(env, service.serviceId, client);
      const response = await complete(env, service.serviceId, flow.ticket, result);
      expect(response.action).toBe('NO_ACTION');
      expect(response.resultCode).toBe('A198001');
      expect(response.deliveryMode).toBe('POLL');
      expect(response.clientId).toBe(Number(client.clientId));
      expect(response.authReqId).toBe(flow.authReqId);
      expect(response.clientNotificationEndpoint).toBeUndefined();
      expect(response.clientNotificationToken).toBeUndefined();
      expect(response.accessToken).toBeUndefined();
      expect(response.idToken).toBeUndefined();

      if (tokenEndpointError) {
        expect(await tokenError('POLL', flow.authReqId)).toBe(tokenEndpointError);
      } else {
        const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
        expect(tokens.action).toBe('OK');
        expect(tokens.subject).toBe('alice-subject');
      }
    });

    it('ping: NOTIFICATION with {"auth_req_id"} only, the endpoint and the token, then the token endpoint', async () => {
      const client = clients.PING;
      const flow = await startFlow(env, service.serviceId, client);
      const response = await complete(env, service.serviceId, flow.ticket, result, { errorDescription: 'denied by user' });
      expect(response.action).toBe('NOTIFICATION');
      expect(response.resultCode).toMatch(/^A\d{3}0\d{2}$/);
      expect(response.deliveryMode).toBe('PING');
      expect(response.clientNotificationEndpoint).toBe(NOTIFICATION_ENDPOINT);
      expect(response.clientNotificationToken).toBe(flow.notificationToken);
      expect(response.authReqId).toBe(flow.authReqId);
      expect(JSON.parse(String(response.responseContent))).toEqual({ auth_req_id: flow.authReqId });
      expect(response.accessToken).toBeUndefined();

      if (tokenEndpointError) {
        expect(await tokenError('PING', flow.authReqId)).toBe(tokenEndpointError);
      } else {
        const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
        expect(tokens.action).toBe('OK');
        expect(content(tokens).access_token).toBe(tokens.accessToken);
      }
    });

    it('push: NOTIFICATION carrying the tokens or the error', async () => {
      const client = clients.PUSH;
      const flow = await startFlow(env, service.serviceId, client);
      const response = await complete(env, service.serviceId, flow.ticket, result, { errorDescription: 'denied by user', errorUri: 'https://as.example.com/why' });
      expect(response.action).toBe('NOTIFICATION');
      expect(response.deliveryMode).toBe('PUSH');
      expect(response.clientNotificationEndpoint).toBe(NOTIFICATION_ENDPOINT);
      expect(response.clientNotificationToken).toBe(flow.notificationToken);
      expect(response.authReqId).toBe(flow.authReqId);
      const body = JSON.parse(String(response.responseContent)) as Record<string, unknown>;

      if (pushError) {
        expect(body).toEqual({ auth_req_id: flow.authReqId, error: pushError, error_description: 'denied by user', error_uri: 'https://as.example.com/why' });
        expect(response.accessToken).toBeUndefined();
        expect(response.idToken).toBeUndefined();
        return;
      }
      expect(body.auth_req_id).toBe(flow.authReqId);
      expect(body.token_type).toBe('Bearer');
      expect(body.access_token).toBe(response.accessToken);
      expect(body.refresh_token).toBe(response.refreshToken);
      expect(body.id_token).toBe(response.idToken);
      expect(body.expires_in).toBe(3600);
      expect(body.scope).toBe('openid');
      expect(body).not.toHaveProperty('error');
      expect(response.accessTokenDuration).toBe(3600);
      expect(typeof response.idTokenDuration).toBe('number');
      expect(typeof response.refreshToken).toBe('string');

      const { payload, header } = await verifyIdToken(env, service.serviceId, String(response.idToken), { issuer: service.issuer, audience: client.clientId });
      expect(header.alg).toBe('RS256');
      expect(payload.sub).toBe('alice-subject');
      expect(payload[AUTH_REQ_ID_CLAIM]).toBe(flow.authReqId);
      expect(payload.at_hash).toBe(await halfHash(String(response.accessToken)));
      expect(payload[RT_HASH_CLAIM]).toBe(await halfHash(String(response.refreshToken)));

      // The pushed access token is live.
      const introspected = await env.sdk.introspection.process({ serviceId: service.serviceId, introspectionRequest: { token: String(response.accessToken) } });
      expect(introspected.action).toBe('OK');
      expect(introspected.subject).toBe('alice-subject');
    });
  });

  describe.each<Mode>(['POLL', 'PING', 'PUSH'])('a second complete and a late complete (%s)', (mode) => {
    const expectLate = (response: Awaited<ReturnType<typeof complete>>, authReqId: string) => {
      if (mode === 'POLL') {
        expect(response.action).toBe('SERVER_ERROR');
        expect(response.responseContent).toBeUndefined();
        return;
      }
      expect(response.action).toBe('NOTIFICATION');
      expect(response.clientNotificationEndpoint).toBe(NOTIFICATION_ENDPOINT);
      const body = JSON.parse(String(response.responseContent)) as Record<string, unknown>;
      expect(body).toEqual(mode === 'PING' ? { auth_req_id: authReqId } : { auth_req_id: authReqId, error: 'server_error' });
    };

    it('a second complete does not change the recorded outcome', async () => {
      const client = clients[mode];
      const flow = await startFlow(env, service.serviceId, client);
      const first = await complete(env, service.serviceId, flow.ticket, 'ACCESS_DENIED');
      expect(first.action).toBe(mode === 'POLL' ? 'NO_ACTION' : 'NOTIFICATION');
      const second = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED');
      expectLate(second, flow.authReqId);
      expect(second.accessToken).toBeUndefined();
      if (mode !== 'PUSH') expect(await tokenError(mode, flow.authReqId)).toBe('access_denied');
    });

    it('a complete after the auth_req_id expired behaves the same, and the token endpoint says expired_token', async () => {
      const client = clients[mode];
      const flow = await startFlow(env, service.serviceId, client);
      env.clock.advance((flow.expiresIn + 1) * 1000);
      const late = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED');
      expectLate(late, flow.authReqId);
      expect(late.accessToken).toBeUndefined();
      if (mode !== 'PUSH') expect(await tokenError(mode, flow.authReqId)).toBe('expired_token');
    });
  });

  it('an unknown ticket is SERVER_ERROR (A186202)', async () => {
    const response = await complete(env, service.serviceId, 'no-such-ticket', 'AUTHORIZED');
    expect(response.action).toBe('SERVER_ERROR');
    expect(response.resultCode).toBe('A186202');
  });

  it('AUTHORIZED without a subject is SERVER_ERROR and leaves the transaction pending', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client);
    const raw = await rawPost(env, `/api/${service.serviceId}/backchannel/authentication/complete`, { ticket: flow.ticket, result: 'AUTHORIZED' });
    expect(raw.status).toBe(200);
    expect(raw.json.action).toBe('SERVER_ERROR');
    expect(raw.text).not.toContain('null');
    const empty = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', { subject: '' });
    expect(empty.action).toBe('SERVER_ERROR');
    expect(await tokenError('POLL', flow.authReqId)).toBe('authorization_pending');
    // The transaction can still be completed properly.
    expect((await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED')).action).toBe('NO_ACTION');
  });

  it('ACCESS_DENIED and TRANSACTION_FAILED need no subject', async () => {
    const flow = await startFlow(env, service.serviceId, clients.POLL);
    const raw = await rawPost(env, `/api/${service.serviceId}/backchannel/authentication/complete`, { ticket: flow.ticket, result: 'TRANSACTION_FAILED' });
    expect(raw.json.action).toBe('NO_ACTION');
  });

  it('honours authTime, acr, claims, sub and idTokenAudType in the ID token', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client, { scope: 'openid profile email' });
    const authTime = Math.floor(env.clock.now() / 1000) - 30;
    const done = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', {
      subject: 'internal-user-42',
      sub: 'pairwise-sub-42',
      authTime,
      acr: 'urn:example:acr:strong',
      claims: JSON.stringify({ name: 'Alice Example', email: 'alice@example.com', iss: 'https://evil.example.com', sub: 'evil' }),
      idTokenAudType: 'string',
    });
    expect(done.action).toBe('NO_ACTION');
    const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
    expect(tokens.action).toBe('OK');
    expect(tokens.subject).toBe('internal-user-42');
    const { payload } = await verifyIdToken(env, service.serviceId, String(tokens.idToken), { issuer: service.issuer, audience: client.clientId });
    expect(payload.aud).toBe(client.clientId);
    expect(payload.sub).toBe('pairwise-sub-42');
    expect(payload.auth_time).toBe(authTime);
    expect(payload.acr).toBe('urn:example:acr:strong');
    expect(payload.name).toBe('Alice Example');
    expect(payload.email).toBe('alice@example.com');
    expect(payload.iss).toBe(service.issuer);

    const introspected = await env.sdk.introspection.process({ serviceId: service.serviceId, introspectionRequest: { token: String(tokens.accessToken) } });
    expect(introspected.subject).toBe('internal-user-42');

    const userinfo = await env.sdk.userinfo.process({ serviceId: service.serviceId, userinfoRequest: { token: String(tokens.accessToken) } });
    expect(userinfo.action).toBe('OK');
    expect(userinfo.subject).toBe('internal-user-42');
    expect(userinfo.claims).toEqual(expect.arrayContaining(['name', 'email']));
    const issued = await env.sdk.userinfo.issue({ serviceId: service.serviceId, userinfoIssueRequest: { token: String(tokens.accessToken), claims: JSON.stringify({ name: 'Alice Example' }) } });
    expect(issued.action).toBe('JSON');
    expect(JSON.parse(String(issued.responseContent))).toMatchObject({ sub: 'pairwise-sub-42', name: 'Alice Example' });
  });

  it('push: an errorDescription or errorUri outside the RFC 6749 character set is not carried into the notification', async () => {
    const flow = await startFlow(env, service.serviceId, clients.PUSH);
    const response = await complete(env, service.serviceId, flow.ticket, 'ACCESS_DENIED', { errorDescription: 'say "no"', errorUri: 'https://as.example.com/a b"c' });
    expect(response.action).toBe('NOTIFICATION');
    expect(JSON.parse(String(response.responseContent))).toEqual({ auth_req_id: flow.authReqId, error: 'access_denied' });
  });

  it.each<['POLL' | 'PING', Result, string]>([
    ['POLL', 'ACCESS_DENIED', 'access_denied'],
    ['PING', 'TRANSACTION_FAILED', 'expired_token'],
  ])('%s %s: errorDescription and errorUri reach the client in the token endpoint error (%s)', async (mode, result, error) => {
    const flow = await startFlow(env, service.serviceId, clients[mode]);
    await complete(env, service.serviceId, flow.ticket, result, { errorDescription: 'The user declined on the device', errorUri: 'https://as.example.com/declined' });
    const response = await pollToken(env, service.serviceId, clients[mode], flow.authReqId);
    expect(response.action).toBe('BAD_REQUEST');
    expect(content(response)).toEqual({ error, error_description: 'The user declined on the device', error_uri: 'https://as.example.com/declined' });
  });

  it('without idTokenAudType the ID token aud is an array (service default)', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client);
    await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED');
    const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
    const { payload } = await verifyIdToken(env, service.serviceId, String(tokens.idToken), { issuer: service.issuer, audience: client.clientId });
    expect(payload.aud).toEqual([client.clientId]);
    expect(payload).not.toHaveProperty('auth_time');
    expect(payload).not.toHaveProperty('acr');
  });

  it('scopes replace the requested scopes', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client, { scope: 'openid profile email' });
    await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', { scopes: ['openid', 'email'] });
    const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
    expect(tokens.action).toBe('OK');
    expect(content(tokens).scope).toBe('openid email');
    expect(tokens.scopes).toEqual(['openid', 'email']);
    const introspected = await env.sdk.introspection.process({ serviceId: service.serviceId, introspectionRequest: { token: String(tokens.accessToken), scopes: ['profile'] } });
    expect(introspected.action).toBe('FORBIDDEN');
  });

  it('a shorter accessTokenDuration applies to the access token', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client);
    await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', { accessTokenDuration: 120 });
    const now = env.clock.now();
    const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
    expect(content(tokens).expires_in).toBe(120);
    expect(tokens.accessTokenDuration).toBe(120);
    expect(tokens.accessTokenExpiresAt).toBe(now + 120_000);
    env.clock.advance(121_000);
    const introspected = await env.sdk.introspection.process({ serviceId: service.serviceId, introspectionRequest: { token: String(tokens.accessToken) } });
    expect(introspected.action).toBe('UNAUTHORIZED');
  });

  it('longer accessTokenDuration and refreshTokenDuration are used too: an override counts whenever it is > 0 (reference §6)', async () => {
    const client = clients.POLL;
    const flow = await startFlow(env, service.serviceId, client);
    await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', { accessTokenDuration: 7200, refreshTokenDuration: 172_800 });
    const tokens = await pollToken(env, service.serviceId, client, flow.authReqId);
    expect(tokens.action).toBe('OK');
    expect({ accessTokenDuration: tokens.accessTokenDuration, expires_in: content(tokens).expires_in, refreshTokenDuration: tokens.refreshTokenDuration }).toEqual({
      accessTokenDuration: 7200,
      expires_in: 7200,
      refreshTokenDuration: 172_800,
    });
  });

  it('push honours the same overrides in the pushed token response', async () => {
    const client = clients.PUSH;
    const flow = await startFlow(env, service.serviceId, client, { scope: 'openid email' });
    const response = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED', { accessTokenDuration: 90, acr: 'urn:example:acr:push', idTokenAudType: 'string' });
    const body = JSON.parse(String(response.responseContent)) as Record<string, unknown>;
    expect(body.expires_in).toBe(90);
    expect(body.scope).toBe('openid email');
    const { payload } = await verifyIdToken(env, service.serviceId, String(body.id_token), { issuer: service.issuer, audience: client.clientId });
    expect(payload.aud).toBe(client.clientId);
    expect(payload.acr).toBe('urn:example:acr:push');
  });
});
