import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpApi,
  createInProcessApi,
  OpenCibaApiError,
  type BackchannelAuthenticationFailApiRequest,
  type Client,
  type OpenCibaApi,
  type Service,
} from '../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Kind = 'http' | 'in-process';
const KINDS: Kind[] = ['http', 'in-process'];

function apiOf(kind: Kind, server: TestServer): OpenCibaApi {
  return kind === 'http' ? createHttpApi({ baseUrl: server.baseUrl, token: server.adminToken }) : createInProcessApi(server.runtime.engine);
}

/** The rejection of a call, which must be an OpenCibaApiError. */
async function apiErrorOf(call: Promise<unknown>): Promise<OpenCibaApiError> {
  const outcome = await call.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.rejected).toBeInstanceOf(OpenCibaApiError);
  return outcome.rejected as OpenCibaApiError;
}

const oauthError = (responseContent: string | undefined) => (JSON.parse(responseContent ?? '{}') as { error?: string }).error;

async function createPollClient(api: OpenCibaApi, serviceId: string): Promise<Client> {
  return api.client.create({
    serviceId,
    client: {
      clientName: 'contract poll client',
      clientType: 'CONFIDENTIAL',
      tokenAuthMethod: 'CLIENT_SECRET_BASIC',
      grantTypes: ['CIBA', 'REFRESH_TOKEN'],
      bcDeliveryMode: 'POLL',
    },
  });
}

describe.each(KINDS)('OpenCibaApi contract (%s)', (kind) => {
  let server: TestServer;
  let api: OpenCibaApi;
  let service: Service;
  let serviceId: string;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer();
    api = apiOf(kind, server);
    service = await api.service.create({ serviceName: `contract ${kind}` });
    serviceId = String(service.apiKey);
    client = await createPollClient(api, serviceId);
  });
  afterAll(() => server?.close());

  it('creates a service and a poll client with Authlete field names', () => {
    expect(typeof service.apiKey).toBe('number');
    expect(service.serviceName).toBe(`contract ${kind}`);
    expect(service.supportedGrantTypes).toContain('CIBA');
    expect(typeof client.clientId).toBe('number');
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(client.bcDeliveryMode).toBe('POLL');
  });

  it('runs a whole CIBA poll flow', async () => {
    const clientAuth = { clientId: String(client.clientId), clientSecret: client.clientSecret as string };

    const authentication = await api.ciba.processAuthentication({
      serviceId,
      backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice', ...clientAuth },
    });
    expect(authentication.action).toBe('USER_IDENTIFICATION');
    expect(authentication.resultCode).toBe('A179001');
    expect(authentication.hintType).toBe('LOGIN_HINT');
    expect(authentication.hint).toBe('alice');
    expect(authentication.deliveryMode).toBe('POLL');
    expect(authentication.clientId).toBe(client.clientId);
    expect(authentication.clientAuthMethod).toBe('CLIENT_SECRET_BASIC');
    expect(authentication.scopes?.map((s) => s.name)).toEqual(['openid']);
    const ticket = authentication.ticket as string;
    expect(ticket.length).toBeGreaterThanOrEqual(32);

    const issued = await api.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(issued.action).toBe('OK');
    expect(issued.resultCode).toBe('A183001');
    expect(issued.expiresIn).toBe(600);
    expect(issued.interval).toBe(5);
    const authReqId = issued.authReqId as string;
    expect(JSON.parse(issued.responseContent ?? '{}')).toEqual({ auth_req_id: authReqId, expires_in: 600, interval: 5 });

    const tokenRequest = {
      serviceId,
      tokenRequest: { parameters: `grant_type=${encodeURIComponent('urn:openid:params:grant-type:ciba')}&auth_req_id=${authReqId}`, ...clientAuth },
    };
    const pending = await api.token.process(tokenRequest);
    expect(pending.action).toBe('BAD_REQUEST');
    expect(pending.responseContent).toContain('authorization_pending');
    expect(oauthError(pending.responseContent)).toBe('authorization_pending');
    expect(pending.accessToken).toBeUndefined();

    const completed = await api.ciba.complete({
      serviceId,
      backchannelAuthenticationCompleteRequest: { ticket, result: 'AUTHORIZED', subject: 'alice' },
    });
    expect(completed.action).toBe('NO_ACTION');
    expect(completed.resultCode).toBe('A198001');
    expect(completed.deliveryMode).toBe('POLL');

    const tokens = await api.token.process(tokenRequest);
    expect(tokens.action).toBe('OK');
    expect(tokens.grantType).toBe('CIBA');
    expect(tokens.subject).toBe('alice');
    const accessToken = tokens.accessToken as string;
    expect(accessToken).toEqual(expect.any(String));
    expect(tokens.idToken?.split('.')).toHaveLength(3);
    const content = JSON.parse(tokens.responseContent ?? '{}') as Record<string, unknown>;
    expect(content.access_token).toBe(accessToken);
    expect(content.token_type).toBe('Bearer');
    expect(content.id_token).toBe(tokens.idToken);

    const introspection = await api.introspection.process({ serviceId, introspectionRequest: { token: accessToken, scopes: ['openid'] } });
    expect(introspection.action).toBe('OK');
    expect(introspection.resultCode).toBe('A056001');
    expect(introspection.subject).toBe('alice');
    expect(introspection.usable).toBe(true);
    expect(introspection.sufficient).toBe(true);
    expect(introspection.clientId).toBe(client.clientId);

    const standard = await api.introspection.standardProcess({ serviceId, standardIntrospectionRequest: { parameters: `token=${accessToken}` } });
    expect(standard.action).toBe('OK');
    expect(JSON.parse(standard.responseContent ?? '{}')).toMatchObject({ active: true, sub: 'alice', client_id: String(client.clientId) });

    const userinfo = await api.userinfo.process({ serviceId, userinfoRequest: { token: accessToken } });
    expect(userinfo.action).toBe('OK');
    expect(userinfo.resultCode).toBe('A091001');
    expect(userinfo.subject).toBe('alice');
    expect(userinfo.scopes).toEqual(['openid']);

    const userinfoIssue = await api.userinfo.issue({
      serviceId,
      userinfoIssueRequest: { token: accessToken, claims: JSON.stringify({ name: 'Alice' }) },
    });
    expect(userinfoIssue.action).toBe('JSON');
    expect(JSON.parse(userinfoIssue.responseContent ?? '{}')).toEqual({ sub: 'alice', name: 'Alice' });

    const revocation = await api.revocation.process({ serviceId, revocationRequest: { parameters: `token=${accessToken}`, ...clientAuth } });
    expect(revocation.action).toBe('OK');
    expect(revocation.resultCode).toBe('A113001');

    const afterwards = await api.introspection.process({ serviceId, introspectionRequest: { token: accessToken } });
    expect(afterwards.action).toBe('UNAUTHORIZED');
    expect(afterwards.existent).toBe(false);
    const inactive = await api.introspection.standardProcess({ serviceId, standardIntrospectionRequest: { parameters: `token=${accessToken}` } });
    expect(JSON.parse(inactive.responseContent ?? '{}')).toEqual({ active: false });

    // The auth_req_id was single-use: a second exchange is a replay.
    const replay = await api.token.process(tokenRequest);
    expect(replay.action).toBe('BAD_REQUEST');
    expect(oauthError(replay.responseContent)).toBe('invalid_grant');
  });

  it('answers a refused backchannel request with an action, not an error', async () => {
    const answer = await api.ciba.processAuthentication({
      serviceId,
      backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice', clientId: String(client.clientId), clientSecret: 'wrong' },
    });
    expect(answer.action).toBe('UNAUTHORIZED');
    expect(oauthError(answer.responseContent)).toBe('invalid_client');
    expect(answer.ticket).toBeUndefined();
  });

  it('fails a request with the typed BackchannelAuthenticationFailApiRequest', async () => {
    const authentication = await api.ciba.processAuthentication({
      serviceId,
      backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=mallory', clientId: String(client.clientId), clientSecret: client.clientSecret as string },
    });
    expect(authentication.action).toBe('USER_IDENTIFICATION');
    const ticket = authentication.ticket as string;

    const request: BackchannelAuthenticationFailApiRequest = {
      serviceId,
      backchannelAuthenticationFailRequest: { ticket, reason: 'ACCESS_DENIED', errorDescription: 'The user said no.' },
    };
    const failed = await api.ciba.fail(request);
    expect(failed.action).toBe('FORBIDDEN');
    expect(failed.resultCode).toBe('A185001');
    expect(failed.responseContent).toContain('access_denied');
    expect(JSON.parse(failed.responseContent ?? '{}')).toEqual({ error: 'access_denied', error_description: 'The user said no.' });

    // The ticket is gone: issuing it now is INVALID_TICKET.
    const late = await api.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(late.action).toBe('INVALID_TICKET');

    const unknownUser = await api.ciba.fail({ serviceId, backchannelAuthenticationFailRequest: { reason: 'UNKNOWN_USER_ID' } });
    expect(unknownUser.action).toBe('BAD_REQUEST');
    expect(oauthError(unknownUser.responseContent)).toBe('unknown_user_id');
    const defaulted = await api.ciba.fail({ serviceId, backchannelAuthenticationFailRequest: {} });
    expect(defaulted.action).toBe('INTERNAL_SERVER_ERROR');
    expect(oauthError(defaulted.responseContent)).toBe('server_error');
  });

  it('rejects API-level failures with OpenCibaApiError', async () => {
    const unknown = await apiErrorOf(
      api.ciba.fail({ serviceId: '999999999999', backchannelAuthenticationFailRequest: { reason: 'ACCESS_DENIED' } }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.resultCode).toBe('A001205');
    expect(unknown.resultMessage).toBe('[A001205] /backchannel/authentication/fail, The service (API key = 999999999999) does not exist.');
    expect(unknown.message).toBe(unknown.resultMessage);

    const notANumber = await apiErrorOf(api.service.get({ serviceId: 'not-a-number' }));
    expect([notANumber.status, notANumber.resultCode]).toEqual([404, 'A001205']);

    const noClient = await apiErrorOf(api.client.get({ serviceId, clientId: '12345' }));
    expect([noClient.status, noClient.resultCode]).toEqual([404, 'A001206']);

    const badClient = await apiErrorOf(api.client.create({ serviceId, client: { bcDeliveryMode: 'PING' } }));
    expect([badClient.status, badClient.resultCode]).toEqual([400, 'A001201']);
  });

  it('manages services and clients and serves discovery and the JWK Set', async () => {
    const got = await api.service.get({ serviceId });
    expect(got.apiKey).toBe(service.apiKey);

    const list = await api.service.list({ start: 0, end: 10 });
    expect(list.start).toBe(0);
    expect(list.end).toBe(10);
    expect(list.services?.some((s) => s.apiKey === service.apiKey)).toBe(true);

    const updated = await api.service.update({ serviceId, service: { ...got, backchannelPollingInterval: 3 } });
    expect(updated.backchannelPollingInterval).toBe(3);
    expect(updated.jwks).toBe(got.jwks);

    const configuration = await api.service.getConfiguration({ serviceId });
    expect(configuration.issuer).toBe(got.issuer);
    expect(configuration.backchannel_token_delivery_modes_supported).toEqual(['poll', 'ping', 'push']);
    const patched = await api.service.getConfiguration({
      serviceId,
      pretty: true,
      patch: JSON.stringify([{ op: 'add', path: '/example', value: 'added' }]),
    });
    expect(patched.example).toBe('added');

    const publicKeys = await api.jwkSetEndpoint.serviceJwksGetApi({ serviceId });
    expect(publicKeys.keys?.length).toBeGreaterThan(0);
    expect(publicKeys.keys?.some((k) => 'd' in k)).toBe(false);
    const privateKeys = await api.jwkSetEndpoint.serviceJwksGetApi({ serviceId, includePrivateKeys: true });
    expect(privateKeys.keys?.every((k) => 'd' in k)).toBe(true);

    const extra = await api.client.create({ serviceId, client: { clientName: 'extra', developer: 'dev-1', bcDeliveryMode: 'POLL' } });
    const extraId = String(extra.clientId);
    expect((await api.client.get({ serviceId, clientId: extraId })).clientName).toBe('extra');
    const byDeveloper = await api.client.list({ serviceId, developer: 'dev-1' });
    expect(byDeveloper.clients?.map((c) => c.clientId)).toEqual([extra.clientId]);
    const renamed = await api.client.update({ serviceId, clientId: extraId, client: { ...extra, clientName: 'renamed' } });
    expect(renamed.clientName).toBe('renamed');
    expect(renamed.clientSecret).toBe(extra.clientSecret);
    await expect(api.client.delete({ serviceId, clientId: extraId })).resolves.toBeUndefined();
    expect((await apiErrorOf(api.client.get({ serviceId, clientId: extraId }))).status).toBe(404);

    const doomed = await api.service.create({ serviceName: 'doomed' });
    await expect(api.service.delete({ serviceId: String(doomed.apiKey) })).resolves.toBeUndefined();
    const gone = await apiErrorOf(api.service.get({ serviceId: String(doomed.apiKey) }));
    expect([gone.status, gone.resultCode]).toEqual([404, 'A001205']);
  });

  it("refreshes and updates a client's secret, and refuses a malformed one the same way", async () => {
    const rotating = await api.client.create({ serviceId, client: { clientName: 'rotating', bcDeliveryMode: 'POLL' } });
    const clientIdentifier = String(rotating.clientId);
    const refreshed = await api.clientManagement.refreshSecret({ serviceId, clientIdentifier });
    expect(refreshed).toEqual({ resultCode: 'A148001', resultMessage: expect.stringMatching(/^\[A148001\] /), newClientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/), oldClientSecret: rotating.clientSecret });
    const updated = await api.clientManagement.updateSecret({ serviceId, clientIdentifier, clientSecretUpdateRequest: { clientSecret: 'contract-secret' } });
    expect(updated).toMatchObject({ resultCode: 'A149001', newClientSecret: 'contract-secret', oldClientSecret: refreshed.newClientSecret });
    expect((await api.client.get({ serviceId, clientId: clientIdentifier })).clientSecret).toBe('contract-secret');
    const refused = await apiErrorOf(api.clientManagement.updateSecret({ serviceId, clientIdentifier, clientSecretUpdateRequest: { clientSecret: 'a\u0000b' } }));
    expect([refused.status, refused.resultCode]).toEqual([400, 'A149201']);
    const unknown = await apiErrorOf(api.clientManagement.refreshSecret({ serviceId, clientIdentifier: '42' }));
    expect([unknown.status, unknown.resultCode, unknown.resultMessage]).toEqual([404, 'A001206', '[A001206] /client/secret/refresh/42, The client (ID = 42) does not exist.']);
  });
});

describe('HTTP and in-process implementations agree', () => {
  let server: TestServer;
  let http: OpenCibaApi;
  let local: OpenCibaApi;
  let serviceId: string;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer();
    http = apiOf('http', server);
    local = apiOf('in-process', server);
    const service = await local.service.create({ serviceName: 'agreement' });
    serviceId = String(service.apiKey);
    client = await createPollClient(http, serviceId);
  });
  afterAll(() => server?.close());

  const both = async <T>(call: (api: OpenCibaApi) => Promise<T>): Promise<[T, T]> => [await call(http), await call(local)];

  it('gives the same management answers', async () => {
    const [httpService, localService] = await both((api) => api.service.get({ serviceId }));
    expect(localService).toEqual(httpService);
    const [httpClient, localClient] = await both((api) => api.client.get({ serviceId, clientId: String(client.clientId) }));
    expect(localClient).toEqual(httpClient);
    expect(localClient).toEqual(client);
    const [httpList, localList] = await both((api) => api.client.list({ serviceId }));
    expect(localList).toEqual(httpList);
    const [httpConfiguration, localConfiguration] = await both((api) => api.service.getConfiguration({ serviceId }));
    expect(localConfiguration).toEqual(httpConfiguration);
    const [httpJwks, localJwks] = await both((api) => api.jwkSetEndpoint.serviceJwksGetApi({ serviceId, includePrivateKeys: true }));
    expect(localJwks).toEqual(httpJwks);
  });

  it('gives the same CIBA answers, apart from the random handles', async () => {
    const clientAuth = { clientId: String(client.clientId), clientSecret: client.clientSecret as string };
    const [httpAuth, localAuth] = await both((api) =>
      api.ciba.processAuthentication({ serviceId, backchannelAuthenticationRequest: { parameters: 'scope=openid&login_hint=alice&binding_message=W4SCT', ...clientAuth } }),
    );
    expect(httpAuth.action).toBe('USER_IDENTIFICATION');
    expect(httpAuth.ticket).not.toBe(localAuth.ticket);
    expect({ ...localAuth, ticket: undefined }).toEqual({ ...httpAuth, ticket: undefined });

    const [httpIssue, localIssue] = await both((api) =>
      api.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: (api === http ? httpAuth : localAuth).ticket as string } }),
    );
    expect(Object.keys(localIssue).sort()).toEqual(Object.keys(httpIssue).sort());
    expect([localIssue.action, localIssue.resultCode, localIssue.expiresIn, localIssue.interval]).toEqual([
      httpIssue.action, httpIssue.resultCode, httpIssue.expiresIn, httpIssue.interval,
    ]);

    const [httpPending, localPending] = await both((api) =>
      api.token.process({
        serviceId,
        tokenRequest: { parameters: `grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=${(api === http ? httpIssue : localIssue).authReqId}`, ...clientAuth },
      }),
    );
    expect(httpPending.action).toBe('BAD_REQUEST');
    expect(localPending).toEqual(httpPending);

    const failRequest: BackchannelAuthenticationFailApiRequest = {
      serviceId,
      backchannelAuthenticationFailRequest: { ticket: 'no-such-ticket', reason: 'ACCESS_DENIED', errorUri: 'https://example.com/denied' },
    };
    const [httpFail, localFail] = await both((api) => api.ciba.fail(failRequest));
    expect(httpFail.action).toBe('FORBIDDEN');
    expect(localFail).toEqual(httpFail);
  });

  it('rejects the same failures with the same status and resultCode', async () => {
    const failures: [string, (api: OpenCibaApi) => Promise<unknown>, { status: number; resultCode: string; sameMessage: boolean }][] = [
      ['unknown service', (api) => api.ciba.fail({ serviceId: '999999999999', backchannelAuthenticationFailRequest: { reason: 'ACCESS_DENIED' } }), { status: 404, resultCode: 'A001205', sameMessage: true }],
      ['unknown service (token)', (api) => api.token.process({ serviceId: '123', tokenRequest: { parameters: 'grant_type=x' } }), { status: 404, resultCode: 'A001205', sameMessage: true }],
      ['non-numeric service', (api) => api.service.get({ serviceId: 'nope' }), { status: 404, resultCode: 'A001205', sameMessage: false }],
      ['unknown client', (api) => api.client.get({ serviceId, clientId: '1' }), { status: 404, resultCode: 'A001206', sameMessage: true }],
      ['non-numeric client', (api) => api.client.delete({ serviceId, clientId: 'abc' }), { status: 404, resultCode: 'A001206', sameMessage: true }],
      ['invalid client metadata', (api) => api.client.create({ serviceId, client: { bcDeliveryMode: 'PUSH' } }), { status: 400, resultCode: 'A001201', sameMessage: true }],
      ['reason outside the enum', (api) => api.ciba.fail({ serviceId, backchannelAuthenticationFailRequest: { reason: 'NOT_A_REASON' as never } }), { status: 400, resultCode: 'A001201', sameMessage: false }],
      ['parameters of the wrong type', (api) => api.token.process({ serviceId, tokenRequest: { parameters: { grant_type: 'x' } as never } }), { status: 400, resultCode: 'A001201', sameMessage: false }],
      ['negative paging', (api) => api.service.list({ start: -1 }), { status: 400, resultCode: 'A001201', sameMessage: false }],
      ['patch that does not apply', (api) => api.service.getConfiguration({ serviceId, patch: '[{"op":"remove","path":"/nope"}]' }), { status: 400, resultCode: 'A001201', sameMessage: true }],
    ];
    for (const [name, call, expected] of failures) {
      const [httpError, localError] = [await apiErrorOf(call(http)), await apiErrorOf(call(local))];
      expect({ name, status: httpError.status, resultCode: httpError.resultCode }).toEqual({ name, status: expected.status, resultCode: expected.resultCode });
      expect({ name, status: localError.status, resultCode: localError.resultCode }).toEqual({ name, status: httpError.status, resultCode: httpError.resultCode });
      expect(localError.resultMessage.startsWith(`[${expected.resultCode}] /`)).toBe(true);
      if (expected.sameMessage) expect({ name, message: localError.resultMessage }).toEqual({ name, message: httpError.resultMessage });
    }
  });

  it('coerces loosely typed members as the HTTP route does', async () => {
    // An untyped caller's scalar where the schema wants an array, and a string for an integer.
    const [httpAnswer, localAnswer] = await both((api) =>
      api.introspection.process({ serviceId, introspectionRequest: { token: 'unknown', scopes: 'openid' as never, maxAge: '30' as never } }),
    );
    expect(httpAnswer.action).toBe('UNAUTHORIZED');
    expect(localAnswer).toEqual(httpAnswer);
  });

  it('rejects a bad token over HTTP with 401 A001203', async () => {
    const stranger = createHttpApi({ baseUrl: server.baseUrl, token: 'not-the-admin-token' });
    const error = await apiErrorOf(stranger.service.get({ serviceId }));
    expect(error.status).toBe(401);
    expect(error.resultCode).toBe('A001203');
    expect(error.resultMessage).toBe('[A001203] /service/get, The access token presented in the Authorization header is invalid.');
  });
});
