import { request } from './http.js';
import { adminApi } from './admin-api.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './receiver.js';

export type Mode = 'POLL' | 'PING' | 'PUSH';

export interface ClusterNode {
  url: string;
  alive(): boolean;
}

export interface DriverSetup {
  nodes: ClusterNode[];
  /** Where approvals go (the simulator's automated approval URL). */
  approvalNode: ClusterNode;
  serviceId: string;
  clients: Record<Mode, { clientId: string; clientSecret: string }>;
  receiver: Receiver;
}

export interface FlowRecord {
  index: number;
  mode: Mode;
  authReqId: string;
  approved: boolean;
  tokenSuccesses: number;
  tokenOutcomes: string[];
  /** A token request whose answer was lost because its node died. */
  lostTokenRequest: boolean;
  /**
   * What introspecting the one access token the burst yielded said, once every duplicate was
   * answered: a concurrent retry must not revoke what the winner got. Undefined without a winner.
   */
  winner?: { active: boolean; sub: unknown };
  finished: boolean;
  /** When the approval was answered (epoch ms): from then on a ping or push is due. */
  approvedAt?: number;
}

const CIBA = 'urn:openid:params:grant-type:ciba';
const basic = (c: { clientId: string; clientSecret: string }) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

let cursor = 0;
function pickNode(nodes: ClusterNode[]): ClusterNode {
  const alive = nodes.filter((n) => n.alive());
  if (alive.length === 0) throw new Error('no node alive');
  cursor = (cursor + 1) % alive.length;
  return alive[cursor]!;
}

/** A form POST to some live node; a node dying under it sends the request to another one. */
async function postToAny(nodes: ClusterNode[], path: string, form: Record<string, string>, authorization: string) {
  for (let attempt = 0; ; attempt++) {
    const node = pickNode(nodes);
    try {
      return await request(`${node.url}${path}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function createReceiver(): Promise<Receiver> {
  return startReceiver();
}

export function notificationsFor(receiver: Receiver, authReqId: string): ReceivedRequest[] {
  return receiver.requests.filter((r) => r.body.includes(`"auth_req_id":"${authReqId}"`));
}

async function waitForNotification(receiver: Receiver, authReqId: string, timeoutMs: number): Promise<ReceivedRequest | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = notificationsFor(receiver, authReqId)[0];
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One CIBA flow across the cluster: start it on some node, approve it on the approval node, wait
 * for the ping or push, then (poll and ping) send `duplicates` token requests at once, spread
 * over the live nodes.
 */
export async function runFlow(setup: DriverSetup, index: number, duplicates: number): Promise<FlowRecord> {
  const mode: Mode = (['POLL', 'PING', 'PUSH'] as const)[index % 3]!;
  const client = setup.clients[mode];
  const base = `/s/${setup.serviceId}`;
  const record: FlowRecord = { index, mode, authReqId: '', approved: false, tokenSuccesses: 0, tokenOutcomes: [], lostTokenRequest: false, finished: false };

  const started = await postToAny(setup.nodes, `${base}/backchannel/authentication`, {
    scope: 'openid',
    login_hint: `user${index % 5}`,
    ...(mode === 'POLL' ? {} : { client_notification_token: `notify-${index}` }),
  }, basic(client));
  if (started.status !== 200) throw new Error(`flow ${index}: backchannel ${started.status} ${started.text}`);
  record.authReqId = started.json.auth_req_id;

  const approved = await request(`${setup.approvalNode.url}${base}/device/api/ciba/${record.authReqId}/allow`, { method: 'POST' });
  record.approved = approved.json?.result === 'AUTHORIZED';
  record.approvedAt = Date.now();
  if (!record.approved) throw new Error(`flow ${index}: approval ${approved.status} ${approved.text}`);

  if (mode !== 'POLL') {
    const notification = await waitForNotification(setup.receiver, record.authReqId, 30_000);
    if (!notification) throw new Error(`flow ${index}: no ${mode} notification`);
    if (mode === 'PUSH') {
      record.finished = typeof JSON.parse(notification.body).access_token === 'string';
      return record;
    }
  }

  const accessTokens: string[] = [];
  const attempts = await Promise.all(
    Array.from({ length: duplicates }, async () => {
      const node = pickNode(setup.nodes);
      try {
        const response = await request(`${node.url}${base}/token`, {
          method: 'POST',
          headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: CIBA, auth_req_id: record.authReqId }).toString(),
        });
        if (response.status === 200 && typeof response.json.access_token === 'string') {
          accessTokens.push(response.json.access_token);
          return 'ok';
        }
        return String(response.json?.error ?? response.status);
      } catch {
        return 'lost';
      }
    }),
  );
  record.tokenOutcomes = attempts;
  record.tokenSuccesses = attempts.filter((a) => a === 'ok').length;
  record.lostTokenRequest = attempts.includes('lost');
  if (accessTokens.length === 1) record.winner = await introspect(setup, client, accessTokens[0]!);
  record.finished = record.tokenSuccesses === 1 || record.lostTokenRequest;
  return record;
}

/** RFC 7662 at the service's front, as the client itself, on any live node. */
async function introspect(setup: DriverSetup, client: { clientId: string; clientSecret: string }, token: string): Promise<{ active: boolean; sub: unknown }> {
  const response = await postToAny(setup.nodes, `/s/${setup.serviceId}/introspect`, { token }, basic(client));
  if (response.status !== 200) throw new Error(`introspection: ${response.status} ${response.text}`);
  return { active: response.json.active === true, sub: response.json.sub };
}

/** Runs `count` flows, `concurrency` at a time; `onStarted(n)` sees each flow start. */
export async function runFlows(setup: DriverSetup, count: number, concurrency: number, duplicates: number, onStarted?: (n: number) => void): Promise<FlowRecord[]> {
  const results: FlowRecord[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        onStarted?.(index);
        results.push(await runFlow(setup, index, duplicates));
      }
    }),
  );
  return results.sort((a, b) => a.index - b.index);
}

/** Creates the service, one client per delivery mode and five users through the API. */
export async function setUpService(apiUrl: string, adminToken: string, receiverUrl: string) {
  const api = adminApi(apiUrl, adminToken);
  const { serviceId } = await api.createService({ serviceName: 'cluster', backchannelPollingInterval: 1 });
  const client = async (mode: Mode) => {
    const { clientId, clientSecret } = await api.createClient(serviceId, {
      clientName: `${mode} client`,
      bcDeliveryMode: mode,
      ...(mode === 'POLL' ? {} : { bcNotificationEndpoint: `${receiverUrl}/${mode.toLowerCase()}` }),
    });
    return { clientId, clientSecret };
  };
  const clients = { POLL: await client('POLL'), PING: await client('PING'), PUSH: await client('PUSH') };
  for (let u = 0; u < 5; u++) await api.putUser(serviceId, `user${u}`, { name: `User ${u}` });
  // A load test, not push-bombing: hundreds of flows at five users from three clients, within a minute.
  await api.call('PUT', `/admin/services/${serviceId}/front`, { maxPendingRequestsPerUser: 1000, maxRequestsPerMinutePerUser: 100_000, maxRequestsPerMinutePerClient: 1_000_000 });
  return { serviceId, clients };
}
