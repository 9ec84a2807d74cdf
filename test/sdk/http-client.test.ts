import { describe, expect, it } from 'vitest';
import { createHttpApi, OpenCibaApiError, OpenCibaTransportError, type OpenCibaApi } from '../../src/sdk/index.js';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records what it is asked and answers with `reply`. */
function recordingFetch(reply: (sent: Sent) => Response) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const entry: Sent = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
    };
    sent.push(entry);
    return reply(entry);
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

describe('createHttpApi', () => {
  it("uses Authlete's v3 methods, paths and query strings", async () => {
    const { sent, fetch } = recordingFetch((s) => (s.method === 'DELETE' ? new Response(null, { status: 204 }) : json({ action: 'OK' })));
    const api = createHttpApi({ baseUrl: 'https://api.example.com/', token: 'tok', fetch });
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
      [(a) => a.jwkSetEndpoint.serviceJwksGetApi({ serviceId: sid, includePrivateKeys: true }), 'GET', `/api/${sid}/service/jwks/get?includePrivateKeys=true`, undefined],
    ];
    for (const [call, method, path, body] of calls) {
      await call(api);
      const last = sent.at(-1) as Sent;
      expect({ method: last.method, url: last.url, body: last.body }).toEqual({ method, url: `https://api.example.com${path}`, body });
      expect(last.headers.authorization).toBe('Bearer tok');
      expect(last.headers['content-type']).toBe(body === undefined ? undefined : 'application/json');
    }
    expect(sent).toHaveLength(calls.length);
  });

  it('escapes ids in paths', async () => {
    const { sent, fetch } = recordingFetch(() => json({}));
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch });
    await api.client.get({ serviceId: '1/../2', clientId: 'a b' });
    expect(sent[0]?.url).toBe('http://h/api/1%2F..%2F2/client/get/a%20b');
  });

  it('answers 204 with nothing for deletes and an empty JWK Set for jwks/get', async () => {
    const { fetch } = recordingFetch(() => new Response(null, { status: 204 }));
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch });
    await expect(api.client.delete({ serviceId: '1', clientId: '2' })).resolves.toBeUndefined();
    await expect(api.jwkSetEndpoint.serviceJwksGetApi({ serviceId: '1' })).resolves.toEqual({});
  });

  it('rejects with the standard error body of a non-2xx answer', async () => {
    const body = { resultCode: 'A001215', resultMessage: '[A001215] /auth/token, The client (ID = 5) is locked.' };
    const { fetch } = recordingFetch(() => json(body, 403));
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch });
    const error = await api.token.process({ serviceId: '1', tokenRequest: { parameters: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaApiError);
    expect(error).toMatchObject({ status: 403, ...body, message: body.resultMessage });
  });

  it('rejects with a generic OpenCibaApiError when the error body is not the standard one', async () => {
    const { fetch } = recordingFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch });
    const error = (await api.service.get({ serviceId: '1' }).catch((e: unknown) => e)) as OpenCibaApiError;
    expect(error).toBeInstanceOf(OpenCibaApiError);
    expect(error.status).toBe(502);
    expect(error.resultCode).toBe('A001101');
    expect(error.resultMessage).toContain('HTTP 502');
    expect(error.body).toBe('<html>Bad Gateway</html>');

    const { fetch: fetch404 } = recordingFetch(() => new Response('nope', { status: 404 }));
    const notFound = (await createHttpApi({ baseUrl: 'http://h', token: 't', fetch: fetch404 }).service.get({ serviceId: '1' }).catch((e: unknown) => e)) as OpenCibaApiError;
    expect([notFound.status, notFound.resultCode]).toEqual([404, 'A001201']);
  });

  it('rejects a 2xx answer that is not JSON as a transport failure', async () => {
    const { fetch } = recordingFetch(() => new Response('ok', { status: 200 }));
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch });
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('invalid-response');
  });

  it('gives up after the timeout', async () => {
    const hanging = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof globalThis.fetch;
    const api = createHttpApi({ baseUrl: 'http://h', token: 't', fetch: hanging, timeoutMs: 50 });
    const started = Date.now();
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports an unreachable server as a network failure', async () => {
    // Port 9 (discard) on loopback is closed on any sane test machine.
    const api = createHttpApi({ baseUrl: 'http://127.0.0.1:9', token: 't', timeoutMs: 5000 });
    const error = await api.service.get({ serviceId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCibaTransportError);
    expect((error as OpenCibaTransportError).failure).toBe('network');
  });
});
