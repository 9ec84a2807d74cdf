import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedTokens, clientAssertion, rawPost, jwtBearerType, keyPair, newClient, newService, startCiba,
  type CibaEnv, type TestClient, type TestService,
} from '../support/ciba-fixtures.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { DIALECTS } from '../support/test-server.js';

// Issue 12, finding 5: the front's /introspect. Each attack the review made comes first.

const RESOURCE_SERVER = { attributes: [{ key: 'openciba.resource_server', value: 'true' }] };

describe.each(DIALECTS)('the front\'s /introspect: who may introspect what (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let owner: TestClient;
  let other: TestClient;
  let postClient: TestClient;
  let resourceServer: TestClient;
  let accessToken: string;
  let refreshToken: string;
  let url: string;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    url = `${service.issuer}/introspect`;
    owner = await newClient(env, service.serviceId);
    other = await newClient(env, service.serviceId);
    postClient = await newClient(env, service.serviceId, { tokenAuthMethod: 'CLIENT_SECRET_POST' } as never);
    resourceServer = await newClient(env, service.serviceId, RESOURCE_SERVER as never);
    const { body } = await approvedTokens(env, service.serviceId, owner, {}, { scope: 'openid email' });
    accessToken = body.access_token;
    refreshToken = body.refresh_token;
  });
  afterAll(() => env?.close());

  const introspect = (form: Record<string, string>, headers: Record<string, string> = {}) => postForm(url, form, headers);

  it('another client of the service learns nothing of the token: active false and no other member', async () => {
    for (const token of [accessToken, refreshToken]) {
      const answer = await introspect({ token }, basicAuth(other.clientId, other.clientSecret));
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toEqual({ active: false });
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('the owner sees its token; token_type is Bearer for the access token and absent for the refresh token', async () => {
    const access = await introspect({ token: accessToken }, basicAuth(owner.clientId, owner.clientSecret));
    expect(access.json).toMatchObject({ active: true, client_id: owner.clientId, sub: 'alice-subject', scope: 'openid email', token_type: 'Bearer' });
    const refresh = await introspect({ token: refreshToken, token_type_hint: 'refresh_token' }, basicAuth(owner.clientId, owner.clientSecret));
    expect(refresh.json).toMatchObject({ active: true, client_id: owner.clientId });
    expect(refresh.json).not.toHaveProperty('token_type');
  });

  it('a client with the resource-server attribute sees every token of the service', async () => {
    const answer = await introspect({ token: accessToken }, basicAuth(resourceServer.clientId, resourceServer.clientSecret));
    expect(answer.json).toMatchObject({ active: true, client_id: owner.clientId, sub: 'alice-subject' });
  });

  it('a client_secret_basic client may not send its secret in the form', async () => {
    const answer = await introspect({ token: accessToken, client_id: owner.clientId, client_secret: owner.clientSecret });
    expect(answer.status, answer.text).toBe(401);
    expect(answer.json.error).toBe('invalid_client');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(answer.json.active).toBeUndefined();
  });

  it('Basic credentials plus a form client_secret (right or wrong) use two methods and are refused', async () => {
    for (const secret of ['wrong', owner.clientSecret]) {
      const answer = await introspect({ token: accessToken, client_secret: secret }, basicAuth(owner.clientId, owner.clientSecret));
      // RFC 6749 §5.2 names this invalid_request: "utilizes more than one mechanism for authenticating the client".
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.error).toBe('invalid_request');
      expect(answer.json.active).toBeUndefined();
    }
  });

  it('a client_secret_post client authenticates in the form, and not with Basic', async () => {
    const form = await introspect({ token: accessToken, client_id: postClient.clientId, client_secret: postClient.clientSecret });
    expect(form.status, form.text).toBe(200);
    expect(form.json).toEqual({ active: false });
    const basic = await introspect({ token: accessToken }, basicAuth(postClient.clientId, postClient.clientSecret));
    expect(basic.status).toBe(401);
  });

  it('a private_key_jwt client authenticates with an assertion for the introspection endpoint', async () => {
    const key = await keyPair('ES256');
    const jwtClient = await newClient(env, service.serviceId, { tokenAuthMethod: 'PRIVATE_KEY_JWT', jwks: JSON.stringify({ keys: [key.publicJwk] }), ...RESOURCE_SERVER } as never);
    const assertion = await clientAssertion(env, key, jwtClient.clientId, url);
    const answer = await introspect({ token: accessToken, client_assertion_type: jwtBearerType, client_assertion: assertion });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ active: true });
    // The assertion is single-use here as everywhere.
    expect((await introspect({ token: accessToken, client_assertion_type: jwtBearerType, client_assertion: assertion })).status).toBe(401);
  });

  it('supportedIntrospectionAuthMethods is the list at /introspect', async () => {
    const narrow = await newService(env, {}, { supportedIntrospectionAuthMethods: ['PRIVATE_KEY_JWT'] });
    const client = await newClient(env, narrow.serviceId);
    const answer = await postForm(`${narrow.issuer}/introspect`, { token: 'x' }, basicAuth(client.clientId, client.clientSecret));
    expect(answer.status, answer.text).toBe(401);
    expect(answer.json.error).toBe('invalid_client');
  });

  it('a locked client, a wrong secret, an unknown client and no credentials are 401 invalid_client', async () => {
    const locked = await newClient(env, service.serviceId, { locked: true, ...RESOURCE_SERVER } as never);
    const attempts: Record<string, string>[] = [
      basicAuth(locked.clientId, locked.clientSecret),
      basicAuth(owner.clientId, 'x'.repeat(86)),
      basicAuth('99999999999999', owner.clientSecret),
      basicAuth('no-such-alias', owner.clientSecret),
      {},
    ];
    for (const headers of attempts) {
      const answer = await introspect({ token: accessToken }, headers);
      expect(answer.status, answer.text).toBe(401);
      expect(answer.json.error).toBe('invalid_client');
      expect(answer.json.active).toBeUndefined();
    }
  });

  it('hostile input: malformed Basic, repeated parameters, an oversized token, a missing token', async () => {
    const owned = basicAuth(owner.clientId, owner.clientSecret);
    const malformed = await introspect({ token: accessToken }, { authorization: 'Basic !!!' });
    expect(malformed.status).toBe(401);
    const noColon = await introspect({ token: accessToken }, { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` });
    expect(noColon.status).toBe(401);
    const badEscape = await introspect({ token: accessToken }, { authorization: `Basic ${Buffer.from('%zz:%zz').toString('base64')}` });
    expect(badEscape.status).toBe(401);
    const repeated = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...owned },
      body: `token=${accessToken}&client_id=${owner.clientId}&client_id=${other.clientId}`,
    });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
    const oversized = await introspect({ token: 'a'.repeat(5000) }, owned);
    expect(oversized.status, oversized.text).toBe(200);
    expect(oversized.json).toEqual({ active: false });
    const missing = await introspect({}, owned);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('invalid_request');
    // Another client's identifier in the form beside Basic names two clients.
    const twoClients = await introspect({ token: accessToken, client_id: other.clientId }, owned);
    expect(twoClients.status).toBe(401);
  });

  it('the resource-server attribute must be "true" or "false", once', async () => {
    for (const attributes of [
      [{ key: 'openciba.resource_server', value: 'yes' }],
      [{ key: 'openciba.resource_server', value: 'true' }, { key: 'openciba.resource_server', value: 'false' }],
    ]) {
      const created = await env.admin.createClient(service.serviceId, { attributes }).catch((e: Error) => e);
      expect(created).toBeInstanceOf(Error);
      expect(String(created)).toMatch(/400/);
      expect(String(created)).toMatch(/openciba\.resource_server/);
    }
  });

  it('the API without clientAuthenticationRequired answers as Authlete does (no caller check, resultCode A145001)', async () => {
    const answer = await env.sdk.introspection.standardProcess({ serviceId: service.serviceId, standardIntrospectionRequest: { parameters: `token=${accessToken}` } });
    expect(answer.action).toBe('OK');
    expect(answer.resultCode).toBe('A145001');
    expect(JSON.parse(String(answer.responseContent))).toMatchObject({ active: true, token_type: 'Bearer' });
  });

  it('over the HTTP API, clientAuthenticationRequired with the relayed credentials authenticates (as a remote front calls it)', async () => {
    const call = (clientSecret: string) =>
      rawPost(env, `/api/${service.serviceId}/auth/introspection/standard`, { parameters: `token=${accessToken}`, clientAuthenticationRequired: true, clientId: owner.clientId, clientSecret });
    const ok = await call(owner.clientSecret);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ action: 'OK', resultCode: 'A145002' });
    expect(JSON.parse(ok.json.responseContent)).toMatchObject({ active: true });
    const wrong = await call('x'.repeat(86));
    expect(wrong.json).toMatchObject({ action: 'INVALID_CLIENT', resultCode: 'A145302' });
    expect(JSON.parse(wrong.json.responseContent).error).toBe('invalid_client');
  });
});
