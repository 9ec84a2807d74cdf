import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type NodeProcess } from '../support/cli.js';
import { adminApi } from '../support/admin-api.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { parsePrometheus } from '../support/prometheus.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { freshPostgresUrl } from '../support/test-server.js';
import { openStore } from '../../src/store/open-store.js';
import type { OutboxRecord, Store } from '../../src/store/ports.js';

const ADMIN = randomBytes(24).toString('base64url');
const baseEnv = () => ({ OPENCIBA_ADMIN_TOKEN: ADMIN, OPENCIBA_MASTER_KEY: randomBytes(32).toString('base64'), OPENCIBA_DEMO: '0' });

describe('OPENCIBA_METRICS_PORT: a listener that serves only /metrics', () => {
  let node: NodeProcess;
  let metricsPort: number;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-metrics-'));
    metricsPort = await freePort();
    node = await startServe({ ...baseEnv(), OPENCIBA_DATA_DIR: dataDir, OPENCIBA_METRICS_PORT: String(metricsPort) });
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the metrics without a token there, and nothing else; the main port still wants the token', async () => {
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    expect((await request(`${node.url}/health`)).status).toBe(200);
    const scraped = await request(`${metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const m = parsePrometheus(scraped.text);
    expect(m.value('openciba_http_request_duration_seconds_count', { route: '/health' })).toBeGreaterThanOrEqual(1);
    expect(m.has('openciba_process_resident_memory_bytes')).toBe(true);
    expect(m.has('openciba_notification_queue_due')).toBe(true);

    for (const path of ['/health', '/', '/api/service/get/list', '/metrics/../health', '/s/1/token', `/${'a'.repeat(5_000)}`]) {
      const other = await request(`${metricsUrl}${path}`);
      expect(other.status, path).toBe(404);
      expect(other.json.error).toBe('not_found');
    }
    expect((await request(`${metricsUrl}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await request(`${metricsUrl}/metrics?name[]=x`)).status).toBe(200);
    expect((await request(`${node.url}/metrics`)).status).toBe(401);
    expect((await request(`${node.url}/metrics`, { headers: bearer(ADMIN) })).status).toBe(200);
  });
});

/**
 * What became of one request: answered whole; refused (the connection was refused, or reset
 * before it was established); unanswered (reset before any byte of an answer: a connection the
 * kernel had queued but the process had not accepted when its listener closed — the server's
 * own count of requests cut tells it from a request cut mid-way); truncated (cut mid-answer).
 */
type Outcome = { kind: 'answered'; status: number } | { kind: 'refused' } | { kind: 'unanswered'; error: string } | { kind: 'truncated'; error: string };

/** One request on a connection of its own (no keep-alive pool to muddle what was accepted when). */
function oneRequest(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0 }));
      res.on('error', (error) => resolve({ kind: 'truncated', error: String(error) }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.syscall === 'connect') resolve({ kind: 'refused' });
      else resolve({ kind: 'unanswered', error: `${error.code ?? ''} ${error.message}` });
    });
    req.end(body);
  });
}

describe('SIGTERM: no request lost, notification leases handed back (PostgreSQL)', () => {
  let node: NodeProcess;
  let receiver: Receiver;
  let store: Store;
  let databaseUrl: string;
  /** The pings the receiver holds unanswered, by auth_req_id (dropped when the dispatcher gives up on one). */
  const held = new Map<string, () => void>();
  let holding = true;

  beforeAll(async () => {
    databaseUrl = await freshPostgresUrl();
    receiver = await startReceiver((request, res) => {
      if (!holding) return void res.writeHead(204).end();
      const id = (JSON.parse(request.body) as { auth_req_id: string }).auth_req_id;
      held.set(id, () => res.writeHead(204).end());
      res.once('close', () => held.delete(id));
    });
    node = await startServe({ ...baseEnv(), DATABASE_URL: databaseUrl, OPENCIBA_DATA_DIR: '/nonexistent-unused', OPENCIBA_SHUTDOWN_GRACE_MS: '15000', LOG_LEVEL: 'info' });
    store = (await openStore({ databaseUrl, dataDir: '/nonexistent-unused', migrate: false })).store;
  }, 60_000);
  afterAll(async () => {
    holding = false;
    for (const answer of held.values()) answer();
    await node?.stop();
    await store?.close();
    await receiver?.close();
  });

  it('requests in flight (one still uploading its body) are answered whole, later ones refused, none cut; unstarted notifications are released at once', async () => {
    const api = adminApi(node.url, ADMIN);
    const { serviceId } = await api.createService({ serviceName: 'shutdown', backchannelPollingInterval: 1 });
    const client = await api.createClient(serviceId, { clientName: 'ping', bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    await api.putUser(serviceId, 'alice', { name: 'Alice' });
    await api.call('PUT', `/admin/services/${serviceId}/front`, { maxPendingRequestsPerUser: 1000, maxRequestsPerMinutePerUser: 100_000, maxRequestsPerMinutePerClient: 1_000_000 });
    const issuer = `${node.url}/s/${serviceId}`;
    const auth = basicAuth(client.clientId, client.clientSecret);

    // 20 approved pings to a receiver that holds every request: once a claim takes more than 8,
    // the dispatcher's 8 workers are stuck in deliveries and the other claimed rows wait unstarted.
    // (If the first claim takes fewer, its run ends at the 5 s delivery timeout and the next one
    // takes at least 12.)
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: `n-${i}` }, auth);
      expect(started.status, started.text).toBe(200);
      ids.push(started.json.auth_req_id as string);
    }
    await Promise.all(ids.map((id) => request(`${issuer}/device/api/ciba/${id}/allow`, { method: 'POST' })));
    const rows = async () => (await store.listOutbox(Number(serviceId), 0, 100)).items;
    // Rows name their request by a prefix of its auth_req_id only.
    const among = (ids: Iterable<string>, r: OutboxRecord) => [...ids].some((id) => id.startsWith(String(r.summary.authReqIdPrefix)));
    const waiting = async () => (await rows()).filter((r) => r.status === 'pending' && r.claimedUntil !== null && !among(held.keys(), r));
    await expect.poll(async () => held.size === 8 && (await waiting()).length > 0, { timeout: 30_000, interval: 50 }).toBe(true);

    // A request accepted before the signal whose body is still arriving.
    const form = new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: ids[0]! }).toString();
    const slow = new Promise<Outcome>((resolve) => {
      const req = httpRequest(`${issuer}/token`, { method: 'POST', agent: false, headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(form.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0 }));
      });
      req.on('error', (error) => resolve({ kind: 'truncated', error: String(error) }));
      req.write(form.slice(0, 10));
      setTimeout(() => req.end(form.slice(10)), 1_500);
    });
    await new Promise((r) => setTimeout(r, 200));

    const unknownGrant = new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'no-such-request' }).toString();
    // Load: 8 clients sending token requests back to back until the node refuses them.
    const outcomes: Outcome[] = [];
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const outcome = await oneRequest(`${issuer}/token`, unknownGrant, { ...auth, 'content-type': 'application/x-www-form-urlencoded' });
          outcomes.push(outcome);
          if (outcome.kind !== 'answered') return;
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    node.child.kill('SIGTERM');

    // The claimed rows not started are free for any node at once, long before the held
    // deliveries end; the ones in flight keep their (renewed) leases.
    const stuck = [...held.keys()];
    await expect.poll(async () => (await waiting()).length, { timeout: 1_500, interval: 20 }).toBe(0);
    const after = await rows();
    for (const r of after.filter((r) => among(stuck, r))) expect(r.claimedUntil).not.toBeNull();
    expect(after.filter((r) => r.status === 'pending' && r.claimedUntil === null).length).toBeGreaterThan(0);
    expect(held.size).toBe(8);

    await load;
    const slowOutcome = await slow;
    holding = false;
    for (const answer of held.values()) answer();
    const code = await new Promise<number | null>((resolve) => (node.child.exitCode !== null ? resolve(node.child.exitCode) : node.child.once('exit', (c) => resolve(c))));

    expect(outcomes.filter((o) => o.kind === 'truncated')).toEqual([]);
    expect(slowOutcome).toMatchObject({ kind: 'answered', status: 200 });
    const answered = outcomes.filter((o): o is Extract<Outcome, { kind: 'answered' }> => o.kind === 'answered');
    expect(answered.length).toBeGreaterThan(8);
    // invalid_grant for the unknown auth_req_id, never a 5xx.
    expect(answered.every((o) => o.status === 400)).toBe(true);
    // Every load client ended on a connection the node did not take.
    expect(outcomes.filter((o) => o.kind !== 'answered')).toHaveLength(8);
    expect(code).toBe(0);
    // The node's own count: every request it read was answered whole, none cut.
    const summary = node.output().split('\n').filter((line) => line.includes('"shut down"')).map((line) => JSON.parse(line) as { requests: number; cut: number; clean: boolean });
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ cut: 0, clean: true });
    expect(summary[0]!.requests).toBeGreaterThanOrEqual(answered.length + 1);
    // The deliveries in flight were recorded before the store closed.
    const delivered = (await rows()).filter((r) => r.status === 'delivered');
    expect(delivered).toHaveLength(8);
    expect(delivered.every((r) => among(stuck, r))).toBe(true);
  }, 90_000);
});
