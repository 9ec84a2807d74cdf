import { Authlete } from '@authlete/typescript-sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../support/clock.js';
import { adminApi } from '../../support/admin-api.js';
import { CIBA_GRANT, form } from '../../support/ciba-fixtures.js';
import { dpopKey, proof } from '../../support/dpop.js';
import { DIALECTS, freshPostgresUrl, startTestServer, type TestServer } from '../../support/test-server.js';

/** RFC 9449 §11.1: a proof's jti is spent for every node, since the nodes share one database. */
describe.each(DIALECTS)('a DPoP proof replayed on another node (%s)', (dialect) => {
  const clock = new ManualClock();
  let nodes: TestServer[] = [];
  let shared: string;
  // The nodes' own admin token (startTestServer reports its default, which env replaces).
  const adminToken = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    shared = mkdtempSync(join(tmpdir(), 'openciba-dpop-nodes-'));
    const env = {
      OPENCIBA_DATA_DIR: shared,
      OPENCIBA_ADMIN_TOKEN: adminToken,
      OPENCIBA_MASTER_KEY: randomBytes(32).toString('base64'),
      ...(dialect === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    };
    const first = await startTestServer({ clock, env, background: false });
    nodes = [first, await startTestServer({ clock, env, background: false })];
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    rmSync(shared, { recursive: true, force: true });
  });

  it('node B refuses the proof node A accepted', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const admin = adminApi(a.baseUrl, adminToken);
    const { serviceId, tokenEndpoint } = await admin.createService({ serviceName: 'two nodes' });
    const { clientId, clientSecret } = await admin.createClient(serviceId, { bcDeliveryMode: 'POLL' });
    const sdkA = new Authlete({ bearer: adminToken, serverURL: a.baseUrl });
    const sdkB = new Authlete({ bearer: adminToken, serverURL: b.baseUrl });
    const approved = async () => {
      const authn = await sdkA.ciba.processAuthentication({ serviceId, backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice' }), clientId, clientSecret } });
      const issued = await sdkA.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: String(authn.ticket) } });
      await sdkA.ciba.complete({ serviceId, backchannelAuthenticationCompleteRequest: { ticket: String(authn.ticket), result: 'AUTHORIZED', subject: 'alice' } });
      return String(issued.authReqId);
    };
    const key = await dpopKey();
    const dpop = await proof(key, { htu: tokenEndpoint, nowMs: clock.now() });
    const poll = (sdk: Authlete, authReqId: string, proofJwt = dpop) =>
      sdk.token.process({ serviceId, tokenRequest: { parameters: form({ grant_type: CIBA_GRANT, auth_req_id: authReqId }), clientId, clientSecret, dpop: proofJwt } });

    expect((await poll(sdkA, await approved())).action).toBe('OK');
    const second = await approved();
    const replayed = await poll(sdkB, second);
    expect(replayed.action).toBe('BAD_REQUEST');
    expect(JSON.parse(String(replayed.responseContent))).toMatchObject({ error: 'invalid_dpop_proof', error_description: expect.stringMatching(/used before/) });
    // The same request with a fresh proof works on node B.
    expect((await poll(sdkB, second, await proof(key, { htu: tokenEndpoint, nowMs: clock.now() }))).action).toBe('OK');
  });
});
