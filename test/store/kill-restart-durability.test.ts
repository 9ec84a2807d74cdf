/**
 * Durability: what a server answered survives its process being killed. A real server process
 * (`openciba serve` with an embedded device, test/support/embedded-serve.mjs) runs CIBA flows
 * concurrently on two services — one approving inside the backchannel request (the embedded
 * device, as the benchmark does), one approved by a separate call (the simulator's approval URL)
 * — is SIGKILLed at a random moment, and is started again on the same database. Then every
 * auth_req_id answered 200 still answers the token endpoint in the right state, every approval
 * answered still yields tokens, every token answered is still active, and no auth_req_id is
 * exchanged twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { startEmbeddedServe, type NodeProcess } from '../support/cli.js';
import { request, type RawResponse } from '../support/http.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';
const WORKERS = 16;
type Kind = 'embedded' | 'separate';

interface Client {
  clientId: string;
  clientSecret: string;
}

interface Flow {
  kind: Kind;
  authReqId?: string;
  /** The approval was sent (separate kind) and whether its answer said AUTHORIZED. */
  approvalSent: boolean;
  approvalAcked: boolean;
  /** A token request was sent, and the access tokens it answered. */
  tokenSent: boolean;
  accessTokens: string[];
}

const basic = (c: Client) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

function form(url: string, body: Record<string, string>, authorization: string): Promise<RawResponse> {
  return request(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
}

interface Setup {
  services: Record<Kind, { serviceId: string; client: Client }>;
}

async function setUp(url: string, adminToken: string): Promise<Setup> {
  const api = adminApi(url, adminToken);
  const service = async (kind: Kind) => {
    const { serviceId } = await api.createService({ serviceName: `durability ${kind}`, backchannelPollingInterval: 1 });
    const { clientId, clientSecret } = await api.createClient(serviceId, { clientName: kind, bcDeliveryMode: 'POLL' });
    await api.putUser(serviceId, 'alice', { name: 'Alice' });
    // A durability test, not push-bombing: hundreds of requests at one user within a second.
    await api.call('PUT', `/admin/services/${serviceId}/front`, {
      maxPendingRequestsPerUser: 1000,
      maxRequestsPerMinutePerUser: 1_000_000,
      maxRequestsPerMinutePerClient: 1_000_000,
      ...(kind === 'embedded' ? { deviceChannel: 'embedded' } : {}),
    });
    return { serviceId, client: { clientId, clientSecret } };
  };
  return { services: { embedded: await service('embedded'), separate: await service('separate') } };
}

/** One flow to its end or to the first answer lost with the process. */
async function runFlow(url: string, setup: Setup, kind: Kind, flows: Flow[]): Promise<void> {
  const { serviceId, client } = setup.services[kind];
  const flow: Flow = { kind, approvalSent: false, approvalAcked: false, tokenSent: false, accessTokens: [] };
  const started = await form(`${url}/s/${serviceId}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basic(client));
  if (started.status !== 200) throw new Error(`backchannel ${started.status} ${started.text}`);
  flow.authReqId = started.json.auth_req_id;
  flows.push(flow);
  if (kind === 'separate') {
    flow.approvalSent = true;
    const approved = await request(`${url}/s/${serviceId}/device/api/ciba/${flow.authReqId}/allow`, { method: 'POST' });
    if (approved.json?.result !== 'AUTHORIZED') throw new Error(`approval ${approved.status} ${approved.text}`);
    flow.approvalAcked = true;
  } else {
    // The embedded device approved inside the backchannel request, before its 200.
    flow.approvalAcked = true;
  }
  flow.tokenSent = true;
  const token = await form(`${url}/s/${serviceId}/token`, { grant_type: CIBA, auth_req_id: flow.authReqId! }, basic(client));
  if (token.status !== 200 || typeof token.json?.access_token !== 'string') throw new Error(`token ${token.status} ${token.text}`);
  flow.accessTokens.push(token.json.access_token);
}

describe.each(DIALECTS)('a server SIGKILLed under load and restarted on its database (%s)', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-durability-'));
  const running: NodeProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every answered request, approval and token, and exchanges no auth_req_id twice', async () => {
    const adminToken = randomBytes(24).toString('base64url');
    const env: Record<string, string> = {
      OPENCIBA_DATA_DIR: dataDir,
      OPENCIBA_MASTER_KEY: randomBytes(32).toString('base64'),
      OPENCIBA_ADMIN_TOKEN: adminToken,
      OPENCIBA_DEMO: '0',
      OPENCIBA_PUBLIC_URL: 'http://127.0.0.1:1',
      ...(dialect === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    };
    const first = await startEmbeddedServe(env);
    running.push(first);
    const setup = await setUp(first.url, adminToken);

    // Load until the kill: each worker runs flows of both kinds, one after the other.
    const flows: Flow[] = [];
    let killed = false;
    const lost: string[] = [];
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (let n = 0; !killed; n++) {
        try {
          await runFlow(first.url, setup, (w + n) % 2 === 0 ? 'embedded' : 'separate', flows);
        } catch (error) {
          // Only the kill may break a flow: anything else before it is a failure of the server.
          if (!killed) throw error;
          lost.push(String(error));
        }
      }
    });
    // A random moment once the load is under way (some flows answered, others in every step).
    while (flows.filter((f) => f.accessTokens.length > 0).length < 20) await new Promise((r) => setTimeout(r, 5));
    const delay = Math.floor(Math.random() * 400);
    await new Promise((r) => setTimeout(r, delay));
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all([workers, exited].flat());
    expect(first.alive()).toBe(false);
    const context = `killed ${delay} ms after the 20th flow; ${flows.length} requests answered, ${lost.length} answers lost`;

    const second = await startEmbeddedServe(env);
    running.push(second);
    // Every token answered before the kill is stored and active. Asked first: the replayed
    // auth_req_ids below revoke what they had yielded, as RFC 6749 §4.1.2 does for a code.
    const answered = flows.filter((f) => f.accessTokens.length > 0);
    expect(answered.length).toBeGreaterThanOrEqual(20);
    for (const flow of answered) {
      const { serviceId, client } = setup.services[flow.kind];
      const introspected = await form(`${second.url}/s/${serviceId}/introspect`, { token: flow.accessTokens[0]! }, basic(client));
      expect(introspected.json?.active, `${context}; ${flow.authReqId}`).toBe(true);
    }
    for (const flow of flows) {
      const { serviceId, client } = setup.services[flow.kind];
      const what = `${context}; ${JSON.stringify({ ...flow, accessTokens: flow.accessTokens.length })}`;
      const token = await form(`${second.url}/s/${serviceId}/token`, { grant_type: CIBA, auth_req_id: flow.authReqId! }, basic(client));
      const outcome = token.status === 200 && typeof token.json?.access_token === 'string' ? 'tokens' : String(token.json?.error ?? token.status);
      if (flow.accessTokens.length > 0) {
        // Exchanged once already: never again.
        expect(outcome, what).toBe('invalid_grant');
      } else if (flow.tokenSent) {
        // Its token answer was lost: the exchange either happened (and is not repeated) or not.
        expect(['tokens', 'invalid_grant'], what).toContain(outcome);
      } else if (flow.approvalAcked) {
        expect(outcome, what).toBe('tokens');
      } else if (flow.approvalSent) {
        // The approval's answer was lost: it was recorded or it was not.
        expect(['tokens', 'authorization_pending'], what).toContain(outcome);
      } else {
        expect(outcome, what).toBe('authorization_pending');
      }
      // The answer just given is kept too: asking again is a replay.
      if (outcome === 'tokens') {
        const again = await form(`${second.url}/s/${serviceId}/token`, { grant_type: CIBA, auth_req_id: flow.authReqId! }, basic(client));
        expect(again.json?.error, what).toBe('invalid_grant');
      }
    }
    // Both kinds of flow were under way at the kill.
    expect(new Set(flows.map((f) => f.kind)).size).toBe(2);
  }, 90_000);
});
