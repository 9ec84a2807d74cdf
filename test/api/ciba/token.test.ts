import type { ServiceInput } from '@authlete/typescript-sdk/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_GRACE_MS } from '../../../src/engine/tokens/grants/ciba-grant.js';
import { DIALECTS } from '../../support/test-server.js';
import {
  approvedTokens,
  CIBA_GRANT,
  complete,
  content,
  newClient,
  newService,
  pollToken,
  startCiba,
  startFlow,
  tokenRequest,
  verifyIdToken,
  type CibaEnv,
  type TestClient,
  type TestService,
} from '../../support/ciba-fixtures.js';

describe('/auth/token for the CIBA and refresh-token grants', () => {
  let env: CibaEnv;
  let service: TestService;
  let client: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    env = await startCiba();
    service = await newService(env);
    client = await newClient(env, service.serviceId);
    other = await newClient(env, service.serviceId);
  });
  afterAll(() => env?.close());

  const sid = () => service.serviceId;
  const seconds = (n: number) => env.clock.advance(n * 1000);

  async function expectError(response: Awaited<ReturnType<typeof pollToken>>, error: string, action = 'BAD_REQUEST') {
    expect(response.action).toBe(action);
    const body = content(response);
    expect(body.error).toBe(error);
    expect(Object.keys(body).every((k) => ['error', 'error_description', 'error_uri'].includes(k))).toBe(true);
    if (body.error_description !== undefined) expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
    return body;
  }

  describe('pending, slow_down and the interval', () => {
    it('the first poll, straight after issue, is authorization_pending', async () => {
      const flow = await startFlow(env, sid(), client);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
    });

    it('polling at the interval stays authorization_pending', async () => {
      const flow = await startFlow(env, sid(), client);
      for (let i = 0; i < 3; i++) {
        await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
        seconds(flow.interval);
      }
    });

    it('polling before the interval is slow_down; after waiting the raised interval it is pending again', async () => {
      const flow = await startFlow(env, sid(), client);
      expect(flow.interval).toBe(5);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
      seconds(2);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'slow_down');
      // CIBA §11: the interval is now at least 5 s longer, for this and all later requests.
      seconds(flow.interval + 5);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
      seconds(flow.interval + 5);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
    });

    it('after slow_down, a poll after the old interval but before the raised one is slow_down again', async () => {
      const flow = await startFlow(env, sid(), client);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
      seconds(1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'slow_down');
      seconds(flow.interval + 1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'slow_down');
    });

    it('slow_down does not keep an approved request from being redeemed once the client waits', async () => {
      const flow = await startFlow(env, sid(), client);
      await pollToken(env, sid(), client, flow.authReqId);
      seconds(1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'slow_down');
      await complete(env, sid(), flow.ticket, 'AUTHORIZED');
      seconds(flow.interval + 5);
      expect((await pollToken(env, sid(), client, flow.authReqId)).action).toBe('OK');
    });
  });

  describe('slow_down: who is held to the interval, and how the penalty grows', () => {
    it('a ping-mode client is exempt: early polls stay authorization_pending and it redeems as soon as it is told', async () => {
      const ping = await newClient(env, sid(), { bcDeliveryMode: 'PING' });
      const flow = await startFlow(env, sid(), ping);
      expect(flow.interval).toBe(5);
      await expectError(await pollToken(env, sid(), ping, flow.authReqId), 'authorization_pending');
      seconds(1);
      await expectError(await pollToken(env, sid(), ping, flow.authReqId), 'authorization_pending');
      await expectError(await pollToken(env, sid(), ping, flow.authReqId), 'authorization_pending');
      expect((await complete(env, sid(), flow.ticket, 'AUTHORIZED')).action).toBe('NOTIFICATION');
      const tokens = await pollToken(env, sid(), ping, flow.authReqId);
      expect(tokens.action).toBe('OK');
    });

    it('the penalty compounds: every early poll adds 5 s to the interval in force, which then holds', async () => {
      const flow = await startFlow(env, sid(), client);
      expect(flow.interval).toBe(5);
      const poll = () => pollToken(env, sid(), client, flow.authReqId);
      await expectError(await poll(), 'authorization_pending'); // interval 5
      seconds(1);
      const first = await poll();
      await expectError(first, 'slow_down'); // 1 < 5: interval 10
      expect(first.resultCode).toBe('A200306');
      seconds(9);
      await expectError(await poll(), 'slow_down'); // 9 < 10: interval 15
      seconds(14);
      await expectError(await poll(), 'slow_down'); // 14 < 15: interval 20
      seconds(20);
      await expectError(await poll(), 'authorization_pending'); // 20 = 20: still 20
      seconds(19);
      await expectError(await poll(), 'slow_down'); // 19 < 20: interval 25
      seconds(24);
      await expectError(await poll(), 'slow_down'); // 24 < 25: interval 30
      seconds(30);
      await expectError(await poll(), 'authorization_pending');
    });

    it('a poll exactly one interval after the previous one is on time', async () => {
      const flow = await startFlow(env, sid(), client);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
      env.clock.advance(flow.interval * 1000 - 1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'slow_down');
      seconds(flow.interval + 5);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
    });
  });

  describe('outcomes', () => {
    it('expired_token once expires_in has passed without approval', async () => {
      const flow = await startFlow(env, sid(), client);
      seconds(flow.expiresIn - 1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
      seconds(1);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'expired_token');
    });

    it('an approval that is not redeemed before expiry gives expired_token', async () => {
      const flow = await startFlow(env, sid(), client);
      await complete(env, sid(), flow.ticket, 'AUTHORIZED');
      seconds(flow.expiresIn);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'expired_token');
    });

    it('access_denied after ACCESS_DENIED, on every later poll', async () => {
      const flow = await startFlow(env, sid(), client);
      await complete(env, sid(), flow.ticket, 'ACCESS_DENIED');
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'access_denied');
      seconds(flow.interval);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'access_denied');
    });

    it('expired_token after TRANSACTION_FAILED', async () => {
      const flow = await startFlow(env, sid(), client);
      await complete(env, sid(), flow.ticket, 'TRANSACTION_FAILED');
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'expired_token');
    });

    it('OK with the token response after AUTHORIZED', async () => {
      const { flow, tokens, body } = await approvedTokens(env, sid(), client, {}, { scope: 'openid email' });
      expect(tokens.resultCode).toMatch(/^A\d{3}0\d{2}$/);
      expect(tokens.grantType).toBe('CIBA');
      expect(tokens.clientId).toBe(Number(client.clientId));
      expect(tokens.subject).toBe('alice-subject');
      expect(tokens.scopes).toEqual(['openid', 'email']);
      expect(body.token_type).toBe('Bearer');
      expect(body.access_token).toBe(tokens.accessToken);
      expect(String(body.access_token).length).toBeGreaterThanOrEqual(27);
      expect(body.refresh_token).toBe(tokens.refreshToken);
      expect(body.id_token).toBe(tokens.idToken);
      expect(body.expires_in).toBe(3600);
      expect(body.scope).toBe('openid email');
      expect(body).not.toHaveProperty('auth_req_id');
      expect(flow.authReqId).toMatch(/^[A-Za-z0-9._-]{27,}$/);
    });
  });

  describe('invalid_grant, invalid_client and friends', () => {
    it('an unknown auth_req_id is invalid_grant (A200304)', async () => {
      const response = await pollToken(env, sid(), client, 'x'.repeat(43));
      await expectError(response, 'invalid_grant');
      expect(response.resultCode).toBe('A200304');
    });

    it("another client's auth_req_id is invalid_grant (A200302) and leaves the request usable by its owner", async () => {
      const flow = await startFlow(env, sid(), client);
      await complete(env, sid(), flow.ticket, 'AUTHORIZED');
      const response = await pollToken(env, sid(), other, flow.authReqId);
      await expectError(response, 'invalid_grant');
      expect(response.resultCode).toBe('A200302');
      expect((await pollToken(env, sid(), client, flow.authReqId)).action).toBe('OK');
    });

    it("an auth_req_id of another service is unknown there", async () => {
      const elsewhere = await newService(env);
      const stranger = await newClient(env, elsewhere.serviceId);
      const flow = await startFlow(env, sid(), client);
      await expectError(await pollToken(env, elsewhere.serviceId, stranger, flow.authReqId), 'invalid_grant');
    });

    it('a replay after the grace window is invalid_grant and revokes the tokens of the first exchange', async () => {
      const { flow, tokens } = await approvedTokens(env, sid(), client);
      const introspect = (token: string) => env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token } });
      expect((await introspect(String(tokens.accessToken))).action).toBe('OK');

      env.clock.advance(REPLAY_GRACE_MS);
      const replay = await pollToken(env, sid(), client, flow.authReqId);
      await expectError(replay, 'invalid_grant');
      expect(replay.resultCode).toBe('A200303');
      expect((await introspect(String(tokens.accessToken))).action).toBe('UNAUTHORIZED');
      const refreshed = await tokenRequest(env, sid(), client, { grant_type: 'refresh_token', refresh_token: String(tokens.refreshToken) });
      await expectError(refreshed, 'invalid_grant');
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'invalid_grant');
    });

    it('a replay after a refresh revokes the refreshed tokens as well', async () => {
      const { flow, tokens } = await approvedTokens(env, sid(), client);
      const refreshed = await tokenRequest(env, sid(), client, { grant_type: 'refresh_token', refresh_token: String(tokens.refreshToken) });
      expect(refreshed.action).toBe('OK');
      env.clock.advance(REPLAY_GRACE_MS);
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'invalid_grant');
      const introspected = await env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token: String(refreshed.accessToken) } });
      expect(introspected.action).toBe('UNAUTHORIZED');
    });

    it('a wrong client secret is INVALID_CLIENT with invalid_client, and does not count as a poll', async () => {
      const flow = await startFlow(env, sid(), client);
      const response = await env.sdk.token.process({
        serviceId: sid(),
        tokenRequest: { parameters: `grant_type=${encodeURIComponent(CIBA_GRANT)}&auth_req_id=${flow.authReqId}`, clientId: client.clientId, clientSecret: 'wrong' },
      });
      await expectError(response, 'invalid_client', 'INVALID_CLIENT');
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
    });

    it('no client credentials at all is invalid_request (A244305) and does not count as a poll', async () => {
      const flow = await startFlow(env, sid(), client);
      const response = await env.sdk.token.process({ serviceId: sid(), tokenRequest: { parameters: `grant_type=${encodeURIComponent(CIBA_GRANT)}&auth_req_id=${flow.authReqId}` } });
      // Authlete's observed answer (reference §1.4, A244305): nothing names a client, so the request is malformed.
      await expectError(response, 'invalid_request');
      expect(response.resultCode).toBe('A244305');
      await expectError(await pollToken(env, sid(), client, flow.authReqId), 'authorization_pending');
    });

    it('an unsupported grant type is unsupported_grant_type', async () => {
      await expectError(await tokenRequest(env, sid(), client, { grant_type: 'password', username: 'a', password: 'b' }), 'unsupported_grant_type');
      await expectError(await tokenRequest(env, sid(), client, { grant_type: 'urn:example:telepathy' }), 'unsupported_grant_type');
    });

    it('a missing grant_type or auth_req_id is invalid_request', async () => {
      await expectError(await tokenRequest(env, sid(), client, { grant_type: CIBA_GRANT }), 'invalid_request');
      await expectError(await tokenRequest(env, sid(), client, { grant_type: CIBA_GRANT, auth_req_id: '' }), 'invalid_request');
      await expectError(await tokenRequest(env, sid(), client, { auth_req_id: 'abc' }), 'invalid_request');
    });

    it('a client without the CIBA grant type is unauthorized_client', async () => {
      const noCiba = await newClient(env, sid(), { grantTypes: ['REFRESH_TOKEN'] });
      await expectError(await pollToken(env, sid(), noCiba, 'x'.repeat(43)), 'unauthorized_client');
    });

    it('a push-mode client cannot redeem its auth_req_id at the token endpoint', async () => {
      const push = await newClient(env, sid(), { bcDeliveryMode: 'PUSH' });
      const flow = await startFlow(env, sid(), push);
      const response = await pollToken(env, sid(), push, flow.authReqId);
      await expectError(response, 'invalid_grant');
      expect(response.resultCode).toBe('A200310');
    });
  });

  describe('refresh-token grant', () => {
    const refresh = (c: TestClient, refreshToken: string, scope?: string) =>
      tokenRequest(env, sid(), c, { grant_type: 'refresh_token', refresh_token: refreshToken, ...(scope !== undefined ? { scope } : {}) });

    it('rotates: a new pair, the old refresh token is then invalid_grant, the new one works', async () => {
      const { tokens } = await approvedTokens(env, sid(), client, { authTime: Math.floor(env.clock.now() / 1000) - 5 });
      const first = await verifyIdToken(env, sid(), String(tokens.idToken), { issuer: service.issuer, audience: client.clientId });
      seconds(10);
      const second = await refresh(client, String(tokens.refreshToken));
      expect(second.action).toBe('OK');
      expect(second.grantType).toBe('REFRESH_TOKEN');
      const body = content(second);
      expect(body.token_type).toBe('Bearer');
      expect(body.access_token).not.toBe(tokens.accessToken);
      expect(body.refresh_token).toBeDefined();
      expect(body.refresh_token).not.toBe(tokens.refreshToken);
      // openid is still in scope, so the refresh brings a new ID token for the same authentication.
      expect(typeof body.id_token).toBe('string');
      expect(second.idToken).toBe(body.id_token);
      const renewed = await verifyIdToken(env, sid(), String(body.id_token), { issuer: service.issuer, audience: client.clientId });
      expect(renewed.payload.sub).toBe(first.payload.sub);
      expect(renewed.payload.aud).toEqual(first.payload.aud);
      expect(renewed.payload.iat).toBe(Number(first.payload.iat) + 10);
      expect(renewed.payload.auth_time).toBe(first.payload.auth_time);

      await expectError(await refresh(client, String(tokens.refreshToken)), 'invalid_grant');
      const third = await refresh(client, String(body.refresh_token));
      expect(third.action).toBe('OK');
    });

    it('narrows the scope on request', async () => {
      const { tokens } = await approvedTokens(env, sid(), client, {}, { scope: 'openid email profile' });
      const narrowed = await refresh(client, String(tokens.refreshToken), 'openid email');
      expect(narrowed.action).toBe('OK');
      expect(content(narrowed).scope).toBe('openid email');
      expect(narrowed.scopes).toEqual(['openid', 'email']);
    });

    it('widening the scope is invalid_scope, and the refresh token is not consumed by the failure', async () => {
      const { tokens } = await approvedTokens(env, sid(), client, {}, { scope: 'openid email' });
      await expectError(await refresh(client, String(tokens.refreshToken), 'openid email phone'), 'invalid_scope');
      expect((await refresh(client, String(tokens.refreshToken))).action).toBe('OK');
    });

    it("another client's refresh token is invalid_grant", async () => {
      const { tokens } = await approvedTokens(env, sid(), client);
      await expectError(await refresh(other, String(tokens.refreshToken)), 'invalid_grant');
      expect((await refresh(client, String(tokens.refreshToken))).action).toBe('OK');
    });

    it('an unknown or missing refresh token is rejected', async () => {
      await expectError(await refresh(client, 'no-such-refresh-token'), 'invalid_grant');
      await expectError(await tokenRequest(env, sid(), client, { grant_type: 'refresh_token' }), 'invalid_request');
    });
  });

  describe('refresh-token lifetime and the service settings that shape it', () => {
    const DURATION = 1000;

    /** A service with the settings, a client, and an approved flow's tokens; the clock at issue. */
    async function issued(overrides: ServiceInput) {
      const svc = await newService(env, { refreshTokenDuration: DURATION, ...overrides });
      const c = await newClient(env, svc.serviceId);
      const { tokens, body } = await approvedTokens(env, svc.serviceId, c);
      const issuedAt = env.clock.now();
      expect(tokens.refreshTokenExpiresAt).toBe(issuedAt + DURATION * 1000);
      const refresh = (refreshToken: string) => tokenRequest(env, svc.serviceId, c, { grant_type: 'refresh_token', refresh_token: refreshToken });
      const introspect = (token: string) => env.sdk.introspection.process({ serviceId: svc.serviceId, introspectionRequest: { token } });
      return { tokens, body, issuedAt, refresh, introspect };
    }

    it('a refresh token works until its lifetime is over, then it is invalid_grant', async () => {
      const a = await issued({});
      env.clock.advance(DURATION * 1000 - 1);
      expect((await a.refresh(String(a.tokens.refreshToken))).action).toBe('OK');
      const b = await issued({});
      seconds(DURATION);
      const late = await b.refresh(String(b.tokens.refreshToken));
      await expectError(late, 'invalid_grant');
      expect(late.resultCode).toBe('A053302');
    });

    // Authlete's service flags (reference §7, OpenAPI `service`): kept = the same refresh token
    // again; its expiry stays unless refreshTokenDurationReset. A new token gets a fresh duration
    // unless refreshTokenDurationKept (refreshTokenDurationReset is then not read).
    it.each<[string, ServiceInput, { same: boolean; expiryKept: boolean }]>([
      ['defaults: a new token with a fresh duration', {}, { same: false, expiryKept: false }],
      ['refreshTokenDurationKept: a new token with what was left', { refreshTokenDurationKept: true }, { same: false, expiryKept: true }],
      [
        'refreshTokenDurationKept and refreshTokenDurationReset: Reset is not read for a new token',
        { refreshTokenDurationKept: true, refreshTokenDurationReset: true },
        { same: false, expiryKept: true },
      ],
      ['refreshTokenKept: the same token, its expiry unchanged', { refreshTokenKept: true }, { same: true, expiryKept: true }],
      ['refreshTokenKept and refreshTokenDurationKept: the same token, its expiry unchanged', { refreshTokenKept: true, refreshTokenDurationKept: true }, { same: true, expiryKept: true }],
      ['refreshTokenKept and refreshTokenDurationReset: the same token with a fresh duration', { refreshTokenKept: true, refreshTokenDurationReset: true }, { same: true, expiryKept: false }],
    ])('%s', async (_name, overrides, expected) => {
      const { tokens, issuedAt, refresh } = await issued(overrides);
      seconds(300);
      const refreshed = await refresh(String(tokens.refreshToken));
      expect(refreshed.action).toBe('OK');
      const body = content(refreshed);
      if (expected.same) expect(body.refresh_token).toBe(tokens.refreshToken);
      else expect(body.refresh_token).not.toBe(tokens.refreshToken);
      expect(refreshed.refreshToken).toBe(body.refresh_token);
      const expiresAt = expected.expiryKept ? issuedAt + DURATION * 1000 : env.clock.now() + DURATION * 1000;
      expect(refreshed.refreshTokenExpiresAt).toBe(expiresAt);
      expect(refreshed.refreshTokenDuration).toBe(expected.expiryKept ? DURATION - 300 : DURATION);

      // The old token: still the one in use when kept, else spent.
      if (!expected.same) await expectError(await refresh(String(tokens.refreshToken)), 'invalid_grant');
      // The stored expiry is the one reported: the token works up to it and not at it.
      env.clock.advance(expiresAt - env.clock.now() - 1);
      const before = await refresh(String(body.refresh_token));
      expect(before.action).toBe('OK');
      const next = String(content(before).refresh_token);
      env.clock.advance(1);
      if (expected.expiryKept) {
        await expectError(await refresh(next), 'invalid_grant');
      } else {
        // The refresh just before the end started a fresh duration again.
        expect((await refresh(next)).action).toBe('OK');
      }
    });

    it('tokenExpirationLinked: an access token never outlives its refresh token', async () => {
      const linked = await issued({ accessTokenDuration: 3600, tokenExpirationLinked: true, refreshTokenDurationKept: true });
      expect(linked.body.expires_in).toBe(DURATION);
      expect(linked.tokens.accessTokenExpiresAt).toBe(linked.issuedAt + DURATION * 1000);
      seconds(200);
      const refreshed = await linked.refresh(String(linked.tokens.refreshToken));
      expect(refreshed.action).toBe('OK');
      expect(content(refreshed).expires_in).toBe(DURATION - 200);
      expect(refreshed.accessTokenExpiresAt).toBe(linked.issuedAt + DURATION * 1000);
      expect(refreshed.refreshTokenExpiresAt).toBe(linked.issuedAt + DURATION * 1000);
      env.clock.advance(linked.issuedAt + DURATION * 1000 - env.clock.now());
      const expired = await linked.introspect(String(refreshed.accessToken));
      expect(expired.action).toBe('UNAUTHORIZED');
      expect(expired.usable).toBe(false);

      const unlinked = await issued({ accessTokenDuration: 3600, refreshTokenDurationKept: true });
      expect(unlinked.body.expires_in).toBe(3600);
      seconds(200);
      const longer = await unlinked.refresh(String(unlinked.tokens.refreshToken));
      expect(content(longer).expires_in).toBe(3600);
      expect(longer.accessTokenExpiresAt).toBe(env.clock.now() + 3600 * 1000);
    });
  });

  describe('ID tokens', () => {
    it('poll: kid, iss, sub, aud, exp, iat, auth_time and acr', async () => {
      const authTime = Math.floor(env.clock.now() / 1000) - 60;
      const { tokens } = await approvedTokens(env, sid(), client, { authTime, acr: 'urn:example:acr:2fa' });
      const now = Math.floor(env.clock.now() / 1000);
      const jwks = await env.sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId: sid() });
      const { payload, header } = await verifyIdToken(env, sid(), String(tokens.idToken), { issuer: service.issuer, audience: client.clientId });
      expect(header.kid).toBeTruthy();
      expect(jwks.keys?.some((k) => k.kid === header.kid && k.alg === 'RS256')).toBe(true);
      expect(header.alg).toBe('RS256');
      expect(payload.iss).toBe(service.issuer);
      expect(payload.sub).toBe('alice-subject');
      expect(payload.aud).toEqual([client.clientId]);
      expect(payload.iat).toBe(now);
      expect(payload.exp).toBe(now + 3600);
      expect(payload.auth_time).toBe(authTime);
      expect(payload.acr).toBe('urn:example:acr:2fa');
      expect(payload).not.toHaveProperty('nonce');
      expect(payload).not.toHaveProperty('c_hash');
      expect(payload).not.toHaveProperty('s_hash');
    });

    it.each(['PS256', 'ES256', 'EdDSA'] as const)('a client with idTokenSignAlg %s gets an ID token that verifies', async (alg) => {
      const signed = await newClient(env, sid(), { idTokenSignAlg: alg });
      const { tokens } = await approvedTokens(env, sid(), signed);
      const { payload, header } = await verifyIdToken(env, sid(), String(tokens.idToken), { issuer: service.issuer, audience: signed.clientId });
      expect(header.alg).toBe(alg);
      expect(header.kid).toBeTruthy();
      expect(payload.sub).toBe('alice-subject');
    });
  });

  describe('expires_in and interval at /issue', () => {
    it('expires_in is the smaller of requested_expiry and the service duration', async () => {
      const shorter = await startFlow(env, sid(), client, { requested_expiry: '30' });
      expect(shorter.expiresIn).toBe(30);
      const longer = await startFlow(env, sid(), client, { requested_expiry: '100000' });
      expect(longer.expiresIn).toBe(600);
      const none = await startFlow(env, sid(), client);
      expect(none.expiresIn).toBe(600);

      seconds(30);
      await expectError(await pollToken(env, sid(), client, shorter.authReqId), 'expired_token');
      await expectError(await pollToken(env, sid(), client, longer.authReqId), 'authorization_pending');
    });

    it('the responseContent of /issue carries auth_req_id, expires_in and interval as numbers', async () => {
      const authn = await env.sdk.ciba.processAuthentication({
        serviceId: sid(),
        backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice', clientId: client.clientId, clientSecret: client.clientSecret },
      });
      const issued = await env.sdk.ciba.issue({ serviceId: sid(), backchannelAuthenticationIssueRequest: { ticket: String(authn.ticket) } });
      expect(issued.resultCode).toBe('A183001');
      expect(content(issued)).toEqual({ auth_req_id: issued.authReqId, expires_in: 600, interval: 5 });
      const again = await env.sdk.ciba.issue({ serviceId: sid(), backchannelAuthenticationIssueRequest: { ticket: String(authn.ticket) } });
      expect(again.action).toBe('INVALID_TICKET');
      expect(again.resultCode).toBe('A181202');
      expect(again.authReqId).toBeUndefined();
      expect(content(again).error).toBe('server_error');
    });

    it('interval follows the service setting; 0 means the default', async () => {
      const fast = await newService(env, { backchannelPollingInterval: 1, backchannelAuthReqIdDuration: 120 });
      const fastClient = await newClient(env, fast.serviceId);
      const flow = await startFlow(env, fast.serviceId, fastClient);
      expect(flow.interval).toBe(1);
      expect(flow.expiresIn).toBe(120);

      const zero = await newService(env, { backchannelPollingInterval: 0 });
      const zeroClient = await newClient(env, zero.serviceId);
      // 0 is no duration: the service's interval falls back to the default of 5 s.
      expect((await startFlow(env, zero.serviceId, zeroClient)).interval).toBe(5);
    });
  });
});

describe.each(DIALECTS)('concurrent redemption of one auth_req_id (%s)', (dialect) => {
  let env: CibaEnv;
  let serviceId: string;
  let client: TestClient;
  beforeAll(async () => {
    env = await startCiba({ dialect });
    serviceId = (await newService(env)).serviceId;
    client = await newClient(env, serviceId);
  });
  afterAll(() => env?.close());

  const introspect = (token: string) => env.sdk.introspection.process({ serviceId, introspectionRequest: { token } });
  const refresh = (refreshToken: string) => tokenRequest(env, serviceId, client, { grant_type: 'refresh_token', refresh_token: refreshToken });

  async function expectUsable(accessToken: string) {
    const answer = await introspect(accessToken);
    expect(answer.action).toBe('OK');
    expect(answer.usable).toBe(true);
  }

  async function expectRevoked(accessToken: string) {
    const answer = await introspect(accessToken);
    expect(answer.action).toBe('UNAUTHORIZED');
    expect(answer.existent).toBe(false);
    expect(answer.usable).toBe(false);
  }

  it('20 concurrent token requests for one approved auth_req_id yield exactly one OK, and the winner keeps its tokens', async () => {
    const flow = await startFlow(env, serviceId, client);
    expect((await complete(env, serviceId, flow.ticket, 'AUTHORIZED')).action).toBe('NO_ACTION');
    const responses = await Promise.all(Array.from({ length: 20 }, () => pollToken(env, serviceId, client, flow.authReqId)));
    const ok = responses.filter((r) => r.action === 'OK');
    expect(ok).toHaveLength(1);
    for (const r of responses.filter((r) => r.action !== 'OK')) {
      expect(r.action).toBe('BAD_REQUEST');
      expect(content(r).error).toBe('invalid_grant');
      expect(r.resultCode).toBe('A200303');
    }
    // The losers raced the winner inside the grace window: what the winner got still works.
    const winner = ok[0]!;
    await expectUsable(String(winner.accessToken));
    const refreshed = await refresh(String(winner.refreshToken));
    expect(refreshed.action).toBe('OK');
    await expectUsable(String(refreshed.accessToken));
  });

  it('a repeat inside the grace window is invalid_grant and revokes nothing; one at the end of the window revokes the grant', async () => {
    const { flow, tokens } = await approvedTokens(env, serviceId, client);
    env.clock.advance(REPLAY_GRACE_MS - 1);
    const retry = await pollToken(env, serviceId, client, flow.authReqId);
    expect(retry.action).toBe('BAD_REQUEST');
    expect(content(retry).error).toBe('invalid_grant');
    expect(retry.resultCode).toBe('A200303');
    await expectUsable(String(tokens.accessToken));

    env.clock.advance(1);
    const replay = await pollToken(env, serviceId, client, flow.authReqId);
    expect(content(replay).error).toBe('invalid_grant');
    expect(replay.resultCode).toBe('A200303');
    await expectRevoked(String(tokens.accessToken));
    const refreshed = await refresh(String(tokens.refreshToken));
    expect(content(refreshed).error).toBe('invalid_grant');
  });

  it('a replay long after the redemption revokes the tokens of the grant only', async () => {
    const first = await approvedTokens(env, serviceId, client);
    const second = await approvedTokens(env, serviceId, client);
    env.clock.advance(60_000);
    expect(content(await pollToken(env, serviceId, client, first.flow.authReqId)).error).toBe('invalid_grant');
    await expectRevoked(String(first.tokens.accessToken));
    await expectUsable(String(second.tokens.accessToken));
  });
});
