/**
 * x-fapi-interaction-id (FAPI 1 Baseline §6.2.1-11/12), which the plan's resource call (§3.8) and
 * ConnectID's backchannel and token checks require: echoed when the client sent a UUID, a fresh
 * UUID otherwise, on success and error answers alike; hostile values are never echoed nor a 500.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient, startConformanceOp, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { fullSuccess } from './flow.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe.each(DIALECTS)('x-fapi-interaction-id at the front (%s)', (dialect) => {
  let op: ConformanceOp;
  let client: PlanClient;
  let accessToken: string;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
    client = await registerClient(op, { auth: 'tls_client_auth', mode: 'poll' }, 1);
    accessToken = (await fullSuccess(op, client)).tokens.access_token;
  });
  afterAll(async () => op?.close());

  const userinfo = (headers: Record<string, string>) => op.call(op.metadata.userinfo_endpoint, client.cert, { headers: { authorization: `Bearer ${accessToken}`, ...headers } });

  it('echoes the client\'s UUID at userinfo, the backchannel and the token endpoint, errors included', async () => {
    const id = randomUUID().toUpperCase();
    expect((await userinfo({ 'x-fapi-interaction-id': id })).headers.get('x-fapi-interaction-id')).toBe(id);
    const refused = await userinfo({ authorization: 'Bearer not-a-token', 'x-fapi-interaction-id': id });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-fapi-interaction-id')).toBe(id);
    const backchannel = await client.backchannel({ request: await client.requestObject(), client_id: client.clientId }, {});
    expect(backchannel.status).toBe(200);
    const token = await op.call(op.metadata.token_endpoint, client.cert, { form: { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'unknown', client_id: client.clientId }, headers: { 'x-fapi-interaction-id': id } });
    expect(token.status).toBe(400);
    expect(token.headers.get('x-fapi-interaction-id')).toBe(id);
  });

  it('answers a fresh UUID when none, or no UUID, was sent', async () => {
    const none = await userinfo({});
    expect(none.status).toBe(200);
    expect(none.headers.get('x-fapi-interaction-id')).toMatch(UUID);
    for (const hostile of ['not-a-uuid', `${randomUUID()} extra`, `${randomUUID()},${randomUUID()}`, 'A'.repeat(8_000), '<script>', '']) {
      const answer = await userinfo({ 'x-fapi-interaction-id': hostile });
      expect(answer.status).toBe(200);
      const echoed = answer.headers.get('x-fapi-interaction-id');
      expect(echoed).toMatch(UUID);
      expect(echoed).not.toBe(hostile);
    }
  });
});
