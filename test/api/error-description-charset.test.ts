import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/test-server.js';
import { content, keyPair, newClient, newService, signJwt, startCiba, type CibaEnv, type KeyPair, type TestClient, type TestService } from '../support/ciba-fixtures.js';
import { basicAuth } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { echoed, errorDescription } from '../../src/lib/error-description.js';

/**
 * RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E. Our own messages
 * quote with `'`; input a message echoes (a repeated parameter's name, an unknown scope, a
 * request object's kid) is cut to 64 characters and anything outside the set becomes `?`. The
 * test server checks every answer of every test for the rule (test/support/test-server.ts);
 * these are the hostile cases, with the exact descriptions, on the API and at the front.
 */
const RFC6749_DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

describe('errorDescription and echoed (src/lib/error-description.ts)', () => {
  it('replaces each code point outside the set with ? and bounds the length', () => {
    expect(errorDescription('a "quoted" \\ back\nslash\u0000\u00e9\u{1F600}~')).toBe("a ?quoted? ? back?slash???~");
    expect(errorDescription('x'.repeat(5000))).toBe(`${'x'.repeat(1021)}...`);
    expect(errorDescription("[A169305] it's fine: {}[]!#$%&()*+,-./")).toBe("[A169305] it's fine: {}[]!#$%&()*+,-./");
  });

  it('cuts echoed input to 64 characters before replacing', () => {
    expect(echoed('"\n\\')).toBe('???');
    expect(echoed(`${'"'.repeat(70)}`)).toBe(`${'?'.repeat(64)}...`);
    expect(echoed('short')).toBe('short');
  });
});

describe.each(DIALECTS)('error_description keeps to RFC 6749 §5.2 under hostile input (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let key: KeyPair;
  let client: TestClient;
  let front: string;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    key = await keyPair('PS256', 'registered');
    client = await newClient(env, service.serviceId, { bcRequestSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key.publicJwk] }) });
    await env.admin.putUser(service.serviceId, 'alice', { name: 'Alice' });
    front = service.issuer;
  });
  afterAll(() => env?.close());

  const now = () => Math.floor(env.clock.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    scope: 'openid', login_hint: 'alice', iat: now(), nbf: now(), exp: now() + 300,
    jti: randomBytes(12).toString('base64url'), iss: client.clientId, ...extra,
  });

  /** The request object refusals: a quote-laden claim name and no aud; a kid with quotes and control characters. */
  const requestObjects = async () => ({
    noAud: await signJwt(key, claims({ '"evil\\claim"\n': '"\u0001"' })),
    badKid: await signJwt(key, { ...claims(), aud: service.issuer }, { kid: 'k"\\\n\u0007"id' }),
  });

  const api = async (body: string) => {
    const answer = await env.sdk.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: { parameters: body, clientId: client.clientId, clientSecret: client.clientSecret },
    });
    expect(answer.action).toBe('BAD_REQUEST');
    return content(answer);
  };
  const atFront = async (body: string) => {
    const response = await request(`${front}/backchannel/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(client.clientId, client.clientSecret) },
      body,
    });
    expect(response.status, response.text).toBe(400);
    return response.json as Record<string, unknown>;
  };

  const cases = async () => {
    const { noAud, badKid } = await requestObjects();
    return [
      {
        what: 'a request object with a quote-laden claim name and no aud',
        body: `request=${noAud}`,
        error: 'invalid_request',
        description: "[A169318] The request object is invalid: request object has no 'aud' claim.",
      },
      {
        what: 'a request object whose kid holds quotes and control characters',
        body: `request=${badKid}`,
        error: 'invalid_request',
        description: "[A169318] The request object is invalid: the client has no registered key with kid 'k?????id' for PS256.",
      },
      {
        what: 'a repeated parameter named %22%0A',
        body: `request=${noAud}&%22%0Ax%5C=1&%22%0Ax%5C=2`,
        error: 'invalid_request',
        description: "[A169305] The request parameters are malformed: the parameter '??x?' is included more than once.",
      },
      {
        what: 'a repeated parameter with a long hostile name',
        body: `request=${noAud}&${'%22'.repeat(100)}=1&${'%22'.repeat(100)}=2`,
        error: 'invalid_request',
        description: `[A169305] The request parameters are malformed: the parameter '${'?'.repeat(64)}...' is included more than once.`,
      },
    ];
  };

  for (const [where, send] of [['the API', () => api], ['the front', () => atFront]] as const) {
    it(`request objects and repeated parameters at ${where}`, async () => {
      for (const c of await cases()) {
        const body = await send()(c.body);
        expect(body, c.what).toEqual({ error: c.error, error_description: c.description });
        expect(body.error_description).toMatch(RFC6749_DESCRIPTION);
      }
    });

    it(`an unknown scope with %22 and %5C at ${where}`, async () => {
      // A client without a registered request signing algorithm, so plain parameters are accepted.
      const plain = await newClient(env, service.serviceId);
      const body = `scope=openid%20a%22b%5Cc%0D&login_hint=alice`;
      const answer =
        where === 'the API'
          ? content(await env.sdk.ciba.processAuthentication({
              serviceId: service.serviceId,
              backchannelAuthenticationRequest: { parameters: body, clientId: plain.clientId, clientSecret: plain.clientSecret },
            }))
          : (
              await request(`${front}/backchannel/authentication`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(plain.clientId, plain.clientSecret) },
                body,
              })
            ).json;
      expect(answer).toEqual({ error: 'invalid_scope', error_description: "[A169307] The scope 'a?b?c?' is not supported." });
    });
  }
});
