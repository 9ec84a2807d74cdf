import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

// The bench's lean variant (OPENCIBA_AUDIT_TRAIL=off OPENCIBA_METRICS=off, development only): the
// flow is the same, and neither an event nor a metric is kept.
describe.each(DIALECTS)('audit trail and metrics off (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock, background: false, env: { OPENCIBA_AUDIT_TRAIL: 'off', OPENCIBA_METRICS: 'off' } });
    front = await createFront(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a poll flow gets its tokens; no event is stored, no metric counted, /metrics is not served', async () => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status, started.text).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    expect((await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).status).toBe(200);
    const tokens = await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));
    expect(tokens.status, tokens.text).toBe(200);

    expect(await server.runtime.store.listAuditEvents(Number(front.serviceId), { limit: 10 })).toEqual([]);
    expect((await request(`${server.baseUrl}/admin/services/${front.serviceId}/requests/${authReqId}/evidence`, { headers: bearer(server.adminToken) })).status).toBe(404);
    expect((await server.runtime.metrics.getMetricsAsJSON()).length).toBe(0);
    expect((await request(`${server.baseUrl}/metrics`, { headers: bearer(server.adminToken) })).status).toBe(404);
  });
});
