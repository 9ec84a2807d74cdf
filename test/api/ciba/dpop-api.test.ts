import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/test-server.js';
import { CIBA_GRANT, complete, content, form, newClient, newService, rawPost, startCiba, startFlow, type CibaEnv, type TestClient, type TestService } from '../../support/ciba-fixtures.js';
import { dpopKey, hmacProof, proof, rsaPrivateJwk, type DpopKey } from '../../support/dpop.js';

/** DPoP (RFC 9449) through the official Authlete SDK: /auth/token, /auth/introspection, /auth/userinfo. */
describe.each(DIALECTS)('DPoP-bound tokens on the Authlete API (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let client: TestClient;
  let key: DpopKey;
  const resource = 'https://rs.example.com/accounts';

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    client = await newClient(env, service.serviceId, { grantTypes: ['CIBA', 'REFRESH_TOKEN'] } as never);
    key = await dpopKey();
  });
  afterAll(() => env?.close());

  const sid = () => service.serviceId;
  const now = () => env.clock.now();
  const tokenProof = (k = key, extra: Partial<Parameters<typeof proof>[1]> = {}) => proof(k, { htu: service.tokenEndpoint, nowMs: now(), ...extra });

  async function authorizedFlow(c = client) {
    const flow = await startFlow(env, sid(), c);
    expect((await complete(env, sid(), flow.ticket, 'AUTHORIZED')).action).toBe('NO_ACTION');
    return flow;
  }
  const poll = (c: TestClient, authReqId: string, dpop?: string, extra: Record<string, unknown> = {}) =>
    env.sdk.token.process({
      serviceId: sid(),
      tokenRequest: { parameters: form({ grant_type: CIBA_GRANT, auth_req_id: authReqId }), clientId: c.clientId, clientSecret: c.clientSecret, ...(dpop ? { dpop } : {}), ...extra },
    });
  const introspect = (token: string, extra: Record<string, unknown> = {}) => env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token, ...extra } });
  const standard = async (token: string) =>
    JSON.parse(String((await env.sdk.introspection.standardProcess({ serviceId: sid(), standardIntrospectionRequest: { parameters: form({ token }) } })).responseContent));

  async function dpopTokens() {
    const flow = await authorizedFlow();
    const answer = await poll(client, flow.authReqId, await tokenProof());
    expect(answer.action).toBe('OK');
    return { answer, body: content(answer) };
  }

  it('binds the CIBA tokens to the proof key: token_type DPoP, cnf.jkt in introspection', async () => {
    const { answer, body } = await dpopTokens();
    expect(body.token_type).toBe('DPoP');
    const standardAnswer = await standard(String(answer.accessToken));
    expect(standardAnswer).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: await calculateJwkThumbprint(key.publicJwk) } });
  });

  it('a resource checks the proof: right key, ath, htm and htu; a replay, a missing proof or another key are refused', async () => {
    const { answer } = await dpopTokens();
    const token = String(answer.accessToken);
    const good = await proof(key, { htm: 'GET', htu: resource, nowMs: now(), accessToken: token });
    const ok = await introspect(token, { dpop: good, htm: 'GET', htu: `${resource}?page=2` });
    expect(ok.action).toBe('OK');
    expect(ok.usable).toBe(true);

    const replayed = await introspect(token, { dpop: good, htm: 'GET', htu: resource });
    expect(replayed.action).toBe('UNAUTHORIZED');
    expect(replayed.responseContent).toMatch(/^DPoP error="invalid_dpop_proof".*algs="ES256 /);

    const asBearer = await introspect(token);
    expect(asBearer.action).toBe('UNAUTHORIZED');
    expect(asBearer.usable).toBe(false);
    expect(asBearer.responseContent).toMatch(/^DPoP error="invalid_token"/);

    const otherKey = await dpopKey();
    const stranger = await introspect(token, { dpop: await proof(otherKey, { htm: 'GET', htu: resource, nowMs: now(), accessToken: token }), htm: 'GET', htu: resource });
    expect(stranger.action).toBe('UNAUTHORIZED');
    expect(stranger.responseContent).toMatch(/^DPoP error="invalid_token"/);

    const wrongAth = await introspect(token, { dpop: await proof(key, { htm: 'GET', htu: resource, nowMs: now(), accessToken: 'another-token' }), htm: 'GET', htu: resource });
    expect(wrongAth.responseContent).toMatch(/^DPoP error="invalid_dpop_proof"/);
    const noAth = await introspect(token, { dpop: await proof(key, { htm: 'GET', htu: resource, nowMs: now() }), htm: 'GET', htu: resource });
    expect(noAth.responseContent).toMatch(/^DPoP error="invalid_dpop_proof"/);
    const wrongHtm = await introspect(token, { dpop: await proof(key, { htm: 'POST', htu: resource, nowMs: now(), accessToken: token }), htm: 'GET', htu: resource });
    expect(wrongHtm.responseContent).toMatch(/^DPoP error="invalid_dpop_proof"/);
    // No htu: the resource server did not say where it was called, so nothing can match.
    const noHtu = await introspect(token, { dpop: await proof(key, { htm: 'GET', htu: resource, nowMs: now(), accessToken: token }), htm: 'GET' });
    expect(noHtu.action).toBe('UNAUTHORIZED');
  });

  it('/auth/userinfo checks the proof against the userinfo endpoint by default', async () => {
    const { answer } = await dpopTokens();
    const token = String(answer.accessToken);
    const userInfoEndpoint = `${service.issuer}/userinfo`;
    const withProof = await env.sdk.userinfo.process({ serviceId: sid(), userinfoRequest: { token, dpop: await proof(key, { htm: 'GET', htu: userInfoEndpoint, nowMs: now(), accessToken: token }) } });
    expect(withProof.action).toBe('OK');
    const without = await env.sdk.userinfo.process({ serviceId: sid(), userinfoRequest: { token } });
    expect(without.action).toBe('UNAUTHORIZED');
    expect(without.responseContent).toMatch(/^DPoP error="invalid_token"/);
  });

  it('hostile proofs at /auth/token get invalid_dpop_proof, never tokens or a 500', async () => {
    const flow = await authorizedFlow();
    const forger = await dpopKey();
    const nowS = Math.floor(now() / 1000);
    const replay = await tokenProof();
    const first = await poll(client, (await authorizedFlow()).authReqId, replay);
    expect(first.action).toBe('OK');
    const cases: Record<string, string> = {
      'forged signature': await proof(forger, { htu: service.tokenEndpoint, nowMs: now(), header: { jwk: key.publicJwk } }),
      'too old': await tokenProof(key, { iat: nowS - 121 }),
      'in the future': await tokenProof(key, { iat: nowS + 31 }),
      'replayed jti': replay,
      'wrong htu': await tokenProof(key, { htu: 'https://evil.example.com/token' }),
      'wrong htm': await tokenProof(key, { htm: 'GET' }),
      'HMAC-signed': await hmacProof({ htu: service.tokenEndpoint, nowMs: now() }),
      'private key in jwk': await tokenProof(key, { header: { jwk: key.privateJwk } }),
      'RSA private key in jwk': await tokenProof(key, { header: { jwk: rsaPrivateJwk() } }),
      'missing typ': await tokenProof(key, { omitTyp: true }),
      'typ JWT': await tokenProof(key, { header: { typ: 'JWT' } }),
      'no jwk': await tokenProof(key, { header: { jwk: undefined } }),
      'iat as a string': await tokenProof(key, { claims: { iat: String(nowS) as never } }),
      'no jti': await tokenProof(key, { claims: { jti: undefined } }),
      'oversized jti': await tokenProof(key, { jti: 'j'.repeat(600) }),
      garbage: 'not.a.jwt',
      oversized: `${'a'.repeat(9000)}.b.c`,
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`,
    };
    for (const [name, dpop] of Object.entries(cases)) {
      const answer = await poll(client, flow.authReqId, dpop);
      expect(answer.action, name).toBe('BAD_REQUEST');
      expect(content(answer).error, name).toBe('invalid_dpop_proof');
    }
    // The iat window edges are accepted.
    expect((await poll(client, flow.authReqId, await tokenProof(key, { iat: nowS - 120 }))).action).toBe('OK');
  });

  it('wrongly typed or huge DPoP fields on the raw API are refused, never a 500', async () => {
    const flow = await authorizedFlow();
    const body = (extra: Record<string, unknown>) => ({ parameters: form({ grant_type: CIBA_GRANT, auth_req_id: flow.authReqId }), clientId: client.clientId, clientSecret: client.clientSecret, ...extra });
    for (const extra of [{ dpop: { alg: 'none' } }, { dpop: ['a', 'b'] }, { htu: { href: 'x' } }, { dpopNonceRequired: 'maybe' }]) {
      const answer = await rawPost(env, `/api/${sid()}/auth/token`, body(extra));
      expect(answer.status, JSON.stringify(extra)).toBe(400);
    }
    const huge = await rawPost(env, `/api/${sid()}/auth/token`, body({ dpop: 'x'.repeat(200_000) }));
    expect(huge.status).toBeLessThan(500);
    const bogusHtu = await poll(client, flow.authReqId, await tokenProof(), { htu: 'not a uri' });
    expect(content(bogusHtu).error).toBe('invalid_dpop_proof');
    for (const extra of [{ dpop: 'x'.repeat(200_000) }, { dpop: '..' }, { clientCertificate: '-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----' }]) {
      const answer = await introspect('unknown-token', extra);
      expect(answer.action).toBe('UNAUTHORIZED');
    }
  });

  it('dpopRequired: a token request without a proof is refused', async () => {
    const strict = await newClient(env, sid(), { dpopRequired: true } as never);
    const flow = await authorizedFlow(strict);
    const refused = await poll(strict, flow.authReqId);
    expect(refused.action).toBe('BAD_REQUEST');
    expect(content(refused).error).toBe('invalid_dpop_proof');
    expect(content(await poll(strict, flow.authReqId, await tokenProof())).token_type).toBe('DPoP');
  });

  it('nonces: use_dpop_nonce with a nonce, accepted on retry, refused once stale or when meant for resources', async () => {
    const flow = await authorizedFlow();
    const demanded = await poll(client, flow.authReqId, await tokenProof(), { dpopNonceRequired: true });
    expect(demanded.action).toBe('BAD_REQUEST');
    expect(content(demanded).error).toBe('use_dpop_nonce');
    const nonce = String(demanded.dpopNonce);
    expect(nonce.length).toBeGreaterThan(20);

    // A resource nonce is not a token-endpoint nonce.
    const { answer } = await dpopTokens();
    const resourceDemand = await introspect(String(answer.accessToken), {
      dpop: await proof(key, { htm: 'GET', htu: resource, nowMs: now(), accessToken: String(answer.accessToken) }),
      htm: 'GET',
      htu: resource,
      dpopNonceRequired: true,
    });
    expect(resourceDemand.action).toBe('UNAUTHORIZED');
    expect(resourceDemand.responseContent).toMatch(/^DPoP error="use_dpop_nonce"/);
    const crossed = await poll(client, flow.authReqId, await tokenProof(key, { nonce: String(resourceDemand.dpopNonce) }), { dpopNonceRequired: true });
    expect(content(crossed).error).toBe('use_dpop_nonce');

    const granted = await poll(client, flow.authReqId, await tokenProof(key, { nonce }), { dpopNonceRequired: true });
    expect(granted.action).toBe('OK');
    expect(granted.dpopNonce).toBeTruthy();

    env.clock.advance(11 * 60_000);
    const later = await authorizedFlow();
    const stale = await poll(client, later.authReqId, await tokenProof(key, { nonce }), { dpopNonceRequired: true });
    expect(content(stale).error).toBe('use_dpop_nonce');
  });

  it('the service setting dpopNonceRequired demands nonces too', async () => {
    const strictService = await newService(env, {}, { dpopNonceRequired: true });
    const strictClient = await newClient(env, strictService.serviceId);
    const flow = await startFlow(env, strictService.serviceId, strictClient);
    await complete(env, strictService.serviceId, flow.ticket, 'AUTHORIZED');
    const answer = await env.sdk.token.process({
      serviceId: strictService.serviceId,
      tokenRequest: {
        parameters: form({ grant_type: CIBA_GRANT, auth_req_id: flow.authReqId }),
        clientId: strictClient.clientId,
        clientSecret: strictClient.clientSecret,
        dpop: await proof(key, { htu: strictService.tokenEndpoint, nowMs: now() }),
      },
    });
    expect(content(answer).error).toBe('use_dpop_nonce');
  });

  it('refresh: a confidential client may move to a new key; the new access token is bound to it', async () => {
    const { answer } = await dpopTokens();
    const next = await dpopKey('PS256');
    const refreshed = await env.sdk.token.process({
      serviceId: sid(),
      tokenRequest: { parameters: form({ grant_type: 'refresh_token', refresh_token: String(answer.refreshToken) }), clientId: client.clientId, clientSecret: client.clientSecret, dpop: await tokenProof(next) },
    });
    expect(refreshed.action).toBe('OK');
    expect(content(refreshed).token_type).toBe('DPoP');
    expect((await standard(String(refreshed.accessToken))).cnf).toEqual({ jkt: next.thumbprint });
  });
});
