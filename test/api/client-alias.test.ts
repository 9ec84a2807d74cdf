import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthleteDefaultError } from '@authlete/typescript-sdk/models/errors';
import {
  backchannel, complete, content, defaultParams, newClient, newService, rawPost, startCiba, tokenRequest,
  type CibaEnv, type TestClient, type TestService,
} from '../support/ciba-fixtures.js';
import { CIBA_GRANT } from '../support/ciba-fixtures.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS } from '../support/test-server.js';
import { startFlow, verifyIdToken } from '../support/ciba-fixtures.js';

describe('custom client id aliases (clientIdAlias presented as client_id)', () => {
  let env: CibaEnv;
  let service: TestService;
  let byId: TestClient;
  let byAlias: TestClient;
  let accessToken: string;

  beforeAll(async () => {
    env = await startCiba();
    service = await newService(env, { backchannelPollingInterval: 1 });
    byId = await newClient(env, service.serviceId, { clientIdAlias: 'my-app' });
    byAlias = { ...byId, clientId: 'my-app' };
  });
  afterAll(() => env?.close());

  it('the alias authenticates at /backchannel/authentication and /auth/token, and the answers say it was used', async () => {
    const client = await env.sdk.client.get({ serviceId: service.serviceId, clientId: byId.clientId });
    expect(client.clientIdAlias).toBe('my-app');

    const started = await backchannel(env, service.serviceId, byAlias, defaultParams(byAlias));
    expect(started).toMatchObject({ action: 'USER_IDENTIFICATION', clientId: Number(byId.clientId), clientIdAlias: 'my-app', clientIdAliasUsed: true });
    const byNumber = await backchannel(env, service.serviceId, byId, defaultParams(byId));
    expect(byNumber).toMatchObject({ action: 'USER_IDENTIFICATION', clientIdAliasUsed: false });

    const issued = await env.sdk.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket: String(started.ticket) } });
    await complete(env, service.serviceId, String(started.ticket), 'AUTHORIZED');
    const tokens = await tokenRequest(env, service.serviceId, byAlias, { grant_type: CIBA_GRANT, auth_req_id: String(issued.authReqId) });
    expect(tokens.action).toBe('OK');
    expect(tokens.clientId).toBe(Number(byId.clientId));
    expect(tokens.clientIdAliasUsed).toBe(true);
    accessToken = content(tokens).access_token;
    expect(accessToken).toEqual(expect.any(String));
  });

  it('the client APIs and the front\'s introspection endpoint take the alias too', async () => {
    const got = await env.sdk.client.get({ serviceId: service.serviceId, clientId: 'my-app' });
    expect(got.clientId).toBe(Number(byId.clientId));
    const unknown = await env.sdk.client.get({ serviceId: service.serviceId, clientId: 'no-such-app' }).catch((e: unknown) => e);
    // A 404, which the SDK hands over untyped, with the standard error body.
    expect(unknown).toBeInstanceOf(AuthleteDefaultError);
    expect((unknown as AuthleteDefaultError).statusCode).toBe(404);
    expect(JSON.parse((unknown as AuthleteDefaultError).body)).toEqual({ resultCode: 'A001206', resultMessage: '[A001206] /client/get/no-such-app, The client (ID = no-such-app) does not exist.' });

    const introspected = await postForm(`${service.issuer}/introspect`, { token: accessToken }, basicAuth('my-app', byId.clientSecret));
    expect(introspected.status, introspected.text).toBe(200);
    // The flow began with the alias, so RFC 7662's client_id is the alias (Authlete's clientIdAliasUsed rule).
    expect(introspected.json).toMatchObject({ active: true, client_id: 'my-app' });
    const wrong = await postForm(`${service.issuer}/introspect`, { token: accessToken }, basicAuth('my-app', 'x'.repeat(86)));
    expect(wrong.status).toBe(401);
  });

  it('an unknown alias or a wrong secret with the alias is a failed client authentication', async () => {
    const unknown = await backchannel(env, service.serviceId, { ...byAlias, clientId: 'other-app' }, defaultParams(byAlias));
    expect(unknown.action).toBe('UNAUTHORIZED');
    const wrong = await backchannel(env, service.serviceId, { ...byAlias, clientSecret: 'x'.repeat(86) }, defaultParams(byAlias));
    expect(wrong.action).toBe('UNAUTHORIZED');
  });

  it('an alias is one client\'s within a service; it may repeat in another service', async () => {
    const taken = await rawPost(env, `/api/${service.serviceId}/client/create`, { clientName: 'second', clientIdAlias: 'my-app' });
    expect(taken.status).toBe(400);
    expect(taken.json.resultMessage).toMatch(/already used/);
    expect(taken.headers.get('cache-control')).toBe('no-store');
    const other = await newService(env);
    const elsewhere = await newClient(env, other.serviceId, { clientIdAlias: 'my-app' });
    expect((await env.sdk.client.get({ serviceId: other.serviceId, clientId: elsewhere.clientId })).clientIdAlias).toBe('my-app');
  });

  it('hostile names in client API paths are JSON 404s, never a 500', async () => {
    for (const name of ['%00', `${'x'.repeat(300)}`, 'a%20b', '%F0%9F%98%80', '..%2F..%2Fservice']) {
      for (const [method, path] of [['GET', 'get'], ['POST', 'update'], ['DELETE', 'delete']] as const) {
        const response = await request(`${env.server.baseUrl}/api/${service.serviceId}/client/${path}/${name}`, {
          method,
          headers: { ...bearer(env.server.adminToken), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(method === 'POST' ? { body: JSON.stringify({ clientName: 'x' }) } : {}),
        });
        expect([400, 404], `${method} ${name} ${response.status} ${response.text.slice(0, 120)}`).toContain(response.status);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(typeof response.json.resultMessage).toBe('string');
      }
    }
  });

  it('refuses aliases that could not be told from ids or presented as client_id', async () => {
    for (const clientIdAlias of ['12345', 'has space', 'x'.repeat(256), '']) {
      const refused = await rawPost(env, `/api/${service.serviceId}/client/create`, { clientName: 'bad', clientIdAlias });
      expect(refused.status, JSON.stringify(clientIdAlias)).toBe(400);
      expect(refused.json.resultCode).toEqual(expect.any(String));
    }
  });

  it('renaming the alias frees the old one at once', async () => {
    const second = await newClient(env, service.serviceId, { clientName: 'second' });
    const updated = await env.sdk.client.update({ serviceId: service.serviceId, clientId: byId.clientId, client: { clientName: 'ciba test client', bcDeliveryMode: 'POLL', clientIdAlias: 'renamed' } });
    expect(updated.clientIdAlias).toBe('renamed');
    expect((await backchannel(env, service.serviceId, byAlias, defaultParams(byAlias))).action).toBe('UNAUTHORIZED');
    expect((await backchannel(env, service.serviceId, { ...byId, clientId: 'renamed' }, defaultParams(byId))).action).toBe('USER_IDENTIFICATION');

    const moved = await rawPost(env, `/api/${service.serviceId}/client/update/${second.clientId}`, { clientName: 'second', bcDeliveryMode: 'POLL', clientIdAlias: 'my-app' });
    expect(moved.status).toBe(200);
    expect((await backchannel(env, service.serviceId, { ...second, clientId: 'my-app' }, defaultParams(second))).clientId).toBe(Number(second.clientId));
    const clash = await rawPost(env, `/api/${service.serviceId}/client/update/${second.clientId}`, { clientName: 'second', bcDeliveryMode: 'POLL', clientIdAlias: 'renamed' });
    expect(clash.status).toBe(400);
  });
});

/**
 * OIDC Core §2: an ID token's `aud` holds the client_id the relying party knows. As Authlete
 * does with `clientIdAliasUsed`, that is the alias when the client presented it in the request
 * that started the grant (the backchannel authentication request), and the numeric id otherwise.
 */
describe.each(DIALECTS)('ID tokens, introspection and userinfo name the client as it named itself (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let byId: TestClient;
  let byAlias: TestClient;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env, { backchannelPollingInterval: 1 });
    byId = await newClient(env, service.serviceId, { clientIdAlias: 'my-app' });
    byAlias = { ...byId, clientId: 'my-app' };
  });
  afterAll(() => env?.close());

  const approve = async (starter: TestClient, redeemer: TestClient) => {
    const flow = await startFlow(env, service.serviceId, starter);
    expect((await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED')).action).toBe('NO_ACTION');
    const tokens = await tokenRequest(env, service.serviceId, redeemer, { grant_type: CIBA_GRANT, auth_req_id: flow.authReqId });
    expect(tokens.action, tokens.resultMessage).toBe('OK');
    return tokens;
  };
  const audOf = async (idToken: unknown, audience: string) =>
    (await verifyIdToken(env, service.serviceId, String(idToken), { issuer: service.issuer, audience })).payload.aud;
  const introspect = (token: unknown) => env.sdk.introspection.process({ serviceId: service.serviceId, introspectionRequest: { token: String(token) } });
  const userinfo = (token: unknown) => env.sdk.userinfo.process({ serviceId: service.serviceId, userinfoRequest: { token: String(token) } });
  const standard = async (token: unknown) =>
    content(await env.sdk.introspection.standardProcess({ serviceId: service.serviceId, standardIntrospectionRequest: { parameters: new URLSearchParams({ token: String(token) }).toString() } }));
  const refresh = (c: TestClient, refreshToken: unknown) =>
    tokenRequest(env, service.serviceId, c, { grant_type: 'refresh_token', refresh_token: String(refreshToken) });

  const expectAliasReported = async (token: unknown) => {
    expect(await introspect(token)).toMatchObject({ action: 'OK', clientId: Number(byId.clientId), clientIdAlias: 'my-app', clientIdAliasUsed: true });
    expect(await userinfo(token)).toMatchObject({ action: 'OK', clientId: Number(byId.clientId), clientIdAlias: 'my-app', clientIdAliasUsed: true });
    expect(await standard(token)).toMatchObject({ active: true, client_id: 'my-app' });
  };

  it('a flow started with the alias: aud is ["my-app"], and a refresh keeps it, whichever id the refresh presents', async () => {
    const tokens = await approve(byAlias, byAlias);
    expect(await audOf(tokens.idToken, 'my-app')).toEqual(['my-app']);
    await expectAliasReported(tokens.accessToken);

    const refreshed = await refresh(byAlias, tokens.refreshToken);
    expect(refreshed.action, refreshed.resultMessage).toBe('OK');
    expect(await audOf(refreshed.idToken, 'my-app')).toEqual(['my-app']);
    // The rule is the grant's: a refresh presented with the numeric id still names the alias.
    const again = await refresh(byId, refreshed.refreshToken);
    expect(again.action, again.resultMessage).toBe('OK');
    expect(again.clientIdAliasUsed).toBe(false);
    expect(await audOf(again.idToken, 'my-app')).toEqual(['my-app']);

    await expectAliasReported(again.accessToken);
  });

  it('the grant decides, not the token request: started with the alias, redeemed with the id, aud is still ["my-app"]', async () => {
    const tokens = await approve(byAlias, byId);
    expect(tokens.clientIdAliasUsed).toBe(false);
    expect(await audOf(tokens.idToken, 'my-app')).toEqual(['my-app']);
  });

  it('a flow started with the numeric id: aud is ["<id>"], and the answers say the alias was not used', async () => {
    const tokens = await approve(byId, byAlias);
    expect(await audOf(tokens.idToken, byId.clientId)).toEqual([byId.clientId]);
    expect(await introspect(tokens.accessToken)).toMatchObject({ action: 'OK', clientId: Number(byId.clientId), clientIdAlias: 'my-app', clientIdAliasUsed: false });
    expect(await userinfo(tokens.accessToken)).toMatchObject({ action: 'OK', clientIdAliasUsed: false });
    expect(await standard(tokens.accessToken)).toMatchObject({ active: true, client_id: byId.clientId });
    const refreshed = await refresh(byAlias, tokens.refreshToken);
    expect(refreshed.action, refreshed.resultMessage).toBe('OK');
    expect(await audOf(refreshed.idToken, byId.clientId)).toEqual([byId.clientId]);
  });

  it('push mode: the ID token /complete mints names the alias the request used, and /complete says it was used', async () => {
    const push = await newClient(env, service.serviceId, { bcDeliveryMode: 'PUSH', clientIdAlias: 'push-app' });
    const flow = await startFlow(env, service.serviceId, { ...push, clientId: 'push-app' });
    const done = await complete(env, service.serviceId, flow.ticket, 'AUTHORIZED');
    expect(done).toMatchObject({ action: 'NOTIFICATION', clientIdAlias: 'push-app', clientIdAliasUsed: true });
    expect(await audOf(done.idToken, 'push-app')).toEqual(['push-app']);
  });
});
