import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { CompactSign, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, withoutNulls } from '../../src/lib/json.js';
import { content, form, keyPair, newClient, newService, startCiba, type CibaEnv } from '../support/ciba-fixtures.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request, type RawResponse } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Deeply nested input on every endpoint that takes a body: the route table comes from the
 * running server, so a new route is covered without touching this file. Never a 500, always the
 * JSON error of its side of the server (API: resultCode/resultMessage; front: OAuth `error`),
 * no-store, and the server keeps answering.
 */

const DEPTHS = [100, 5_000, 100_000];
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

interface Route {
  method: string;
  path: string;
}

/** Fastify's printed route tree, flattened: each line's segment appended to its parent's path. */
function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│   |    )*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, path });
  }
  return routes;
}

const nestedArrays = (depth: number) => `{"ticket":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
const nestedKey = (depth: number) => `a${'[a]'.repeat(depth)}=1`;

/** A raw request that can carry a body on any method (fetch refuses one on GET). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('deeply nested input on every endpoint', () => {
  let server: TestServer;
  let front: FrontFixture;
  let routes: Route[];
  let concrete: (path: string) => string;

  beforeAll(async () => {
    server = await startTestServer();
    front = await createFront(server);
    routes = routesOf(server.runtime.app.printRoutes({ commonPrefix: false }));
    const pending = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(front.clientId, front.clientSecret));
    expect(pending.status, pending.text).toBe(200);
    const values: Record<string, string> = {
      serviceId: String(front.serviceId),
      clientId: String(front.clientId),
      subject: 'alice',
      id: String(pending.json.auth_req_id),
      decision: 'allow',
    };
    concrete = (path) => path.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name] ?? name);
  });
  afterAll(() => server?.close());

  const isApi = (path: string) => path.startsWith('/api/') || path.startsWith('/admin/');
  const isFront = (path: string) => path.startsWith('/s/');
  const isPage = (path: string) => path.endsWith('/device') || /\/authenticator(\/|\/:file)?$/.test(path);
  // The operator routes of the signing keys answer OAuth-style JSON errors (admin-key-routes.ts).
  const isOperator = (path: string) => /^\/admin\/services\/:serviceId\/keys(\/|$)/.test(path);

  async function expectStillAnswering(): Promise<void> {
    const health = await request(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
  }

  function expectRefused(response: RawResponse, route: Route, status: number, what: string): void {
    const where = `${route.method} ${route.path} ${what}: ${response.status} ${response.text.slice(0, 200)}`;
    expect(response.status, where).toBe(status);
    expect(response.headers.get('content-type'), where).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control'), where).toBe('no-store');
    if (isOperator(route.path)) {
      const description = status === 413 ? /^The request body exceeds the limit of \d+ bytes\.$/ : /^The request body nests deeper than 64 levels\.$/;
      expect(response.json, where).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(description) });
    } else if (isApi(route.path)) {
      const message = status === 413 ? /^\[A001209\] .*exceeds the limit/ : /^\[A001201\] .*nests deeper than 64 levels\.$/;
      expect(response.json, where).toEqual({ resultCode: status === 413 ? 'A001209' : 'A001201', resultMessage: expect.stringMatching(message) });
    } else {
      expect(response.json, where).toEqual({ error: 'invalid_request', error_description: status === 413 ? 'The request body is too large.' : 'The request is malformed.' });
    }
  }

  it('finds the API, administration and front routes in the route table (and every route of the OpenAPI document)', async () => {
    const doc = (await request(`${server.baseUrl}/api/openapi.json`)).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`));
    const table = routes.map((r) => `${r.method} ${r.path}`);
    expect(documented.length).toBeGreaterThan(20);
    for (const route of documented) expect(table, route).toContain(route);
    for (const needed of ['POST /api/:serviceId/backchannel/authentication', 'POST /api/:serviceId/auth/token', 'PUT /admin/services/:serviceId/users/:subject', 'POST /s/:serviceId/token', 'POST /s/:serviceId/device/api/ciba/:id/:decision']) {
      expect(table).toContain(needed);
    }
  });

  it('JSON nested 100, 5,000 and 100,000 deep is a 400 with the JSON error, everywhere a body is read', async () => {
    const targets = routes.filter((r) => BODY_METHODS.includes(r.method) && (isApi(r.path) || isFront(r.path)));
    expect(targets.length).toBeGreaterThan(25);
    for (const route of targets) {
      for (const depth of DEPTHS) {
        for (const [shape, body] of [['arrays', nestedArrays(depth)], ['objects', nestedObjects(depth)]] as const) {
          const send = (text: string) => rawRequest(`${server.baseUrl}${concrete(route.path)}`, route.method, { ...bearer(server.adminToken), 'content-type': 'application/json' }, text);
          const response = await send(body);
          if (response.status === 413) {
            // A route with a body limit of its own, below the server's (the authenticator app's
            // API), refuses the size before it parses: only if a flat body of the same length is
            // refused the same way.
            expectRefused(await send(`{"a":"${'x'.repeat(body.length - 8)}"}`), route, 413, `flat body as long as ${shape} ${depth}`);
            expectRefused(response, route, 413, `${shape} ${depth}`);
          } else {
            expectRefused(response, route, 400, `${shape} ${depth}`);
          }
        }
      }
      await expectStillAnswering();
    }
  });

  it('a GET with a nested JSON body is answered as without one (never a 500)', async () => {
    const targets = routes.filter((r) => r.method === 'GET' && (isApi(r.path) || isFront(r.path)));
    expect(targets.length).toBeGreaterThan(10);
    for (const route of targets) {
      const response = await rawRequest(`${server.baseUrl}${concrete(route.path)}`, 'GET', { ...bearer(server.adminToken), 'content-type': 'application/json' }, nestedArrays(100_000));
      expect(response.status, `${route.path}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
      // The simulator's page and the authenticator app's files (and its redirect to them) are not JSON; every other answer is.
      if (!isPage(route.path)) expect(response.headers.get('content-type'), route.path).toMatch(/^application\/(jwk-set\+)?json/);
    }
    await expectStillAnswering();
  });

  it('bodies over the size limit get the JSON error (413), not an HTML page', async () => {
    const targets = routes.filter((r) => BODY_METHODS.includes(r.method) && (isApi(r.path) || isFront(r.path)));
    const big = `{"a":"${'x'.repeat(server.config.bodyLimit)}"}`;
    for (const route of targets) {
      for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
        const response = await rawRequest(`${server.baseUrl}${concrete(route.path)}`, route.method, { ...bearer(server.adminToken), 'content-type': type }, big);
        expectRefused(response, route, 413, type);
      }
    }
    await expectStillAnswering();
  });

  it('the front\'s form endpoints take keys that look nested as plain names', async () => {
    // The device pages' APIs (simulator, authenticator app) take JSON, covered above.
    const targets = routes.filter((r) => r.method === 'POST' && isFront(r.path) && !r.path.includes('/device/') && !r.path.includes('/authenticator/'));
    expect(targets.map((r) => r.path).sort()).toEqual(['/s/:serviceId/backchannel/authentication', '/s/:serviceId/introspect', '/s/:serviceId/revoke', '/s/:serviceId/token', '/s/:serviceId/userinfo']);
    for (const route of targets) {
      for (const depth of DEPTHS) {
        const response = await request(`${server.baseUrl}${concrete(route.path)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(front.clientId, front.clientSecret) },
          body: nestedKey(depth),
        });
        const where = `${route.path} ${depth}: ${response.status} ${response.text.slice(0, 200)}`;
        expect(response.status, where).toBeGreaterThanOrEqual(400);
        expect(response.status, where).toBeLessThan(500);
        expect(response.json?.error, where).toEqual(expect.any(String));
        expect(response.headers.get('cache-control'), where).toBe('no-store');
      }
    }
    await expectStillAnswering();
  });

  it('JSON inside a parameter (authorization_details) nested deep is the OAuth error, at the front and the API', async () => {
    const auth = basicAuth(front.clientId, front.clientSecret);
    for (const depth of DEPTHS) {
      const details = `[{"type":"payment","deep":${'['.repeat(depth)}${']'.repeat(depth)}}]`;
      // 100,000 deep, the form is longer than the engine takes parameters (64 KiB): refused as such.
      const error = depth === 100_000 ? 'invalid_request' : 'invalid_authorization_details';
      const viaFront = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', authorization_details: details }, auth);
      expect(viaFront.status, `${depth}: ${viaFront.text.slice(0, 200)}`).toBe(400);
      expect(viaFront.json, `${depth}`).toMatchObject({ error });
      expect(viaFront.headers.get('cache-control')).toBe('no-store');

      const viaApi = await request(`${server.baseUrl}/api/${front.serviceId}/backchannel/authentication`, {
        method: 'POST',
        headers: { ...bearer(server.adminToken), 'content-type': 'application/json' },
        body: JSON.stringify({ parameters: new URLSearchParams({ scope: 'openid', login_hint: 'alice', authorization_details: details }).toString(), clientId: String(front.clientId), clientSecret: front.clientSecret }),
      });
      expect(viaApi.status, `${depth}: ${viaApi.text.slice(0, 200)}`).toBe(200);
      expect(viaApi.json).toMatchObject({ action: 'BAD_REQUEST' });
      expect(JSON.parse(viaApi.json.responseContent), `${depth}`).toMatchObject({ error });
    }
    await expectStillAnswering();
  });
});

describe('the walkers over request JSON', () => {
  it('measure nesting from the text, not counting brackets inside strings', () => {
    expect(jsonNestsDeeperThan('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan(`{"a":"${'['.repeat(1000)}"}`, 1)).toBe(false);
    expect(jsonNestsDeeperThan(`{"a":"\\\"${'{'.repeat(10)}"}`, 1)).toBe(false);
    expect(jsonNestsDeeperThan(`{"a":"\\\\"${'['.repeat(2)}`, 2)).toBe(true);
  });

  it('strip nulls from a value nested 100,000 deep without running out of stack', () => {
    let value: unknown = { keep: 1, drop: null, list: [null, 2, undefined, { x: null }] };
    for (let i = 0; i < 100_000; i++) value = { a: value, n: null };
    let copy = withoutNulls(value) as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) {
      expect(Object.keys(copy)).toEqual(['a']);
      copy = copy.a as Record<string, unknown>;
    }
    expect(copy).toEqual({ keep: 1, list: [2, {}] });
  });
});

describe('a signed request object whose payload nests deep', () => {
  let env: CibaEnv;
  afterAll(() => env?.close());

  it('is an invalid request, and the same request nested shallowly is accepted', async () => {
    env = await startCiba();
    const service = await newService(env);
    const key = await keyPair('PS256');
    const client = await newClient(env, service.serviceId, { bcRequestSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key.publicJwk] }) });
    const privateKey = await importJWK(key.privateJwk, key.alg);
    // The payload is written as text: JSON.stringify itself cannot produce one this deep.
    const signed = (depth: number) => {
      const t = Math.floor(env.clock.now() / 1000);
      const claims = JSON.stringify({ scope: 'openid', login_hint: 'alice', aud: service.issuer, iss: client.clientId, iat: t, nbf: t, exp: t + 300, jti: randomBytes(12).toString('hex') });
      const payload = `${claims.slice(0, -1)},"authorization_details":[{"type":"payment","deep":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;
      return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(privateKey);
    };
    const send = async (depth: number) =>
      env.sdk.ciba.processAuthentication({
        serviceId: service.serviceId,
        backchannelAuthenticationRequest: { parameters: form({ request: await signed(depth) }), clientId: client.clientId, clientSecret: client.clientSecret },
      });

    expect((await send(3)).action).toBe('USER_IDENTIFICATION');
    for (const depth of [100, 5_000]) {
      const answer = await send(depth);
      expect(answer.action, `${depth}`).toBe('BAD_REQUEST');
      expect(content(answer).error, `${depth}`).toBe('invalid_request');
    }
  });
});
