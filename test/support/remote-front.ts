/**
 * A front whose engine runs in another server (OPENCIBA_ENGINE_URL), as the remote-engine
 * security tests need it: an engine with one service whose endpoints are the front's, a poll
 * client, the front started with that service's access token, and the CIBA steps a test repeats.
 */
import { expect } from 'vitest';
import { adminApi, type AdminApi, type ClientFixture } from './admin-api.js';
import { basicAuth, postForm } from './front-fixtures.js';
import { bearer, request } from './http.js';
import { startTestServer, type Dialect, type TestServer } from './test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

export interface RemoteFront {
  engine: TestServer;
  front: TestServer;
  engineAdmin: AdminApi;
  frontAdmin: AdminApi;
  serviceId: string;
  issuer: string;
  client: ClientFixture;
  /** The service access token the front calls the engine with. */
  frontToken: string;
  /** A new access token for a service of the engine. */
  serviceToken(serviceId: string): Promise<string>;
  /** A backchannel request for `subject`, approved on the simulator; its auth_req_id. */
  approved(subject: string): Promise<string>;
  /** Tokens for `subject` from an approved poll request. */
  tokensOf(subject: string): Promise<{ access_token: string; refresh_token: string }>;
  close(): Promise<void>;
}

/** `engineUrl` lets a test put something (a relay) between the front and the engine. */
export async function startRemoteFront(dialect: Dialect, options: { engineUrl?: (engine: TestServer) => Promise<string> } = {}): Promise<RemoteFront> {
  const engine = await startTestServer({ dialect });
  const engineAdmin = adminApi(engine.baseUrl, engine.adminToken);
  const { serviceId, created } = await engineAdmin.createService({ serviceName: 'remote', backchannelPollingInterval: 1 });
  const serviceToken = async (id: string) =>
    (await request(`${engine.baseUrl}/admin/services/${id}/tokens`, { method: 'POST', headers: bearer(engine.adminToken) })).json.token as string;
  const frontToken = await serviceToken(serviceId);
  const engineUrl = options.engineUrl ? await options.engineUrl(engine) : engine.baseUrl;
  const front = await startTestServer({ dialect, env: { OPENCIBA_ENGINE_URL: engineUrl, OPENCIBA_ENGINE_TOKEN: frontToken } });
  const issuer = `${front.baseUrl}/s/${serviceId}`;
  await engineAdmin.call('POST', `/api/${serviceId}/service/update`, { ...created, issuer, tokenEndpoint: `${issuer}/token`, backchannelAuthenticationEndpoint: `${issuer}/backchannel/authentication`, jwksUri: `${issuer}/jwks` });
  const client = await engineAdmin.createClient(serviceId, { bcDeliveryMode: 'POLL' });
  const auth = () => basicAuth(client.clientId, client.clientSecret);

  const approved = async (subject: string) => {
    const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: subject }, auth());
    expect(started.status, started.text).toBe(200);
    expect((await request(`${issuer}/device/api/ciba/${started.json.auth_req_id}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    return started.json.auth_req_id as string;
  };
  return {
    engine,
    front,
    engineAdmin,
    frontAdmin: adminApi(front.baseUrl, front.adminToken),
    serviceId,
    issuer,
    client,
    frontToken,
    serviceToken,
    approved,
    async tokensOf(subject) {
      const answer = await postForm(`${issuer}/token`, { grant_type: CIBA, auth_req_id: await approved(subject) }, auth());
      expect(answer.status, answer.text).toBe(200);
      return answer.json;
    },
    async close() {
      await front.close();
      await engine.close();
    },
  };
}
