import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawResponse } from '../../support/http.js';
import { newClient, newService, rawPost, startCiba, type CibaEnv } from '../../support/ciba-fixtures.js';

interface ApiCase {
  path: string;
  /** The action for a body without its required member(s) (HTTP 200). */
  missing: string[];
  /** Bodies with members of the wrong type. */
  wrongTypes: Record<string, unknown>[];
  /** A body carrying `junk` where the client's data goes. */
  carrying(junk: string): Record<string, unknown>;
  /** Actions acceptable for hostile content (never a success). */
  refusals: string[];
}

const JUNK = '\u0000\u00ff\u0001\ufffe\ud800binary\u001b[31m\u0007';

const APIS: ApiCase[] = [
  {
    path: 'backchannel/authentication',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ parameters: 123 }, { parameters: null }, { parameters: {} }, { parameters: ['scope=openid'] }, { parameters: 'scope=openid', clientId: {} }],
    carrying: (junk) => ({ parameters: junk, clientId: '1', clientSecret: 's' }),
    refusals: ['BAD_REQUEST', 'UNAUTHORIZED'],
  },
  {
    path: 'backchannel/authentication/issue',
    missing: ['INVALID_TICKET', 'INTERNAL_SERVER_ERROR'],
    wrongTypes: [{ ticket: {} }, { ticket: 123 }, { ticket: null }, { ticket: [[1]] }],
    carrying: (junk) => ({ ticket: junk }),
    refusals: ['INVALID_TICKET', 'INTERNAL_SERVER_ERROR'],
  },
  {
    path: 'backchannel/authentication/fail',
    missing: ['INTERNAL_SERVER_ERROR'],
    wrongTypes: [{ ticket: {} }, { ticket: 't', reason: 5 }, { ticket: 't', reason: 'ACCESS_DENIED', errorDescription: {} }],
    carrying: (junk) => ({ ticket: junk, reason: 'UNKNOWN_USER_ID', errorDescription: junk, errorUri: junk }),
    refusals: ['BAD_REQUEST'],
  },
  {
    path: 'backchannel/authentication/complete',
    missing: ['SERVER_ERROR'],
    wrongTypes: [{ ticket: {}, result: 'AUTHORIZED', subject: 'a' }, { ticket: 't', result: 'AUTHORIZED', subject: 'a', authTime: 'soon' }, { ticket: 't', result: 'AUTHORIZED', subject: 'a', claims: { a: 1 } }, { ticket: 't', result: 7 }],
    carrying: (junk) => ({ ticket: junk, result: 'AUTHORIZED', subject: junk, claims: junk, acr: junk }),
    refusals: ['SERVER_ERROR'],
  },
  {
    path: 'auth/token',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ parameters: 123 }, { parameters: {} }, { parameters: 'grant_type=refresh_token', accessTokenDuration: 'long' }, { parameters: 'grant_type=refresh_token', properties: 'x' }],
    carrying: (junk) => ({ parameters: junk, clientId: '1', clientSecret: 's' }),
    refusals: ['BAD_REQUEST', 'INVALID_CLIENT'],
  },
  {
    path: 'auth/introspection',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ token: {} }, { token: 't', scopes: { a: 1 } }, { token: null }],
    carrying: (junk) => ({ token: junk, subject: junk, scopes: [junk] }),
    refusals: ['BAD_REQUEST', 'UNAUTHORIZED'],
  },
  {
    path: 'auth/introspection/standard',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ parameters: {} }, { parameters: 123 }, { parameters: 'token=x', withHiddenProperties: 'perhaps' }],
    carrying: (junk) => ({ parameters: junk }),
    refusals: ['BAD_REQUEST'],
  },
  {
    path: 'auth/revocation',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ parameters: {} }, { parameters: 123 }, { parameters: 'token=x', clientId: [] }],
    carrying: (junk) => ({ parameters: junk, clientId: '1', clientSecret: 's' }),
    refusals: ['BAD_REQUEST', 'INVALID_CLIENT'],
  },
  {
    path: 'auth/userinfo',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ token: {} }, { token: 123 }, { token: null }],
    carrying: (junk) => ({ token: junk }),
    refusals: ['BAD_REQUEST', 'UNAUTHORIZED'],
  },
  {
    path: 'auth/userinfo/issue',
    missing: ['BAD_REQUEST'],
    wrongTypes: [{ token: {} }, { token: 't', claims: { a: 1 } }, { token: 't', sub: [] }],
    carrying: (junk) => ({ token: junk, claims: junk, sub: junk }),
    refusals: ['BAD_REQUEST', 'UNAUTHORIZED'],
  },
];

describe('CIBA and token action APIs under hostile input', () => {
  let env: CibaEnv;
  let serviceId: string;

  beforeAll(async () => {
    env = await startCiba();
    ({ serviceId } = await newService(env));
    await newClient(env, serviceId);
  });
  afterAll(() => env?.close());

  /** Checks every answer: no-store, JSON, no stack trace, no null, never a 5xx. */
  function wellBehaved(response: RawResponse): RawResponse {
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toBeTypeOf('object');
    expect(typeof response.json.resultCode).toBe('string');
    expect(response.json.resultCode).toMatch(/^A\d{6}$/);
    expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(response.text).not.toMatch(/node_modules|Error: /);
    expect(response.text).not.toContain('null');
    return response;
  }

  const post = (api: ApiCase, body: unknown, type?: string) => rawPost(env, `/api/${serviceId}/${api.path}`, body, type);

  describe.each(APIS.map((api) => [api.path, api] as const))('/%s', (_path, api) => {
    it('malformed JSON is a 400 with the standard error body', async () => {
      for (const body of ['{"parameters":', '{ticket: x}', '\u0000\u00ff\u0001', '[1,2', '"just a string']) {
        const response = wellBehaved(await post(api, body));
        expect(response.status).toBe(400);
        expect(response.json.resultMessage).toMatch(/^\[A\d{6}\] /);
        expect(response.json).not.toHaveProperty('action');
      }
    });

    it('a body that is not an object is a 400', async () => {
      for (const body of ['[]', '42', 'true']) {
        const response = wellBehaved(await post(api, body));
        expect(response.status).toBe(400);
      }
    });

    it('members of the wrong type are a 4xx or a refusal action, never a 5xx', async () => {
      for (const body of api.wrongTypes) {
        const response = wellBehaved(await post(api, body));
        if (response.status === 200) expect([...api.refusals, ...api.missing]).toContain(response.json.action);
        else expect(response.status).toBe(400);
      }
    });

    it('missing required members give the documented action with HTTP 200', async () => {
      const response = wellBehaved(await post(api, {}));
      expect(response.status).toBe(200);
      expect(api.missing).toContain(response.json.action);
    });

    it('200 KB of data is a 4xx or a refusal action', async () => {
      const huge = `scope=openid&login_hint=${'a'.repeat(200 * 1024)}`;
      const response = wellBehaved(await post(api, api.carrying(huge)));
      if (response.status === 200) expect(api.refusals).toContain(response.json.action);
      else expect([400, 413]).toContain(response.status);
    });

    it('binary junk is a 4xx or a refusal action', async () => {
      const response = wellBehaved(await post(api, api.carrying(JUNK)));
      if (response.status === 200) expect(api.refusals).toContain(response.json.action);
      else expect(response.status).toBe(400);
      const raw = wellBehaved(await post(api, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1')));
      expect(raw.status).toBe(400);
    });
  });

  it('an unknown reason for /fail is a 400', async () => {
    for (const reason of ['BOGUS', 'access_denied', '']) {
      const response = wellBehaved(await rawPost(env, `/api/${serviceId}/backchannel/authentication/fail`, { ticket: 't', reason }));
      expect(response.status).toBe(400);
    }
  });

  it('an unknown result for /complete is a 400', async () => {
    for (const result of ['MAYBE', 'authorized', '']) {
      const response = wellBehaved(await rawPost(env, `/api/${serviceId}/backchannel/authentication/complete`, { ticket: 't', result, subject: 'a' }));
      expect(response.status).toBe(400);
    }
  });

  it('an unknown service is a 404 with the standard body, for every API', async () => {
    for (const api of APIS) {
      const response = await rawPost(env, `/api/999999999999/${api.path}`, {});
      expect(response.status).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.json.resultCode).toMatch(/^A\d{6}$/);
      expect(response.text).not.toContain('null');
    }
  });

  it('the server still answers after all of that', async () => {
    const response = await rawPost(env, `/api/${serviceId}/backchannel/authentication`, { parameters: 'scope=openid&login_hint=alice', clientId: '1', clientSecret: 'x' });
    expect(response.status).toBe(200);
    expect(response.json.action).toBe('UNAUTHORIZED');
  });
});
