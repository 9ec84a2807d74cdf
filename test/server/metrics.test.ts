import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { parsePrometheus, type Exposition } from '../support/prometheus.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';
import { runAuditChainer } from '../../src/server/audit/audit-housekeeping.js';
import { openDatabase } from '../../src/store/database.js';
import { insertUnlinkedAuditRows } from '../support/unlinked-audit-rows.js';

const CIBA = 'urn:openid:params:grant-type:ciba';
const TOKEN_ROUTE = '/s/:serviceId/token';

describe.each(DIALECTS)('metrics at /metrics on %s', (dialect) => {
  let server: TestServer;
  let clock: ManualClock;
  let receiver: Receiver;
  let front: FrontFixture;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ dialect, clock, background: false });
    receiver = await startReceiver();
    front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  async function scrape(): Promise<Exposition> {
    const response = await request(`${server.baseUrl}/metrics`, { headers: bearer(server.adminToken) });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return parsePrometheus(response.text);
  }
  const redeem = (authReqId: string) => postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));

  it('a ping flow moves the request, notification, queue and store metrics', async () => {
    const before = await scrape();
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: 'metrics-n' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    expect((await redeem(authReqId)).json.error).toBe('authorization_pending');
    expect((await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).status).toBe(200);

    // The ping is queued and due: the backlog gauges see it, and its age follows the clock.
    clock.advance(4_000);
    const queued = await scrape();
    expect(queued.value('openciba_notification_queue_due')).toBe(1);
    expect(queued.value('openciba_notification_oldest_due_age_seconds')).toBeGreaterThanOrEqual(4);

    expect(await server.runtime.front.dispatcher.runOnce()).toBe(1);
    expect((await redeem(authReqId)).status).toBe(200);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    const tokenCount = 'openciba_http_request_duration_seconds_count';
    expect(delta(tokenCount, { method: 'POST', route: TOKEN_ROUTE, outcome: 'authorization_pending' })).toBe(1);
    expect(delta(tokenCount, { method: 'POST', route: TOKEN_ROUTE, outcome: '2xx' })).toBe(1);
    expect(delta(tokenCount, { method: 'POST', route: '/s/:serviceId/backchannel/authentication', outcome: '2xx' })).toBe(1);
    expect(delta('openciba_notification_attempts_total', { kind: 'ping', outcome: 'delivered' })).toBe(1);
    expect(delta('openciba_notification_delivery_duration_seconds_count', { kind: 'ping' })).toBe(1);
    expect(after.value('openciba_notification_queue_due')).toBe(0);
    expect(after.value('openciba_notification_oldest_due_age_seconds')).toBe(0);
    // Every statement is timed; the flow ran selects and updates at least.
    expect(delta('openciba_store_statement_duration_seconds_count', { statement: 'select', outcome: 'ok' })).toBeGreaterThan(0);
    expect(delta('openciba_store_statement_duration_seconds_count', { statement: 'update', outcome: 'ok' })).toBeGreaterThan(0);
    expect(after.types.get('openciba_http_request_duration_seconds')).toBe('histogram');
  });

  it("reports the audit chainer's lag as gauges and in /health/ready, until the chainer links the events", async () => {
    // A flow's own events are linked as they are stored: nothing waits for the chainer.
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: 'lag-n' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status).toBe(200);
    expect((await scrape()).value('openciba_audit_unlinked_events')).toBe(0);
    // Rows an earlier version left unlinked wait, and age, until the chainer (off here: background: false) links them.
    const raw = openDatabase({ databaseUrl: server.config.databaseUrl, dataDir: server.config.dataDir });
    try {
      await insertUnlinkedAuditRows(raw.db, Number(front.serviceId), 4, clock.now());
    } finally {
      await raw.close();
    }
    clock.advance(7_000);
    const waiting = await scrape();
    expect(waiting.value('openciba_audit_unlinked_events')).toBe(4);
    expect(waiting.value('openciba_audit_oldest_unlinked_age_seconds')).toBeGreaterThanOrEqual(7);
    const ready = await request(`${server.baseUrl}/health/ready`);
    // Not ready here only because this test server runs no dispatcher; the lag is reported either way, never a reason.
    expect(ready.json.reason).not.toMatch(/audit/);
    expect(ready.json.auditChain).toEqual({ unlinkedEvents: 4, oldestUnlinkedAgeSeconds: expect.any(Number) });
    expect(ready.json.auditChain.oldestUnlinkedAgeSeconds).toBeGreaterThanOrEqual(7);

    expect(await runAuditChainer(server.runtime.store)).toBe(4);
    const linked = await scrape();
    expect(linked.value('openciba_audit_unlinked_events')).toBe(0);
    expect(linked.value('openciba_audit_oldest_unlinked_age_seconds')).toBe(0);
    expect((await request(`${server.baseUrl}/health/ready`)).json.auditChain).toEqual({ unlinkedEvents: 0, oldestUnlinkedAgeSeconds: 0 });
    await request(`${front.issuer}/device/api/ciba/${started.json.auth_req_id as string}/deny`, { method: 'POST' });
  });

  it('shows the process metrics, and the pool only on PostgreSQL', async () => {
    const m = await scrape();
    for (const name of ['openciba_nodejs_eventloop_lag_seconds', 'openciba_nodejs_heap_size_used_bytes', 'openciba_process_resident_memory_bytes']) {
      expect(m.has(name), name).toBe(true);
    }
    if (dialect === 'postgres') {
      expect(m.value('openciba_store_pool_connections', { state: 'max' })).toBe(10);
      expect(m.value('openciba_store_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(m.has('openciba_store_pool_waiting')).toBe(true);
    } else {
      expect(m.has('openciba_store_pool_connections')).toBe(false);
    }
  });

  it('labels by route template and known outcome only: raw paths and made-up error codes never become labels', async () => {
    const hostilePath = `/s/${'9'.repeat(12)}/no-such-${Date.now()}`;
    expect((await request(`${server.baseUrl}${hostilePath}`)).status).toBe(404);
    const bogus = await postForm(`${front.issuer}/token`, { grant_type: 'made_up_grant' }, basicAuth(front.clientId, front.clientSecret));
    expect(bogus.status).toBe(400);
    const m = await scrape();
    const routes = new Set(m.samples.map((s) => s.labels.route).filter((r) => r !== undefined));
    expect([...routes].some((r) => r.includes('no-such-'))).toBe(false);
    expect(m.value('openciba_http_request_duration_seconds_count', { route: 'unmatched', outcome: 'not_found' }) + m.value('openciba_http_request_duration_seconds_count', { route: 'unmatched', outcome: '4xx' })).toBeGreaterThan(0);
    expect(m.value('openciba_http_request_duration_seconds_count', { route: TOKEN_ROUTE, outcome: 'unsupported_grant_type' })).toBe(1);
    const outcomes = new Set(m.samples.map((s) => s.labels.outcome).filter((o) => o !== undefined));
    for (const outcome of outcomes) expect(outcome).toMatch(/^([1-5]xx|[a-z_]{1,40})$/);
  });

  it('needs the organization token: none, a bad one, a service token, oversized and malformed headers are refused', async () => {
    const url = `${server.baseUrl}/metrics`;
    const none = await request(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.headers.get('cache-control')).toBe('no-store');
    expect(none.json.resultCode).toBeTruthy();
    expect((await request(url, { headers: bearer('not-the-token') })).status).toBe(401);
    expect((await request(url, { headers: bearer('x'.repeat(5_000)) })).status).toBe(401);
    expect((await request(url, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } })).status).toBe(401);
    expect((await request(url, { headers: { authorization: 'Bearer' } })).status).toBe(401);
    const minted = await request(`${server.baseUrl}/admin/services/${front.serviceId}/tokens`, { method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: '{}' });
    expect(minted.status).toBe(200);
    const serviceToken = await request(url, { headers: bearer(minted.json.token as string) });
    expect(serviceToken.status).toBe(403);
    expect(serviceToken.text).not.toContain('openciba_');
    expect((await request(url, { method: 'POST', headers: bearer(server.adminToken) })).status).toBe(404);
  });
});

describe('two servers in one process count on registries of their own', () => {
  it('a request to one is not counted by the other', async () => {
    const a = await startTestServer({ background: false });
    const b = await startTestServer({ background: false });
    try {
      for (let i = 0; i < 3; i++) expect((await request(`${a.baseUrl}/health`)).status).toBe(200);
      const count = async (s: TestServer) =>
        parsePrometheus((await request(`${s.baseUrl}/metrics`, { headers: bearer(s.adminToken) })).text).value('openciba_http_request_duration_seconds_count', { route: '/health' });
      expect(await count(a)).toBe(3);
      expect(await count(b)).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
