/**
 * FAPI-CIBA plan rows 12–28 and 43 (conformance-ciba.md §2.2): request objects the OP must refuse
 * with 400 invalid_request and the §3.2 error shape, in the four variants, on both dialects.
 * The FAPI rules these rows need are explicit settings here (conformance-op.ts): the service's
 * requestObjectRequired (row 43) and each client's bcRequestSignAlg PS256 or ES256 (rows 24, 26).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { expectBackchannelError, INVALID_REQUEST } from './checks.js';

type Build = (op: ConformanceOp, client1: PlanClient, client2: PlanClient) => Promise<string>;

const seconds = (op: ConformanceOp) => Math.floor(op.clock.now() / 1000);

/** An unsecured JWT (alg none, empty signature) of the std claims. */
async function unsecured(client: PlanClient): Promise<string> {
  const [, payload] = (await client.requestObject()).split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
}

/** A correctly formed JWS whose signature bytes are XORed with 0x5A. */
async function badSignature(client: PlanClient): Promise<string> {
  const [header, payload, signature] = (await client.requestObject()).split('.');
  const altered = Buffer.from(signature!, 'base64url').map((byte) => byte ^ 0x5a);
  return `${header}.${payload}.${Buffer.from(altered).toString('base64url')}`;
}

const ROWS: [number, string, Build][] = [
  [12, 'missing aud', (_op, c) => c.requestObject({ aud: undefined })],
  [13, 'bad aud', (_op, c) => c.requestObject({ aud: 'https://www.other1.example.com/' })],
  [14, 'missing iss', (_op, c) => c.requestObject({ iss: undefined })],
  [15, "iss is client 2's client_id", (_op, c, other) => c.requestObject({ iss: other.clientId })],
  [16, 'missing exp', (_op, c) => c.requestObject({ exp: undefined })],
  [17, 'exp an hour ago', (op, c) => c.requestObject({ exp: seconds(op) - 3600 })],
  [18, 'exp 70 minutes ahead (lifetime over 60 minutes)', (op, c) => c.requestObject({ exp: seconds(op) + 70 * 60, nbf: seconds(op) })],
  [19, 'missing iat', (_op, c) => c.requestObject({ iat: undefined })],
  [20, 'missing nbf', (_op, c) => c.requestObject({ nbf: undefined })],
  [21, 'nbf 10 minutes ahead', (op, c) => c.requestObject({ nbf: seconds(op) + 600 })],
  [22, 'nbf 70 minutes ago', (op, c) => c.requestObject({ nbf: seconds(op) - 70 * 60, exp: seconds(op) + 300 })],
  [23, 'missing jti', (_op, c) => c.requestObject({ jti: undefined })],
  [24, 'alg none', (_op, c) => unsecured(c)],
  [25, 'altered signature', (_op, c) => badSignature(c)],
  [27, "signed with client 2's key", (_op, c, other) => c.requestObject({}, { key: other.key })],
  [28, 'both login_hint and login_hint_token, no binding_message', (_op, c) => c.requestObject({ login_hint: 'join@example.com', login_hint_token: 'xxxxxxxxxxxxxxxxxxxx', binding_message: undefined })],
];

describe.each(DIALECTS)('FAPI-CIBA plan, request-object rows (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    let client1: PlanClient;
    let client2: PlanClient;
    beforeAll(async () => {
      client1 = await registerClient(op, variant, 1);
      client2 = await registerClient(op, variant, 2);
    });
    const send = async (form: Record<string, string>) => client1.backchannel({ ...form, ...(await client1.authForm(op.metadata.backchannel_authentication_endpoint)) });

    it.each(ROWS)('row %i (%s): 400 invalid_request', async (_row, _what, build) => {
      expectBackchannelError(await send({ request: await build(op, client1, client2) }), INVALID_REQUEST);
    });

    // Row 26 applies because client 1's key is PS256 (the suite skips it otherwise): the same RSA
    // key signing RS256 is refused by the client's bcRequestSignAlg (FAPI-CIBA §7.10).
    it('row 26 (request object signed RS256 with the client\'s RSA key): 400 invalid_request', async () => {
      expectBackchannelError(await send({ request: await client1.requestObject({}, { alg: 'RS256' }) }), INVALID_REQUEST);
    });

    it('row 43 (no request parameter, every parameter a plain form field): 400 invalid_request', async () => {
      const plain = { scope: 'openid email', login_hint: 'alice', binding_message: '1234', ...(variant.mode === 'ping' ? { client_notification_token: client1.notificationToken } : {}) };
      expectBackchannelError(await send(plain), INVALID_REQUEST);
    });
  });
});
