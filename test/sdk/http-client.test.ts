import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApi, OpenCibaApiError, OpenCibaTransportError, type OpenCibaApi } from '../../src/sdk/index.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver.js';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

type Reply = (request: ReceivedRequest, res: ServerResponse) => void;

const open: Receiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

/** A real server on loopback that records what the client sends and answers with `reply`. */
async function recordingServer(reply: Reply) {
  const receiver = await startReceiver(reply);
  open.push(receiver);
  const baseUrl = `http://127.0.0.1:${receiver.port}`;
  const sent = (): Sent[] =>
    receiver.requests.map((r) => ({ method: r.method, url: `${baseUrl}${r.path}`, headers: r.headers, body: r.body === '' ? undefined : JSON.parse(r.body) }));
  return { receiver, baseUrl, sent };
}

const json = (value: unknown, status = 200): Reply => (_request, res) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const noContent: Reply = (_request, res) => void res.writeHead(204).end();

describe('createHttpApi', () => {
  it("uses Authlete's v3 methods, paths and query strings", async () => {
    const { sent, baseUrl } = await recordingServer((request, res) => (request.method === 'DELETE' ? noContent : json({ action: 'OK' }))(request, res));
    const api = createHttpApi({ baseUrl: `${baseUrl}/`, token: 'tok' });
    const sid = '715948317';

    const calls: [(api: OpenCibaApi) => Promise<unknown>, string, string, unknown][] = [
      [(a) => a.ciba.processAuthentication({ serviceId: sid, backchannelAuthenticationRequest: { parameters: 'p' } }), 'POST', `/api/${sid}/backchannel/authentication`, { parameters: 'p' }],
      [(a) => a.ciba.issue({ serviceId: sid, backchannelAuthenticationIssueRequest: { ticket: 't' } }), 'POST', `/api/${sid}/backchannel/authentication/issue`, { ticket: 't' }],
      [(a) => a.ciba.fail({ serviceId: sid, backchannelAuthenticationFailRequest: { ticket: 't', reason: 'UNKNOWN_USER_ID' } }), 'POST', `/api/${sid}/backchannel/authentication/fail`, { ticket: 't', reason: 'UNKNOWN_USER_ID' }],
      [(a) => a.ciba.complete({ serviceId: sid, backchannelAuthenticationCompleteRequest: { ticket: 't', result: 'ACCESS_DENIED' } }), 'POST', `/api/${sid}/backchannel/authentication/complete`, { ticket: 't', result: 'ACCESS_DENIED' }],
      [(a) => a.token.process({ serviceId: sid, tokenRequest: { parameters: 'g' } }), 'POST', `/api/${sid}/auth/token`, { parameters: 'g' }],
      [(a) => a.introspection.process({ serviceId: sid, introspectionRequest: { token: 'x', scopes: ['a'] } }), 'POST', `/api/${sid}/auth/introspection`, { token: 'x', scopes: ['a'] }],
      [(a) => a.introspection.standardProcess({ serviceId: sid, standardIntrospectionRequest: { parameters: 'token=x' } }), 'POST', `/api/${sid}/auth/introspection/standard`, { parameters: 'token=x' }],
      [(a) => a.revocation.process({ serviceId: sid, revocationRequest: { parameters: 'token=x' } }), 'POST', `/api/${sid}/auth/revocation`, { parameters: 'token=x' }],
      [(a) => a.userinfo.process({ serviceId: sid, userinfoRequest: { token: 'x' } }), 'POST', `/api/${sid}/auth/userinfo`, { token: 'x' }],
      [(a) => a.userinfo.issue({ serviceId: sid, userinfoIssueRequest: { token: 'x', claims: '{}' } }), 'POST', `/api/${sid}/auth/userinfo/issue`, { token: 'x', claims: '{}' }],
      [(a) => a.service.create({ serviceName: 's' }), 'POST', '/api/service/create', { serviceName: 's' }],
      [(a) => a.service.create(), 'POST', '/api/service/create', {}],
      [(a) => a.service.list(), 'GET', '/api/service/get/list', undefined],
      [(a) => a.service.list({ start: 2, end: 7 }), 'GET', '/api/service/get/list?start=2&end=7', undefined],
      [(a) => a.service.get({ serviceId: sid }), 'GET', `/api/${sid}/service/get`, undefined],
      [(a) => a.service.update({ serviceId: sid, service: { serviceName: 'n' } }), 'POST', `/api/${sid}/service/update`, { serviceName: 'n' }],
      [(a) => a.service.delete({ serviceId: sid }), 'DELETE', `/api/${sid}/service/delete`, undefined],
      [(a) => a.service.getConfiguration({ serviceId: sid, pretty: true, patch: '[]' }), 'GET', `/api/${sid}/service/configuration?pretty=true&patch=%5B%5D`, undefined],
      [(a) => a.client.create({ serviceId: sid, client: { clientName: 'c' } }), 'POST', `/api/${sid}/client/create`, { clientName: 'c' }],
      [(a) => a.client.get({ serviceId: sid, clientId: '42' }), 'GET', `/api/${sid}/client/get/42`, undefined],
      [(a) => a.client.list({ serviceId: sid, developer: 'd v', start: 0, end: 3 }), 'GET', `/api/${sid}/client/get/list?developer=d+v&start=0&end=3`, undefined],
      [(a) => a.client.update({ serviceId: sid, clientId: '42', client: { clientName: 'c2' } }), 'POST', `/api/${sid}/client/update/42`, { clientName: 'c2' }],
      [(a) => a.client.delete({ serviceId: sid, clientId: '42' }), 'DELETE', `/api/${sid}/client/delete/42`, undefined],
      [(a) => a.clientManagement.refreshSecret({ serviceId: sid, clientIdentifier: 'my app' }), 'GET', `/api/${sid}/client/secret/refresh/my%20app`, undefined],
      [(a) => a.clientManagement.updateSecret({ serviceId: sid, clientIdentifier: '42', clientSecretUpdateRequest: { clientSecret: 'abc' } }), 'POST', `/api/${sid}/client/secret/update/42`, { clientSecret: 'abc' }],
      [(a) => a.jwkSetEndpoint.serviceJwksGetApi({ serviceId: sid, includePrivateKeys: true }), 'GET', `/api/${sid}/service/jwks/get?includePrivateKeys=true`, undefined],
    ];
    for (const [call, method, path, body] of calls) {
      await call(api);
      const last = sent().at(-1) as Sent;
      expect({ method: last.method, url: last.url, body: last.body }).toEqual({ method, url: `${baseUrl}${path}`, body });
      expect(last.headers.authorization).toBe('Bearer tok');
      expect(last.headers['content-type']).toBe(body === undefined ? undefined : 'application/json');
    }
    expect(sent()).toHaveLength(calls.length);
  });

  it('escapes ids in paths', async () => {
    const { sent, baseUrl } = await recordingServer(json({}));
    const api = createHttpApi({ baseUrl, token: 't' });
    await api.client.get({ serviceId: '1/../2', clientId: 'a b' });
    expect(sent()[0]?.url).toBe(`${baseUrl}/api/1%2F..%2F2/client/get/a%20b`);
  });

  it('answers 204 with nothing for deletes and an empty JWK Set for jwks/get', async () => {
    const { baseUrl } = await recordingServer(noContent);
    const api = createHttpApi({ baseUrl, token: 't' });
    await expect(api.client.delete({ serviceId: '1', clientId: '2' })).resolves.toBeUndefined();
    await expect(api.jwkSetEndpoint.serviceJwksGetApi({ serviceId: '1' })).resolves.toEqual({});
  });

  it('rejects with the standard error body of a non-2xx answer', async () => {
    const body = { resultCode: 'A001215', resultMessage: '[A001215] /auth/token, The client (ID = 5) is locked.' };
    const { baseUrl } = await recordingServer(json(body, 403));
    const api = createHttpApi({ baseUrl, token: 't' });
    const error = await api.token.process({ serviceId: '1', tokenRequest: { parameters: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaApiError);
    expect(error).toMatchObject({ status: 403, ...body, message: body.resultMessage });
  });

  it('rejects with a generic OpenCibaApiError when the error body is not the standard one', async () => {
    // What a proxy in front of the API answers when the API is down.
    const { baseUrl } = await recordingServer((_request, res) => void res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'));
    const api = createHttpApi({ baseUrl, token: 't' });
    const error = (await api.service.get({ serviceId: '1' }).catch((e: unknown) => e)) as OpenCibaApiError;
    expect(error).toBeInstanceOf(OpenCibaApiError);
    expect(error.status).toBe(502);
    expect(error.resultCode).toBe('A001101');
    expect(error.resultMessage).toBe('[A001101] /service/get, HTTP 502 Bad Gateway without the standard error body: <html>Bad Gateway</html>');
    expect(error.body).toBe('<html>Bad Gateway</html>');

    const { baseUrl: base404 } = await recordingServer((_request, res) => void res.writeHead(404, 'Not Found').end('nope'));
    const notFound = (await createHttpApi({ baseUrl: base404, token: 't' }).service.get({ serviceId: '1' }).catch((e: unknown) => e)) as OpenCibaApiError;
    expect([notFound.status, notFound.resultCode, notFound.resultMessage]).toEqual([404, 'A001201', '[A001201] /service/get, HTTP 404 Not Found without the standard error body: nope']);
  });

  it('rejects a 2xx answer that is not JSON as a transport failure', async () => {
    const { baseUrl } = await recordingServer((_request, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const api = createHttpApi({ baseUrl, token: 't' });
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('invalid-response');
    expect((error as OpenCibaTransportError).message).toBe('GET /api/1/service/get: HTTP 200 with a body that is not JSON.');
  });

  it('gives up after the timeout', async () => {
    // Takes the request and never answers.
    const { baseUrl, receiver } = await recordingServer(() => {});
    const api = createHttpApi({ baseUrl, token: 't', timeoutMs: 200 });
    const started = Date.now();
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('timeout');
    expect((error as OpenCibaTransportError).message).toBe('GET /api/1/service/get: no answer within 200 ms.');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/api/1/service/get']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after the timeout when the answer starts but its body never ends', async () => {
    const { baseUrl } = await recordingServer((_request, res) => void res.writeHead(200, { 'content-type': 'application/json' }).write('{"serviceName":'));
    const api = createHttpApi({ baseUrl, token: 't', timeoutMs: 200 });
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('timeout');
  });

  it('reports an unreachable server as a network failure', async () => {
    // A port that listened a moment ago and has nothing behind it now.
    const gone = await startReceiver();
    const baseUrl = `http://127.0.0.1:${gone.port}`;
    await gone.close();
    const api = createHttpApi({ baseUrl, token: 't', timeoutMs: 5000 });
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('network');
    expect((error as OpenCibaTransportError).message).toBe('GET /api/1/service/get: fetch failed');
    expect(((error as Error).cause as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
