import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/test-server.js';
import {
  approvedTokens,
  backchannel,
  clientAssertion,
  containsNull,
  content,
  form,
  jwtBearerType,
  keyPair,
  newClient,
  newService,
  notificationToken,
  rawPost,
  signJwt,
  startCiba,
  type CibaEnv,
  type KeyPair,
  type TestClient,
  type TestService,
} from '../../support/ciba-fixtures.js';

type Answer = Awaited<ReturnType<typeof backchannel>>;

describe.each(DIALECTS)('/backchannel/authentication (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let poll: TestClient;
  let ping: TestClient;
  let rich: TestService;
  let richClient: TestClient;
  let key: KeyPair;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    poll = await newClient(env, service.serviceId);
    ping = await newClient(env, service.serviceId, { bcDeliveryMode: 'PING' });
    rich = await newService(env, { backchannelUserCodeParameterSupported: true }, { supportedAcrs: ['urn:example:acr:1', 'urn:example:acr:2'] });
    richClient = await newClient(env, rich.serviceId, { bcDeliveryMode: 'PING', bcUserCodeRequired: true, clientName: 'Rich client' });
    key = await keyPair('PS256');
  });
  afterAll(() => env?.close());

  const sid = () => service.serviceId;
  const send = (client: TestClient, params: Record<string, string>) => backchannel(env, sid(), client, params);

  /** BAD_REQUEST (or another refusal) with a well-formed CIBA §13 error body. */
  function expectRefusal(answer: Answer, error: string, action = 'BAD_REQUEST') {
    expect(answer.action).toBe(action);
    expect(answer.ticket).toBeUndefined();
    const body = content(answer);
    expect(body.error).toBe(error);
    expect(Object.keys(body).every((k) => ['error', 'error_description', 'error_uri'].includes(k))).toBe(true);
    if (body.error_description !== undefined) expect(body.error_description).toMatch(/^[\x09\x0A\x0D\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
    if (body.error_uri !== undefined) expect(body.error_uri).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]*$/);
    return body;
  }

  describe('request parameters', () => {
    it('a scope without openid is invalid_scope', async () => {
      expectRefusal(await send(poll, { scope: 'profile email', login_hint: 'alice' }), 'invalid_scope');
      expectRefusal(await send(poll, { login_hint: 'alice' }), 'invalid_scope');
      expectRefusal(await send(poll, { scope: 'openidx', login_hint: 'alice' }), 'invalid_scope');
    });

    it('scope order does not matter', async () => {
      const answer = await send(poll, { scope: 'email openid', login_hint: 'alice' });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.scopes?.map((s) => s.name).sort()).toEqual(['email', 'openid']);
    });

    it('no hint, or two hints, is invalid_request', async () => {
      expectRefusal(await send(poll, { scope: 'openid' }), 'invalid_request');
      expectRefusal(await send(poll, { scope: 'openid', login_hint: '' }), 'invalid_request');
      expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', login_hint_token: 'xxxxxxxxxxxxxxxxxxxx' }), 'invalid_request');
      expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', id_token_hint: 'a.b.c' }), 'invalid_request');
    });

    it('a login_hint_token is passed on as the hint', async () => {
      const answer = await send(poll, { scope: 'openid', login_hint_token: 'opaque-login-hint-token' });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.hintType).toBe('LOGIN_HINT_TOKEN');
      expect(answer.hint).toBe('opaque-login-hint-token');
    });

    it('a parameter sent twice is invalid_request', async () => {
      const answer = await env.sdk.ciba.processAuthentication({
        serviceId: sid(),
        backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice&login_hint=bob', clientId: poll.clientId, clientSecret: poll.clientSecret },
      });
      expectRefusal(answer, 'invalid_request');
      const twiceScope = await env.sdk.ciba.processAuthentication({
        serviceId: sid(),
        backchannelAuthenticationRequest: { parameters: 'scope=openid&scope=openid&login_hint=alice', clientId: poll.clientId, clientSecret: poll.clientSecret },
      });
      expectRefusal(twiceScope, 'invalid_request');
    });

    it('requested_expiry "30" is accepted; "abc", "0", "-1" and "1.5" are invalid_request', async () => {
      const ok = await send(poll, { scope: 'openid', login_hint: 'alice', requested_expiry: '30' });
      expect(ok.action).toBe('USER_IDENTIFICATION');
      expect(ok.requestedExpiry).toBe(30);
      for (const value of ['abc', '0', '-1', '1.5']) {
        expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', requested_expiry: value }), 'invalid_request');
      }
    });

    it('a resource with a fragment, or a relative one, is invalid_target; a proper one is passed on', async () => {
      expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', resource: 'https://rs.example.com/api#frag' }), 'invalid_target');
      expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', resource: '/relative/path' }), 'invalid_target');
      const ok = await send(poll, { scope: 'openid', login_hint: 'alice', resource: 'https://rs.example.com/api' });
      expect(ok.action).toBe('USER_IDENTIFICATION');
      expect(ok.resources).toEqual(['https://rs.example.com/api']);
    });

    it('authorization_details that is not an array, or has an element without type, is invalid_authorization_details', async () => {
      for (const value of ['{"type":"payment"}', '"payment"', 'not json', '[]', '[{"actions":["read"]}]', '[{"type":""}]', '[42]']) {
        expectRefusal(await send(poll, { scope: 'openid', login_hint: 'alice', authorization_details: value }), 'invalid_authorization_details');
      }
      const ok = await send(poll, { scope: 'openid', login_hint: 'alice', authorization_details: '[{"type":"payment","actions":["initiate"],"amount":"10.00"}]' });
      expect(ok.action).toBe('USER_IDENTIFICATION');
      expect(ok.authorizationDetails?.elements?.[0]?.type).toBe('payment');
    });

    it('a service keeps the supportedAcrs it was created with (the basis of acr filtering)', async () => {
      const got = await fetch(`${env.server.baseUrl}/api/${rich.serviceId}/service/get`, { headers: { authorization: `Bearer ${env.server.adminToken}` } });
      expect(((await got.json()) as { supportedAcrs?: string[] }).supportedAcrs).toEqual(['urn:example:acr:1', 'urn:example:acr:2']);
    });

    it('acr_values are filtered to the supported ACRs', async () => {
      const answer = await backchannel(env, rich.serviceId, richClient, {
        scope: 'openid',
        login_hint: 'alice',
        user_code: '1234',
        client_notification_token: notificationToken(),
        acr_values: 'urn:example:acr:2 urn:example:acr:unknown urn:example:acr:1',
      });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.acrs).toEqual(['urn:example:acr:2', 'urn:example:acr:1']);
      const none = await backchannel(env, rich.serviceId, richClient, {
        scope: 'openid', login_hint: 'alice', user_code: '1234', client_notification_token: notificationToken(), acr_values: 'urn:example:acr:unknown',
      });
      expect(none.action).toBe('USER_IDENTIFICATION');
      expect(none.acrs ?? []).toEqual([]);
    });
  });

  describe('user_code', () => {
    it('is required when the service supports it and the client requires it (missing_user_code)', async () => {
      expectRefusal(await backchannel(env, rich.serviceId, richClient, { scope: 'openid', login_hint: 'alice', client_notification_token: notificationToken() }), 'missing_user_code');
      const ok = await backchannel(env, rich.serviceId, richClient, { scope: 'openid', login_hint: 'alice', user_code: '4711', client_notification_token: notificationToken() });
      expect(ok.action).toBe('USER_IDENTIFICATION');
      expect(ok.userCode).toBe('4711');
      expect(ok.userCodeRequired).toBe(true);
    });

    it('is not required when only the client asks for it', async () => {
      const client = await newClient(env, sid(), { bcUserCodeRequired: true });
      const answer = await send(client, { scope: 'openid', login_hint: 'alice' });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.userCodeRequired).toBe(false);
    });
  });

  describe('client_notification_token (ping)', () => {
    it('is required', async () => {
      expectRefusal(await send(ping, { scope: 'openid', login_hint: 'alice' }), 'invalid_request');
    });

    it('may be 1024 characters but not 1025', async () => {
      const ok = await send(ping, { scope: 'openid', login_hint: 'alice', client_notification_token: 'a'.repeat(1024) });
      expect(ok.action).toBe('USER_IDENTIFICATION');
      expect(ok.clientNotificationToken).toBe('a'.repeat(1024));
      expect(ok.deliveryMode).toBe('PING');
      expectRefusal(await send(ping, { scope: 'openid', login_hint: 'alice', client_notification_token: 'a'.repeat(1025) }), 'invalid_request');
    });
  });

  describe('id_token_hint', () => {
    let idToken: string;
    let sub: string;

    beforeAll(async () => {
      const { tokens } = await approvedTokens(env, sid(), poll, { subject: 'hint-user', sub: 'hint-user-pairwise' });
      idToken = String(tokens.idToken);
      sub = 'hint-user-pairwise';
    });

    it('an ID token this service issued to the client identifies the user by its sub', async () => {
      const answer = await send(poll, { scope: 'openid', id_token_hint: idToken });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.hintType).toBe('ID_TOKEN_HINT');
      expect(answer.hint).toBe(idToken);
      expect(answer.sub).toBe(sub);
    });

    it('an ID token with a broken signature is invalid_request', async () => {
      const [h, p, s] = idToken.split('.') as [string, string, string];
      const flipped = Buffer.from(s, 'base64url');
      flipped[0] = flipped[0]! ^ 0x5a;
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: `${h}.${p}.${flipped.toString('base64url')}` }), 'invalid_request');
      // The same header and signature over another payload.
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: `${h}.${forgedPayload}.${s}` }), 'invalid_request');
    });

    it('a token signed with a foreign key, an unsigned one, or garbage is invalid_request', async () => {
      const now = Math.floor(env.clock.now() / 1000);
      const claims = { iss: service.issuer, sub: 'mallory', aud: poll.clientId, iat: now, exp: now + 600 };
      const foreign = await signJwt(key, claims);
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: foreign }), 'invalid_request');
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: new UnsecuredJWT(claims).encode() }), 'invalid_request');
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: 'not-a-jwt' }), 'invalid_request');
    });

    it('an ID token issued by another service is invalid_request', async () => {
      const elsewhere = await newService(env);
      const stranger = await newClient(env, elsewhere.serviceId);
      const { tokens } = await approvedTokens(env, elsewhere.serviceId, stranger);
      expectRefusal(await send(poll, { scope: 'openid', id_token_hint: String(tokens.idToken) }), 'invalid_request');
    });

    it('an ID token issued to another client is invalid_request', async () => {
      const another = await newClient(env, sid());
      expectRefusal(await send(another, { scope: 'openid', id_token_hint: idToken }), 'invalid_request');
    });

    it('an expired ID token is still accepted as a hint', async () => {
      const exp = Number(JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).exp);
      env.clock.advance(Math.max(0, exp * 1000 - env.clock.now()) + 60_000);
      const answer = await send(poll, { scope: 'openid', id_token_hint: idToken });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.sub).toBe(sub);
    });
  });

  describe('client checks', () => {
    it('a client without bcDeliveryMode is unauthorized_client (A169301)', async () => {
      const client = await newClient(env, sid(), { bcDeliveryMode: undefined });
      const answer = await send(client, { scope: 'openid', login_hint: 'alice' });
      expectRefusal(answer, 'unauthorized_client');
      expect(answer.resultCode).toBe('A169301');
    });

    it('a client without the CIBA grant type is unauthorized_client', async () => {
      const client = await newClient(env, sid(), { grantTypes: ['REFRESH_TOKEN'] });
      expectRefusal(await send(client, { scope: 'openid', login_hint: 'alice' }), 'unauthorized_client');
    });

    it('a delivery mode the service does not support is unauthorized_client', async () => {
      const pollOnly = await newService(env, { supportedBackchannelTokenDeliveryModes: ['POLL'] });
      const client = await newClient(env, pollOnly.serviceId, { bcDeliveryMode: 'PING' });
      expectRefusal(await backchannel(env, pollOnly.serviceId, client, { scope: 'openid', login_hint: 'alice', client_notification_token: notificationToken() }), 'unauthorized_client');
    });

    it('a wrong secret is UNAUTHORIZED with invalid_client', async () => {
      expectRefusal(await send({ ...poll, clientSecret: 'wrong' }, { scope: 'openid', login_hint: 'alice' }), 'invalid_client', 'UNAUTHORIZED');
      expectRefusal(await send({ ...poll, clientId: '99999999999' }, { scope: 'openid', login_hint: 'alice' }), 'invalid_client', 'UNAUTHORIZED');
    });

    it('no credentials at all is UNAUTHORIZED', async () => {
      const answer = await env.sdk.ciba.processAuthentication({ serviceId: sid(), backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice' } });
      expectRefusal(answer, 'invalid_client', 'UNAUTHORIZED');
      const idOnly = await env.sdk.ciba.processAuthentication({ serviceId: sid(), backchannelAuthenticationRequest: { parameters: `scope=openid&login_hint=alice&client_id=${poll.clientId}` } });
      expectRefusal(idOnly, 'invalid_client', 'UNAUTHORIZED');
    });

    it('a public client is UNAUTHORIZED', async () => {
      const client = await newClient(env, sid(), { clientType: 'PUBLIC' });
      const answer = await env.sdk.ciba.processAuthentication({
        serviceId: sid(),
        backchannelAuthenticationRequest: { parameters: `scope=openid&login_hint=alice&client_id=${client.clientId}` },
      });
      expectRefusal(answer, 'invalid_client', 'UNAUTHORIZED');
    });

    it('a client_secret_post client authenticates in the body, not with Basic', async () => {
      const client = await newClient(env, sid(), { tokenAuthMethod: 'CLIENT_SECRET_POST' });
      const answer = await env.sdk.ciba.processAuthentication({
        serviceId: sid(),
        backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice', client_id: client.clientId, client_secret: client.clientSecret }) },
      });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.clientAuthMethod).toBe('CLIENT_SECRET_POST');
      expect(answer.clientId).toBe(Number(client.clientId));
      expectRefusal(await send(client, { scope: 'openid', login_hint: 'alice' }), 'invalid_client', 'UNAUTHORIZED');
    });

    describe('private_key_jwt', () => {
      let client: TestClient;
      const withAssertion = (assertion: string, extra: Record<string, string> = {}) =>
        env.sdk.ciba.processAuthentication({
          serviceId: sid(),
          backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice', client_assertion_type: jwtBearerType, client_assertion: assertion, ...extra }) },
        });

      beforeAll(async () => {
        client = await newClient(env, sid(), { tokenAuthMethod: 'PRIVATE_KEY_JWT', tokenAuthSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key.publicJwk] }) });
      });

      it.each([
        ['the issuer', () => service.issuer],
        ['the token endpoint', () => service.tokenEndpoint],
        ['the backchannel authentication endpoint', () => service.backchannelEndpoint],
      ])('accepts an assertion whose aud is %s', async (_name, aud) => {
        const answer = await withAssertion(await clientAssertion(env, key, client.clientId, aud()));
        expect(answer.action).toBe('USER_IDENTIFICATION');
        expect(answer.clientAuthMethod).toBe('PRIVATE_KEY_JWT');
        expect(answer.clientId).toBe(Number(client.clientId));
      });

      it('refuses another aud, a replayed assertion, and a key the client did not register', async () => {
        expectRefusal(await withAssertion(await clientAssertion(env, key, client.clientId, 'https://other.example.com')), 'invalid_client', 'UNAUTHORIZED');
        const once = await clientAssertion(env, key, client.clientId, service.issuer);
        expect((await withAssertion(once)).action).toBe('USER_IDENTIFICATION');
        expectRefusal(await withAssertion(once), 'invalid_client', 'UNAUTHORIZED');
        const stranger = await keyPair('PS256', key.kid);
        expectRefusal(await withAssertion(await clientAssertion(env, stranger, client.clientId, service.issuer)), 'invalid_client', 'UNAUTHORIZED');
      });

      it('refuses a client secret from a private_key_jwt client', async () => {
        expectRefusal(await send(client, { scope: 'openid', login_hint: 'alice' }), 'invalid_client', 'UNAUTHORIZED');
      });
    });
  });

  describe('the USER_IDENTIFICATION answer on the wire', () => {
    it('carries every field of reference §3 that applies, and no null', async () => {
      const token = notificationToken(40);
      const parameters = form({
        scope: 'openid profile email',
        login_hint: 'alice@example.com',
        binding_message: 'W4SCT',
        user_code: '4711',
        requested_expiry: '120',
        acr_values: 'urn:example:acr:1',
        resource: 'https://rs.example.com/',
        authorization_details: '[{"type":"account_information","actions":["read"],"locations":["https://rs.example.com/"]}]',
        client_notification_token: token,
      });
      const raw = await rawPost(env, `/api/${rich.serviceId}/backchannel/authentication`, { parameters, clientId: richClient.clientId, clientSecret: richClient.clientSecret });
      expect(raw.status).toBe(200);
      expect(raw.headers.get('cache-control')).toBe('no-store');
      expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
      expect(containsNull(raw.json)).toBe(false);
      expect(raw.text).not.toContain('null');
      const a = raw.json as Record<string, any>;
      expect(a.action).toBe('USER_IDENTIFICATION');
      expect(a.resultCode).toBe('A179001');
      expect(a.resultMessage).toMatch(/^\[A179001\] /);
      expect(typeof a.ticket).toBe('string');
      expect(a.ticket.length).toBeGreaterThanOrEqual(32);
      expect(a.clientId).toBe(Number(richClient.clientId));
      expect(a.clientIdAlias).toBe(richClient.clientId);
      expect(a.clientIdAliasUsed).toBe(false);
      expect(a.clientName).toBe('Rich client');
      expect(a.clientAuthMethod).toBe('CLIENT_SECRET_BASIC');
      expect(a.deliveryMode).toBe('PING');
      expect(a.scopes.map((s: { name: string }) => s.name)).toEqual(['openid', 'profile', 'email']);
      expect(a.claimNames).toEqual(expect.arrayContaining(['name', 'given_name', 'email', 'email_verified']));
      expect(a.hintType).toBe('LOGIN_HINT');
      expect(a.hint).toBe('alice@example.com');
      expect(a).not.toHaveProperty('sub');
      expect(a.bindingMessage).toBe('W4SCT');
      expect(a.userCode).toBe('4711');
      expect(a.userCodeRequired).toBe(true);
      expect(a.requestedExpiry).toBe(120);
      expect(a.clientNotificationToken).toBe(token);
      expect(a.resources).toEqual(['https://rs.example.com/']);
      expect(a.authorizationDetails.elements[0]).toMatchObject({ type: 'account_information', actions: ['read'], locations: ['https://rs.example.com/'] });
      expect(a).not.toHaveProperty('responseContent');
      expect(a.acrs).toEqual(['urn:example:acr:1']);
    });

    it('refusals carry no null either, and requestedExpiry is 0 when absent', async () => {
      const refused = await rawPost(env, `/api/${sid()}/backchannel/authentication`, { parameters: 'scope=profile&login_hint=alice', clientId: poll.clientId, clientSecret: poll.clientSecret });
      expect(refused.status).toBe(200);
      expect(refused.json.action).toBe('BAD_REQUEST');
      expect(refused.text).not.toContain('null');
      const unauthorized = await rawPost(env, `/api/${sid()}/backchannel/authentication`, { parameters: 'scope=openid&login_hint=alice', clientId: poll.clientId, clientSecret: 'x' });
      expect(unauthorized.json.action).toBe('UNAUTHORIZED');
      expect(unauthorized.text).not.toContain('null');
      const ok = await rawPost(env, `/api/${sid()}/backchannel/authentication`, { parameters: 'scope=openid&login_hint=alice', clientId: poll.clientId, clientSecret: poll.clientSecret });
      expect(ok.json.action).toBe('USER_IDENTIFICATION');
      expect(ok.json.requestedExpiry).toBe(0);
      expect(ok.json.deliveryMode).toBe('POLL');
      expect(ok.json).not.toHaveProperty('clientNotificationToken');
      expect(ok.text).not.toContain('null');
    });
  });
});
