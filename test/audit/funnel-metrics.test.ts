import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFunnelMetrics } from '../../src/server/metrics/funnel-metrics.js';
import { loadConfig } from '../../src/server/config.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { withFreePort } from '../support/ports.js';
import type { TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

/** Prometheus text → { 'name{labels}': value }, as a scraper reads it. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a metric line: ${line}`);
    values.set(match[1]!, Number(match[2]));
  }
  return values;
}

// Issue 14, part 1 (the CIBA funnel): counted from the audit trail through a listener, per
// service, and the same events are JSON lines in the log (`"event":"audit"`, no secrets).
describe('funnel metrics and audit log lines', () => {
  let runtime: Runtime;
  let server: TestServer;
  let receiver: Receiver;
  let front: FrontFixture;
  let dataDir: string;
  const clock = new ManualClock(Date.now());
  const registry = new Registry();
  let log = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-funnel-'));
    const adminToken = randomBytes(24).toString('base64url');
    const stream = new Writable({ write(chunk, _encoding, done) { log += chunk.toString(); done(); } });
    ({ runtime } = await withFreePort(async (port) => {
      const config = loadConfig({ OPENCIBA_DATA_DIR: dataDir, OPENCIBA_ADMIN_TOKEN: adminToken, OPENCIBA_MODE: 'development', OPENCIBA_DEMO: '0', PORT: String(port) });
      const built = await createRuntime(config, { clock, background: false, logger: { level: 'info', stream } });
      await built.app.listen({ port, host: '127.0.0.1' });
      return { runtime: built };
    }));
    runtime.audit.listen(registerFunnelMetrics(registry));
    const address = runtime.app.server.address() as { port: number };
    server = { baseUrl: `http://127.0.0.1:${address.port}`, adminToken, runtime, config: undefined as never, close: async () => {} };
    receiver = await startReceiver();
    front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
  });
  afterAll(async () => {
    await receiver?.close();
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const auth = () => basicAuth(front.clientId, front.clientSecret);
  const start = async (form: Record<string, string> = {}) => postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: 'nt', ...form }, auth());

  it('a flow produces the expected increments, scraped as text and parsed', async () => {
    // Approved after 4 s, redeemed 6 s after the request, then replayed.
    const approved = (await start()).json.auth_req_id as string;
    clock.advance(4_000);
    await request(`${front.issuer}/device/api/ciba/${approved}/allow`, { method: 'POST' });
    clock.advance(2_000);
    expect((await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: approved }, auth())).status).toBe(200);
    clock.advance(10_000);
    expect((await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: approved }, auth())).json.error).toBe('invalid_grant');
    // Denied; an unknown user; one left to expire.
    const denied = (await start()).json.auth_req_id as string;
    await request(`${front.issuer}/device/api/ciba/${denied}/deny`, { method: 'POST' });
    expect((await start({ login_hint: 'nobody' })).json.error).toBe('unknown_user_id');
    const expiring = await start({ requested_expiry: '30' });
    expect(expiring.status).toBe(200);
    clock.advance(31_000);
    expect(await runtime.front.sweep()).toBe(1);
    await runtime.front.dispatcher.runOnce();

    const values = parseMetrics(await registry.metrics());
    const label = `{service_id="${front.serviceId}"}`;
    expect(values.get(`openciba_ciba_requests_total${label}`)).toBe(4);
    expect(values.get(`openciba_ciba_unknown_users_total${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_device_notified_total${label}`)).toBe(3);
    expect(values.get(`openciba_ciba_approved_total${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_denied_total${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_expired_total${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_tokens_issued_total${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_replays_total${label}`)).toBe(1);
    // Three decisions (approved at 4 s, denied at once, failed at expiry after 31 s); one token at 6 s.
    expect(values.get(`openciba_ciba_request_to_decision_seconds_count${label}`)).toBe(3);
    expect(values.get(`openciba_ciba_request_to_decision_seconds_bucket{le="5",service_id="${front.serviceId}"}`)).toBe(2);
    expect(values.get(`openciba_ciba_request_to_token_seconds_count${label}`)).toBe(1);
    expect(values.get(`openciba_ciba_request_to_token_seconds_sum${label}`)).toBe(6);
    // Labels are bounded: the service id, and le on buckets; never a client id or subject.
    for (const key of values.keys()) expect(key.replace(/\{.*\}$/, '').length > 0 && !/client|subject|sub=/.test(key)).toBe(true);
  });

  it('every stored event is also one JSON line with "event":"audit", holding no secret', async () => {
    const lines = log.split('\n').filter((l) => l.includes('"event":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = lines.map((l) => l.type);
    for (const type of ['backchannel.requested', 'user.identified', 'request.issued', 'device.notified', 'decision.recorded', 'tokens.issued', 'replay.detected', 'user.unknown', 'request.expired', 'notification.attempt', 'admin.changed']) {
      expect(types, type).toContain(type);
    }
    const stored = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/events?limit=1000`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json.events as { id: string }[];
    const logged = new Set(lines.map((l) => l.id));
    for (const event of stored) expect(logged.has(event.id), event.id).toBe(true);
    expect(log.includes(front.clientSecret)).toBe(false);
    expect(log.includes(server.adminToken)).toBe(false);
  });
});
