import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backchannel, clientAssertion, content, defaultParams, jwtBearerType, keyPair, newClient, newService, startCiba,
  type CibaEnv, type TestClient,
} from '../support/ciba-fixtures.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { DIALECTS } from '../support/test-server.js';

// Issue 12, finding 1: Authlete settings that were stored and then not applied. Each test here
// first makes the request the review made, against the API and against the front.

describe.each(DIALECTS)('service and client settings are enforced (%s)', (dialect) => {
  let env: CibaEnv;

  beforeAll(async () => {
    env = await startCiba({ dialect });
  });
  afterAll(() => env?.close());

  const restricted = async () => {
    const service = await newService(env, {}, { supportedTokenAuthMethods: ['PRIVATE_KEY_JWT'], clientIdAliasEnabled: false });
    await env.admin.putUser(service.serviceId, 'alice', { name: 'Alice' });
    const client = await newClient(env, service.serviceId, {
      clientIdAlias: 'limited-app',
      tokenAuthMethod: 'CLIENT_SECRET_BASIC',
      extension: { requestableScopesEnabled: true, requestableScopes: ['openid'] },
    } as never);
    return { service, client };
  };

  it('the review\'s request (alias, an unsupported method, unrequestable scopes) gets no auth_req_id, at the API or at the front', async () => {
    const { service, client } = await restricted();
    const alias: TestClient = { ...client, clientId: 'limited-app' };
    const params = defaultParams(alias, { scope: 'openid email phone address' });

    const api = await backchannel(env, service.serviceId, alias, params);
    expect(api.action).toBe('UNAUTHORIZED');
    expect(content(api)).toMatchObject({ error: 'invalid_client' });

    const front = await postForm(`${service.issuer}/backchannel/authentication`, params, basicAuth('limited-app', client.clientSecret));
    expect(front.status, front.text).toBe(401);
    expect(front.json).toMatchObject({ error: 'invalid_client' });
    expect(front.json.auth_req_id).toBeUndefined();
  });

  it('clientIdAliasEnabled false on the service: the alias names no client; the numeric id still does', async () => {
    const service = await newService(env, {}, { clientIdAliasEnabled: false });
    const client = await newClient(env, service.serviceId, { clientIdAlias: 'alias-off' } as never);
    const byAlias = await backchannel(env, service.serviceId, { ...client, clientId: 'alias-off' }, defaultParams(client));
    expect(byAlias.action).toBe('UNAUTHORIZED');
    expect(content(byAlias).error_description).toMatch(/unknown client$/);
    // As a form client_id beside a numeric Basic id, too: both must name the client.
    const mixed = await env.sdk.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: { parameters: new URLSearchParams({ ...defaultParams(client), client_id: 'alias-off' }).toString(), clientId: client.clientId, clientSecret: client.clientSecret },
    });
    expect(mixed.action).toBe('UNAUTHORIZED');
    const byId = await backchannel(env, service.serviceId, client, defaultParams(client));
    expect(byId.action).toBe('USER_IDENTIFICATION');
    expect(byId.clientIdAliasUsed).toBe(false);
  });

  it('clientIdAliasEnabled false on the client switches its alias off; true (the default) keeps it', async () => {
    const service = await newService(env);
    const off = await newClient(env, service.serviceId, { clientIdAlias: 'client-off', clientIdAliasEnabled: false } as never);
    expect((await backchannel(env, service.serviceId, { ...off, clientId: 'client-off' }, defaultParams(off))).action).toBe('UNAUTHORIZED');
    expect((await backchannel(env, service.serviceId, off, defaultParams(off))).action).toBe('USER_IDENTIFICATION');
    const on = await newClient(env, service.serviceId, { clientIdAlias: 'client-on' } as never);
    expect((await backchannel(env, service.serviceId, { ...on, clientId: 'client-on' }, defaultParams(on))).action).toBe('USER_IDENTIFICATION');
  });

  it('supportedTokenAuthMethods: a method left out fails at the backchannel and token endpoints, also after the service narrows its list', async () => {
    const service = await newService(env);
    const client = await newClient(env, service.serviceId);
    expect((await backchannel(env, service.serviceId, client, defaultParams(client))).action).toBe('USER_IDENTIFICATION');

    const current = await env.admin.call('GET', `/api/${service.serviceId}/service/get`);
    await env.admin.call('POST', `/api/${service.serviceId}/service/update`, { ...current, supportedTokenAuthMethods: ['CLIENT_SECRET_POST'] });
    const refused = await backchannel(env, service.serviceId, client, defaultParams(client));
    expect(refused.action).toBe('UNAUTHORIZED');
    expect(content(refused)).toMatchObject({ error: 'invalid_client' });
    expect(content(refused).error_description).toMatch(/authentication method client_secret_basic is not supported by the service at this endpoint$/);
    const token = await env.sdk.token.process({
      serviceId: service.serviceId,
      tokenRequest: { parameters: 'grant_type=refresh_token&refresh_token=x', clientId: client.clientId, clientSecret: client.clientSecret },
    });
    expect(token.action).toBe('INVALID_CLIENT');
    const revoked = await env.sdk.revocation.process({
      serviceId: service.serviceId,
      revocationRequest: { parameters: 'token=x', clientId: client.clientId, clientSecret: client.clientSecret },
    });
    expect(revoked.action).toBe('OK');
  });

  it('supportedRevocationAuthMethods is the list at /auth/revocation', async () => {
    const service = await newService(env, {}, { supportedRevocationAuthMethods: ['PRIVATE_KEY_JWT'] });
    const client = await newClient(env, service.serviceId);
    const revoked = await env.sdk.revocation.process({
      serviceId: service.serviceId,
      revocationRequest: { parameters: 'token=x', clientId: client.clientId, clientSecret: client.clientSecret },
    });
    expect(revoked.action).toBe('INVALID_CLIENT');
    expect((await backchannel(env, service.serviceId, client, defaultParams(client))).action).toBe('USER_IDENTIFICATION');
  });

  it('requestableScopes: a scope outside the list is invalid_scope at the API and the front; within it the request goes on', async () => {
    const service = await newService(env);
    await env.admin.putUser(service.serviceId, 'alice', { name: 'Alice' });
    const client = await newClient(env, service.serviceId, { extension: { requestableScopesEnabled: true, requestableScopes: ['openid', 'email'] } } as never);
    const refused = await backchannel(env, service.serviceId, client, defaultParams(client, { scope: 'openid email phone' }));
    expect(refused.action).toBe('BAD_REQUEST');
    expect(refused.resultCode).toBe('A169321');
    expect(content(refused)).toMatchObject({ error: 'invalid_scope' });
    expect(content(refused).error_description).toMatch(/The scope 'phone' is not requestable by the client\.$/);
    const front = await postForm(`${service.issuer}/backchannel/authentication`, defaultParams(client, { scope: 'openid address' }), basicAuth(client.clientId, client.clientSecret));
    expect(front.status, front.text).toBe(400);
    expect(front.json.error).toBe('invalid_scope');
    const allowed = await postForm(`${service.issuer}/backchannel/authentication`, defaultParams(client, { scope: 'openid email' }), basicAuth(client.clientId, client.clientSecret));
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json.auth_req_id).toEqual(expect.any(String));
  });

  it("supportedClaims bounds the claims a scope asks for", async () => {
    const service = await newService(env, {}, { supportedClaims: ['sub', 'email'] });
    const client = await newClient(env, service.serviceId);
    const started = await backchannel(env, service.serviceId, client, defaultParams(client, { scope: 'openid email phone' }));
    expect(started.action).toBe('USER_IDENTIFICATION');
    expect(started.claimNames).toEqual(['email']);
  });

  it('clientAssertionAudRestrictedToIssuer: an assertion for the token endpoint fails, one for the issuer passes', async () => {
    const service = await newService(env, {}, { clientAssertionAudRestrictedToIssuer: true });
    const key = await keyPair('PS256');
    const client = await newClient(env, service.serviceId, { tokenAuthMethod: 'PRIVATE_KEY_JWT', jwks: JSON.stringify({ keys: [key.publicJwk] }) } as never);
    const withAssertion = async (audience: string) =>
      env.sdk.ciba.processAuthentication({
        serviceId: service.serviceId,
        backchannelAuthenticationRequest: {
          parameters: new URLSearchParams({ ...defaultParams(client), client_assertion_type: jwtBearerType, client_assertion: await clientAssertion(env, key, client.clientId, audience) }).toString(),
        },
      });
    expect((await withAssertion(service.tokenEndpoint)).action).toBe('UNAUTHORIZED');
    expect((await withAssertion(service.issuer)).action).toBe('USER_IDENTIFICATION');
  });

  it('requestObjectRequired, authorization details types and defaultAcrs apply to backchannel requests', async () => {
    const service = await newService(env, {}, { supportedAcrs: ['urn:acr:low', 'urn:acr:high'], supportedAuthorizationDetailsTypes: ['payment_initiation'] });
    const signedOnly = await newClient(env, service.serviceId, { requestObjectRequired: true } as never);
    const unsigned = await backchannel(env, service.serviceId, signedOnly, defaultParams(signedOnly));
    expect(unsigned.action).toBe('BAD_REQUEST');
    expect(unsigned.resultCode).toBe('A169317');

    const client = await newClient(env, service.serviceId, { defaultAcrs: ['urn:acr:high', 'urn:acr:unknown'] } as never);
    const withDefaults = await backchannel(env, service.serviceId, client, defaultParams(client));
    expect(withDefaults.action).toBe('USER_IDENTIFICATION');
    expect(withDefaults.acrs).toEqual(['urn:acr:high']);

    const details = (type: string) => defaultParams(client, { authorization_details: JSON.stringify([{ type }]) });
    const refused = await backchannel(env, service.serviceId, client, details('account_information'));
    expect(refused.action).toBe('BAD_REQUEST');
    expect(content(refused).error).toBe('invalid_authorization_details');
    expect((await backchannel(env, service.serviceId, client, details('payment_initiation'))).action).toBe('USER_IDENTIFICATION');
  });
});
