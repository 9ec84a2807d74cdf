import { Authlete } from '@authlete/typescript-sdk';
import { AuthleteDefaultError, ResultError } from '@authlete/typescript-sdk/models/errors';
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/** A 404 from the API: the SDK has no typed error for it, so read the standard error body it carries. */
function expectNotFound(error: unknown, resultCode: string, resultMessage: string): void {
  expect(error).toBeInstanceOf(AuthleteDefaultError);
  expect((error as AuthleteDefaultError).statusCode).toBe(404);
  expect(JSON.parse((error as AuthleteDefaultError).body)).toEqual({ resultCode, resultMessage });
}

describe.each(DIALECTS)('service and client management with the official SDK (%s)', (dialect) => {
  let server: TestServer;
  let sdk: Authlete;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    sdk = new Authlete({ bearer: server.adminToken, serverURL: server.baseUrl });
  });
  afterAll(() => server?.close());

  it('creates a CIBA-ready service with keys, issuer, endpoints and durations', async () => {
    const service = await sdk.service.create({ serviceName: 'SDK service' });
    expect(typeof service.apiKey).toBe('number');
    expect(service.serviceName).toBe('SDK service');
    const base = `${server.baseUrl}/s/${service.apiKey}`;
    expect(service.issuer).toBe(base);
    expect(service.tokenEndpoint).toBe(`${base}/token`);
    expect(service.backchannelAuthenticationEndpoint).toBe(`${base}/backchannel/authentication`);
    expect(service.supportedGrantTypes).toEqual(expect.arrayContaining(['CIBA', 'REFRESH_TOKEN']));
    expect(service.supportedBackchannelTokenDeliveryModes).toEqual(['POLL', 'PING', 'PUSH']);
    expect(service.backchannelAuthReqIdDuration).toBe(600);
    expect(service.backchannelPollingInterval).toBe(5);
    expect(service.accessTokenDuration).toBe(3600);
    expect(typeof service.createdAt).toBe('number');

    const jwks = JSON.parse(service.jwks ?? '{}') as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const key of jwks.keys) {
      expect(key.kid).toBeTruthy();
      expect(key).not.toHaveProperty('d');
    }
  });

  it('gets, lists, updates and deletes services', async () => {
    const created = await sdk.service.create({ serviceName: 'to update', issuer: 'https://as.example.com' });
    const id = String(created.apiKey);
    const got = await sdk.service.get({ serviceId: id });
    expect(got.apiKey).toBe(created.apiKey);
    expect(got.issuer).toBe('https://as.example.com');

    const list = await sdk.service.list({ start: 0, end: 100 });
    expect(list.totalCount).toBeGreaterThanOrEqual(2);
    expect(list.services?.some((s) => s.apiKey === created.apiKey)).toBe(true);

    // Read-modify-write, as Authlete's SDKs do: the public jwks comes back and keeps the private keys.
    const updated = await sdk.service.update({
      serviceId: id,
      service: { ...got, serviceName: 'updated', backchannelPollingInterval: 2, description: 'changed' },
    });
    expect(updated.serviceName).toBe('updated');
    expect(updated.backchannelPollingInterval).toBe(2);
    expect(updated.description).toBe('changed');
    expect(updated.jwks).toBe(got.jwks);
    expect(updated.createdAt).toBe(created.createdAt);

    const withPrivate = await sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId: id, includePrivateKeys: true });
    expect(withPrivate.keys?.every((k) => 'd' in k)).toBe(true);

    await sdk.service.delete({ serviceId: id });
    const gone = await sdk.service.get({ serviceId: id }).catch((e: unknown) => e);
    expectNotFound(gone, 'A001205', `[A001205] /service/get, The service (API key = ${id}) does not exist.`);
  });

  it('creates, gets, lists, updates and deletes clients with Authlete field names', async () => {
    const service = await sdk.service.create({ serviceName: 'clients' });
    const serviceId = String(service.apiKey);
    const client = await sdk.client.create({
      serviceId,
      client: {
        clientName: 'ping client',
        clientType: 'CONFIDENTIAL',
        tokenAuthMethod: 'CLIENT_SECRET_BASIC',
        grantTypes: ['CIBA', 'REFRESH_TOKEN'],
        bcDeliveryMode: 'PING',
        bcNotificationEndpoint: 'http://127.0.0.1:9999/cb',
        bcUserCodeRequired: false,
        idTokenSignAlg: 'ES256',
        extension: { accessTokenDuration: 600 },
        attributes: [{ key: 'team', value: 'payments' }],
        developer: 'dev-a',
      },
    });
    expect(typeof client.clientId).toBe('number');
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(client.clientIdAlias).toBe(String(client.clientId));
    expect(client.bcDeliveryMode).toBe('PING');
    expect(client.idTokenSignAlg).toBe('ES256');
    expect(client.extension?.accessTokenDuration).toBe(600);
    expect(client.attributes).toEqual([{ key: 'team', value: 'payments' }]);
    expect(client.serviceNumber).toBe(service.number);

    const clientId = String(client.clientId);
    const got = await sdk.client.get({ serviceId, clientId });
    expect(got.clientSecret).toBe(client.clientSecret);

    await sdk.client.create({ serviceId, client: { clientName: 'other', developer: 'dev-b' } });
    const all = await sdk.client.list({ serviceId, start: 0, end: 10 });
    expect(all.totalCount).toBe(2);
    const mine = await sdk.client.list({ serviceId, developer: 'dev-a' });
    expect(mine.clients?.map((c) => c.clientId)).toEqual([client.clientId]);

    const updated = await sdk.client.update({ serviceId, clientId, client: { ...got, clientName: 'renamed', bcDeliveryMode: 'POLL' } });
    expect(updated.clientName).toBe('renamed');
    expect(updated.bcDeliveryMode).toBe('POLL');
    expect(updated.clientSecret).toBe(client.clientSecret);

    await sdk.client.delete({ serviceId, clientId });
    const gone = await sdk.client.get({ serviceId, clientId }).catch((e: unknown) => e);
    expectNotFound(gone, 'A001206', `[A001206] /client/get/${clientId}, The client (ID = ${clientId}) does not exist.`);
  });

  it("refreshes and updates a client's secret with client.management.refreshSecret and updateSecret", async () => {
    const service = await sdk.service.create({ serviceName: 'secrets' });
    const serviceId = String(service.apiKey);
    const client = await sdk.client.create({ serviceId, client: { clientName: 'rotating', clientIdAlias: 'sdk-rotating' } });
    const clientIdentifier = String(client.clientId);

    const refreshed = await sdk.client.management.refreshSecret({ serviceId, clientIdentifier });
    expect(refreshed.resultCode).toBe('A148001');
    expect(refreshed.oldClientSecret).toBe(client.clientSecret);
    expect(refreshed.newClientSecret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(refreshed.newClientSecret).not.toBe(client.clientSecret);
    expect((await sdk.client.get({ serviceId, clientId: clientIdentifier })).clientSecret).toBe(refreshed.newClientSecret);

    // By the alias, as the SDK's clientIdentifier allows.
    const updated = await sdk.client.management.updateSecret({ serviceId, clientIdentifier: 'sdk-rotating', clientSecretUpdateRequest: { clientSecret: 'my-own_secret-1' } });
    expect(updated).toMatchObject({ resultCode: 'A149001', newClientSecret: 'my-own_secret-1', oldClientSecret: refreshed.newClientSecret });
    expect((await sdk.client.get({ serviceId, clientId: clientIdentifier })).clientSecret).toBe('my-own_secret-1');

    const refused = await sdk.client.management
      .updateSecret({ serviceId, clientIdentifier, clientSecretUpdateRequest: { clientSecret: 'not allowed!' } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ResultError);
    expect((refused as ResultError).resultCode).toBe('A149201');
    const unknown = await sdk.client.management.refreshSecret({ serviceId, clientIdentifier: '42' }).catch((e: unknown) => e);
    expectNotFound(unknown, 'A001206', '[A001206] /client/secret/refresh/42, The client (ID = 42) does not exist.');
  });

  it('serves the JWK Set and the discovery document of a service', async () => {
    const service = await sdk.service.create({ serviceName: 'discovery', backchannelUserCodeParameterSupported: true });
    const serviceId = String(service.apiKey);
    const jwks = await sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId });
    expect(jwks.keys).toHaveLength(4);
    expect(jwks.keys?.some((k) => 'd' in k)).toBe(false);

    // The SDK types this document as an empty object and strips its members, so read it raw too.
    await expect(sdk.service.getConfiguration({ serviceId })).resolves.toEqual({});
    const configuration = async (query = '') => {
      const response = await fetch(`${server.baseUrl}/api/${serviceId}/service/configuration${query}`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const config = await configuration();
    expect(config.issuer).toBe(service.issuer);
    expect(config.backchannel_authentication_endpoint).toBe(service.backchannelAuthenticationEndpoint);
    expect(config.backchannel_token_delivery_modes_supported).toEqual(['poll', 'ping', 'push']);
    expect(config.backchannel_user_code_parameter_supported).toBe(true);
    expect(config.backchannel_authentication_request_signing_alg_values_supported).toEqual(expect.arrayContaining(['PS256', 'ES256']));
    expect(config.grant_types_supported).toEqual(expect.arrayContaining(['urn:openid:params:grant-type:ciba', 'refresh_token']));
    expect(config.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'private_key_jwt']));
    expect(config.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));

    const patch = JSON.stringify([{ op: 'add', path: '/ui_locales_supported', value: ['en'] }]);
    const patched = await configuration(`?patch=${encodeURIComponent(patch)}`);
    expect(patched.ui_locales_supported).toEqual(['en']);
  });

  it('keys that the JWK Set publishes verify what the private keys sign', async () => {
    const service = await sdk.service.create({ serviceName: 'keys' });
    const serviceId = String(service.apiKey);
    const privateSet = await sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId, includePrivateKeys: true });
    const publicSet = await sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId });
    for (const priv of privateSet.keys ?? []) {
      const alg = String(priv.alg);
      const pub = publicSet.keys?.find((k) => k.kid === priv.kid);
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = priv as JWK;
      expect(pub).toEqual(publicPart);
      const jwt = await new SignJWT({ x: 1 }).setProtectedHeader({ alg, kid: String(priv.kid) }).sign(await importJWK(priv as JWK, alg));
      const { payload } = await jwtVerify(jwt, await importJWK(pub as JWK, alg));
      expect(payload.x).toBe(1);
    }
  });

  it('answers API errors as ResultError with Authlete result codes', async () => {
    const bad = new Authlete({ bearer: 'not-a-valid-token-at-all', serverURL: server.baseUrl });
    const error = await bad.service.list({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultError);
    expect((error as ResultError).resultCode).toBe('A001203');

    const service = await sdk.service.create({ serviceName: 'v' });
    const invalid = await sdk.client
      .create({ serviceId: String(service.apiKey), client: { bcDeliveryMode: 'PUSH' } })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ResultError);
    expect((invalid as ResultError).resultMessage).toContain('bcNotificationEndpoint');
  });
});
