import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/test-server.js';
import {
  clientAssertion,
  content,
  form,
  jwtBearerType,
  keyPair,
  newClient,
  newService,
  signJwt,
  startCiba,
  type CibaEnv,
  type KeyPair,
  type TestClient,
  type TestService,
} from '../../support/ciba-fixtures.js';

/**
 * Signed authentication requests (CIBA Core §7.1.1, FAPI-CIBA §5.2.2) sent through the API as the
 * conformance suite sends them (conformance §2.1, §2.2 modules 12–28 and 43).
 */
describe.each(DIALECTS)('signed backchannel authentication requests (request objects) (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let key1: KeyPair;
  let key2: KeyPair;
  let client1: TestClient;
  let client2: TestClient;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    [key1, key2] = await Promise.all([keyPair('PS256'), keyPair('PS256')]);
    client1 = await newClient(env, service.serviceId, { bcRequestSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key1.publicJwk] }) });
    client2 = await newClient(env, service.serviceId, { bcRequestSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key2.publicJwk] }) });
  });
  afterAll(() => env?.close());

  const now = () => Math.floor(env.clock.now() / 1000);

  /** The claims of the conformance suite's standard request object for client 1. */
  function claims(overrides: Record<string, unknown> = {}, omit: string[] = []): Record<string, unknown> {
    const t = now();
    const all: Record<string, unknown> = {
      scope: 'openid',
      login_hint: 'alice',
      binding_message: '1234',
      iat: t,
      nbf: t,
      exp: t + 300,
      jti: randomBytes(15).toString('base64url'),
      aud: service.issuer,
      iss: client1.clientId,
      ...overrides,
    };
    for (const name of omit) delete all[name];
    return all;
  }

  const send = (request: string, extra: Record<string, string> = {}, client = client1) =>
    env.sdk.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: { parameters: form({ request, ...extra }), clientId: client.clientId, clientSecret: client.clientSecret },
    });

  async function expectInvalidRequest(request: string, extra: Record<string, string> = {}) {
    const answer = await send(request, extra);
    expect(answer.action).toBe('BAD_REQUEST');
    expect(answer.ticket).toBeUndefined();
    expect(content(answer).error).toBe('invalid_request');
  }

  describe('a valid signed request', () => {
    it('gives USER_IDENTIFICATION with the request object parameters', async () => {
      const answer = await send(await signJwt(key1, claims()));
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.hintType).toBe('LOGIN_HINT');
      expect(answer.hint).toBe('alice');
      expect(answer.bindingMessage).toBe('1234');
      expect(answer.scopes?.map((s) => s.name)).toEqual(['openid']);
    });

    it('only the request object parameters count: the same parameters outside the JWT are ignored', async () => {
      const answer = await send(await signJwt(key1, claims()), { binding_message: 'OUTSIDE', scope: 'openid email', acr_values: 'urn:x', requested_expiry: '5' });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.bindingMessage).toBe('1234');
      expect(answer.scopes?.map((s) => s.name)).toEqual(['openid']);
      expect(answer.requestedExpiry ?? 0).toBe(0);

      const withoutMessage = await send(await signJwt(key1, claims({}, ['binding_message'])), { binding_message: 'OUTSIDE' });
      expect(withoutMessage.action).toBe('USER_IDENTIFICATION');
      expect(withoutMessage.bindingMessage).toBeUndefined();
    });

    it('a hint outside the JWT does not make up for a missing one inside', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['login_hint'])), { login_hint: 'alice' });
    });

    it('requested_expiry may be a JSON number or a string (conformance #3, #9)', async () => {
      const asNumber = await send(await signJwt(key1, claims({ requested_expiry: 300 })));
      expect(asNumber.action).toBe('USER_IDENTIFICATION');
      expect(asNumber.requestedExpiry).toBe(300);
      const asString = await send(await signJwt(key1, claims({ requested_expiry: '30' })));
      expect(asString.action).toBe('USER_IDENTIFICATION');
      expect(asString.requestedExpiry).toBe(30);
    });

    it('accepts typ "oauth-authz-req+jwt" in any case, and aud as an array with the issuer', async () => {
      const typed = await send(await signJwt(key1, claims(), { typ: 'OAuth-Authz-Req+JWT' }));
      expect(typed.action).toBe('USER_IDENTIFICATION');
      const arrayAud = await send(await signJwt(key1, claims({ aud: ['https://other.example.com', service.issuer] })));
      expect(arrayAud.action).toBe('USER_IDENTIFICATION');
    });

    it('works with private_key_jwt client authentication and no client_id parameter (conformance §2.1)', async () => {
      const keyClient = await newClient(env, service.serviceId, {
        tokenAuthMethod: 'PRIVATE_KEY_JWT',
        tokenAuthSignAlg: 'PS256',
        bcRequestSignAlg: 'PS256',
        jwks: JSON.stringify({ keys: [key1.publicJwk] }),
      });
      const request = await signJwt(key1, claims({ iss: keyClient.clientId }));
      const answer = await env.sdk.ciba.processAuthentication({
        serviceId: service.serviceId,
        backchannelAuthenticationRequest: {
          parameters: form({ request, client_assertion_type: jwtBearerType, client_assertion: await clientAssertion(env, key1, keyClient.clientId, service.issuer) }),
        },
      });
      expect(answer.action).toBe('USER_IDENTIFICATION');
      expect(answer.clientAuthMethod).toBe('PRIVATE_KEY_JWT');
    });

    it('a replayed request object (same jti) is invalid_request', async () => {
      const request = await signJwt(key1, claims());
      expect((await send(request)).action).toBe('USER_IDENTIFICATION');
      await expectInvalidRequest(request);
    });
  });

  describe('conformance modules: each must be 400 invalid_request', () => {
    it('#12 request object without aud', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['aud'])));
    });

    it('#13 request object with a foreign aud', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ aud: 'https://www.other1.example.com/' })));
    });

    it('#14 request object without iss', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['iss'])));
    });

    it("#15 iss is client 2's client_id, signed and authenticated as client 1", async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ iss: client2.clientId })));
    });

    it('#16 request object without exp', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['exp'])));
    });

    it('#17 exp an hour in the past', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ exp: now() - 3600 })));
    });

    it('#18 exp 70 minutes in the future (lifetime over 60 minutes)', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ exp: now() + 70 * 60, nbf: now() })));
    });

    it('#19 request object without iat', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['iat'])));
    });

    it('#20 request object without nbf', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['nbf'])));
    });

    it('#21 nbf 10 minutes in the future', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ nbf: now() + 600 })));
    });

    it('#22 nbf 70 minutes in the past, exp in 5 minutes', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ nbf: now() - 70 * 60, exp: now() + 300 })));
    });

    it('#23 request object without jti', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({}, ['jti'])));
    });

    it('#24 unsecured request object (alg none, empty signature)', async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      await expectInvalidRequest(`${encode({ alg: 'none' })}.${encode(claims())}.`);
      await expectInvalidRequest(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}`);
    });

    it('#25 signature bytes altered (XOR 0x5A)', async () => {
      const [h, p, s] = (await signJwt(key1, claims())).split('.') as [string, string, string];
      const bytes = Buffer.from(s, 'base64url').map((b) => b ^ 0x5a);
      await expectInvalidRequest(`${h}.${p}.${Buffer.from(bytes).toString('base64url')}`);
    });

    it("#26 signed RS256 with the client's RSA key while the client registered PS256", async () => {
      const rs256 = { ...key1, alg: 'RS256' as const, privateJwk: { ...key1.privateJwk, alg: 'RS256' } };
      await expectInvalidRequest(await signJwt(rs256, claims()));
    });

    it("#27 request object for client 1 signed with client 2's key", async () => {
      await expectInvalidRequest(await signJwt(key2, claims()));
      // Even when the header names client 1's kid.
      await expectInvalidRequest(await signJwt(key2, claims(), { kid: key1.kid }));
    });

    it('#28 both login_hint and login_hint_token inside the request object', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ login_hint: 'join@example.com', login_hint_token: 'xxxxxxxxxxxxxxxxxxxx' }, ['binding_message'])));
    });

    it('#43 unsigned request: every parameter as a plain form field', async () => {
      const answer = await env.sdk.ciba.processAuthentication({
        serviceId: service.serviceId,
        backchannelAuthenticationRequest: {
          parameters: form({ scope: 'openid', login_hint: 'alice', binding_message: '1234' }),
          clientId: client1.clientId,
          clientSecret: client1.clientSecret,
        },
      });
      expect(answer.action).toBe('BAD_REQUEST');
      expect(content(answer).error).toBe('invalid_request');
    });
  });

  describe('more malformed request objects', () => {
    it.each([
      ['not a JWT', 'garbage'],
      ['two segments', 'abc.def'],
      ['five segments (JWE)', 'a.b.c.d.e'],
      ['a non-base64url header', '%%%.e30.sig'],
    ])('%s is invalid_request', async (_name, value) => {
      await expectInvalidRequest(value);
    });

    it('an HS256 request object keyed with the client secret is invalid_request', async () => {
      const { SignJWT } = await import('jose');
      const jwt = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(client1.clientSecret));
      await expectInvalidRequest(jwt);
    });

    it('a request object naming another client in client_id, or nesting a request, is invalid_request', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ client_id: client2.clientId })));
      await expectInvalidRequest(await signJwt(key1, claims({ request: 'x.y.z' })));
    });

    it('a numeric-string exp is invalid_request', async () => {
      await expectInvalidRequest(await signJwt(key1, claims({ exp: String(now() + 300) })));
    });
  });

  // FAPI-CIBA §5.2.2 / FAPI 1 Advanced §5.2.2-13 (src/engine/backchannel/request-object-claims.ts):
  // exp at most 60 minutes after nbf, nbf at most 60 minutes in the past; the service's clock
  // skew widens the checks against the server's time, never the lifetime.
  describe('the 60-minute bounds at the boundary', () => {
    const SKEW = 60;
    let skewed: TestService;
    let skewedClient: TestClient;

    beforeAll(async () => {
      skewed = await newService(env, { allowableClockSkew: SKEW });
      skewedClient = await newClient(env, skewed.serviceId, { bcRequestSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key1.publicJwk] }) });
    });

    const sendSkewed = async (times: { nbf: number; exp: number }) =>
      env.sdk.ciba.processAuthentication({
        serviceId: skewed.serviceId,
        backchannelAuthenticationRequest: {
          parameters: form({ request: await signJwt(key1, claims({ aud: skewed.issuer, iss: skewedClient.clientId, iat: times.nbf, ...times })) }),
          clientId: skewedClient.clientId,
          clientSecret: skewedClient.clientSecret,
        },
      });

    it('a lifetime (exp − nbf) of exactly 60 minutes is accepted; 60 minutes and 1 s is refused', async () => {
      const t = now();
      expect((await send(await signJwt(key1, claims({ nbf: t, exp: t + 3600 })))).action).toBe('USER_IDENTIFICATION');
      const longer = await send(await signJwt(key1, claims({ nbf: t, exp: t + 3601 })));
      expect(longer.action).toBe('BAD_REQUEST');
      expect(content(longer).error).toBe('invalid_request');
      expect(content(longer).error_description).toContain("lifetime ('exp' minus 'nbf') exceeds 60 minutes");
      // The skew does not stretch the lifetime.
      const skewedLonger = await sendSkewed({ nbf: t, exp: t + 3601 });
      expect(content(skewedLonger).error_description).toContain('exceeds 60 minutes');
    });

    it('an nbf exactly 60 minutes old is accepted while exp is within the skew; older is refused', async () => {
      const t = now();
      const atBound = await sendSkewed({ nbf: t - 3600, exp: t });
      expect(atBound.action).toBe('USER_IDENTIFICATION');
      // One second older, with the longest lifetime allowed: exp is then 1 s past too, still within the skew.
      expect((await sendSkewed({ nbf: t - 3601, exp: t - 1 })).action).toBe('USER_IDENTIFICATION');
      // Older than 60 minutes plus the skew: refused. With a lifetime of at most 60 minutes, exp
      // has then passed by the skew as well, so the expiry check is the one that answers.
      const older = await sendSkewed({ nbf: t - 3600 - SKEW, exp: t - SKEW });
      expect(older.action).toBe('BAD_REQUEST');
      expect(content(older).error).toBe('invalid_request');
      expect(content(older).error_description).toContain('expired');
      // Without a skew, an nbf 60 minutes old leaves no room: exp (at most nbf + 60 min) is now.
      const unskewed = await send(await signJwt(key1, claims({ nbf: t - 3600, iat: t - 3600, exp: t })));
      expect(content(unskewed).error_description).toContain('expired');
    });
  });
});
