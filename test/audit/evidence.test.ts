import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';
import { verifyAuditChain } from '../../src/engine/audit/verify-chain.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

// Issue 14, part 3: one transaction's evidence tells its whole story in order, with the chain proof.
describe.each(DIALECTS)('audit trail and evidence (%s)', (dialect) => {
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

  const admin = (path: string, token = server.adminToken) => request(`${server.baseUrl}${path}`, { headers: bearer(token) });
  const auth = () => basicAuth(front.clientId, front.clientSecret);
  async function pingFlow(bindingMessage = 'Pay 10 EUR') {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid email', login_hint: 'alice', client_notification_token: 'nt-1', binding_message: bindingMessage }, auth());
    expect(started.status, started.text).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    clock.advance(3_000);
    expect((await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).status).toBe(200);
    expect(await server.runtime.front.dispatcher.runOnce()).toBe(1);
    clock.advance(2_000);
    const tokens = await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth());
    expect(tokens.status, tokens.text).toBe(200);
    return { authReqId, tokens: tokens.json as Record<string, string> };
  }

  it('a ping flow\'s evidence returns the whole story in order, chain verified, no token values', async () => {
    const { authReqId, tokens } = await pingFlow();
    const answer = await admin(`/admin/services/${front.serviceId}/requests/${authReqId}/evidence`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const evidence = answer.json;
    expect(evidence.authReqId).toBe(authReqId);
    expect(evidence.serviceId).toBe(Number(front.serviceId));
    expect(evidence.events.map((e: { type: string }) => e.type)).toEqual([
      'backchannel.requested', 'user.identified', 'request.issued', 'device.notified', 'decision.recorded', 'notification.attempt', 'tokens.issued',
    ]);
    const [requested, identified, issued, notified, decision, attempt, issuedTokens] = evidence.events;
    expect(requested.data).toEqual({ clientId: front.clientId, hintType: 'LOGIN_HINT', scopes: ['openid', 'email'], bindingMessage: 'Pay 10 EUR', deliveryMode: 'PING' });
    expect(identified).toMatchObject({ subject: 'alice', data: { subject: 'alice' } });
    expect(issued).toMatchObject({ authReqId, clientId: front.clientId, data: { expiresIn: expect.any(Number) } });
    expect(notified.data).toEqual({ channel: 'simulator' });
    expect(decision.data).toMatchObject({ outcome: 'approved', channel: 'simulator', decidedBy: 'user' });
    expect(attempt.data).toEqual({ attempt: 1, status: 204, outcome: 'delivered', kind: 'ping' });
    expect(Object.keys(issuedTokens.data).sort()).toEqual(['accessTokenDigest', 'idTokenDigest', 'refreshTokenDigest', 'requestedAt']);
    // Decision 3 s and tokens 5 s after the request, by the manual clock.
    expect(Date.parse(decision.at) - Date.parse(requested.at)).toBe(3_000);
    expect(Date.parse(issuedTokens.at) - Date.parse(requested.at)).toBe(5_000);
    // Every event linked, in order, and the proof covers them.
    const seqs = evidence.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const event of evidence.events) expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.chain).toMatchObject({ verified: true, fromSeq: seqs[0], toSeq: seqs.at(-1), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // No token value anywhere in the evidence.
    for (const value of [tokens.access_token, tokens.id_token, tokens.refresh_token].filter(Boolean)) expect(answer.text.includes(value!)).toBe(false);
    expect((await verifyAuditChain(server.runtime.store, Number(front.serviceId))).ok).toBe(true);
  });

  it('the service\'s own token reads its evidence; another service\'s token is 403; an unknown auth_req_id is 404', async () => {
    const { authReqId } = await pingFlow();
    const own = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/tokens`, { method: 'POST', headers: bearer(server.adminToken) })).json.token as string;
    expect((await admin(`/admin/services/${front.serviceId}/requests/${authReqId}/evidence`, own)).status).toBe(200);
    const other = await createFront(server);
    const otherToken = (await request(`${server.baseUrl}/admin/services/${other.serviceId}/tokens`, { method: 'POST', headers: bearer(server.adminToken) })).json.token as string;
    expect((await admin(`/admin/services/${front.serviceId}/requests/${authReqId}/evidence`, otherToken)).status).toBe(403);
    expect((await admin(`/admin/services/${front.serviceId}/events`, otherToken)).status).toBe(403);
    // Another service's transaction is not this service's.
    const missing = await admin(`/admin/services/${other.serviceId}/requests/${authReqId}/evidence`);
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('not_found');
    expect((await admin(`/admin/services/${front.serviceId}/requests/no-such-request/evidence`)).json).toMatchObject({ error: 'not_found' });
    expect((await admin(`/admin/services/${front.serviceId}/requests/${'x'.repeat(300)}/evidence`)).status).toBe(400);
    expect((await request(`${server.baseUrl}/admin/services/${front.serviceId}/events`)).status).toBe(401);
  });

  it('records unknown users, refusals, replays and admin changes with their actor', async () => {
    const unknown = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'nobody', client_notification_token: 'nt' }, auth());
    expect(unknown.json.error).toBe('unknown_user_id');
    const locked = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'carol', client_notification_token: 'nt' }, auth());
    expect(locked.status).toBe(403);
    const { authReqId } = await pingFlow();
    clock.advance(10_000);
    const replayed = await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth());
    expect(replayed.json.error).toBe('invalid_grant');
    await server.runtime.front.dispatcher.runOnce();

    const events = (type: string) => admin(`/admin/services/${front.serviceId}/events?type=${type}`).then((r) => r.json.events as { data: Record<string, unknown>; authReqId?: string }[]);
    expect((await events('user.unknown')).map((e) => e.data)).toContainEqual({ hintType: 'LOGIN_HINT' });
    expect((await events('security.refused')).map((e) => e.data.rule)).toContain('user_locked');
    expect((await events('replay.detected')).map((e) => e.authReqId)).toEqual([authReqId]);

    const admins = await events('admin.changed');
    expect(admins.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { actor: 'organization', resource: 'client', action: 'create', target: front.clientId, changes: ['clientName', 'bcDeliveryMode', 'bcNotificationEndpoint'] },
        { actor: 'organization', resource: 'user', action: 'lock', target: 'carol', changes: ['name', 'status'] },
        expect.objectContaining({ actor: 'organization', resource: 'service', action: 'create', target: front.serviceId }),
      ]),
    );
    // A service token is named by its id, never by its value.
    const token = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/tokens`, { method: 'POST', headers: bearer(server.adminToken) })).json.token as string;
    const put = await request(`${server.baseUrl}/admin/services/${front.serviceId}/users/dave`, { method: 'PUT', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Dave', userCode: 'wren-7391-quill' }) });
    expect(put.status, put.text).toBe(200);
    const dave = (await events('admin.changed')).at(-1)!;
    expect(dave.data).toEqual({ actor: expect.stringMatching(/^service-token:[A-Za-z0-9_-]{16}$/), resource: 'user', action: 'update', target: 'dave', changes: ['name', 'userCode'] });
    const all = (await admin(`/admin/services/${front.serviceId}/events?limit=1000`)).text;
    expect(all.includes(token)).toBe(false);
    // A code no id, hash, digest or timestamp can contain by chance.
    expect(all.includes('wren-7391-quill')).toBe(false);
  });

  it('filters by type, time, transaction and client, and pages with a cursor', async () => {
    const { authReqId } = await pingFlow();
    const base = `/admin/services/${front.serviceId}/events`;
    const byRequest = (await admin(`${base}?authReqId=${authReqId}`)).json.events;
    expect(byRequest.length).toBeGreaterThanOrEqual(4);
    for (const e of byRequest) expect(e.authReqId).toBe(authReqId);
    const two = (await admin(`${base}?type=request.issued,tokens.issued&authReqId=${authReqId}`)).json.events.map((e: { type: string }) => e.type);
    expect(two).toEqual(['request.issued', 'tokens.issued']);
    expect((await admin(`${base}?clientId=${front.clientId}&type=request.issued`)).json.events.length).toBeGreaterThanOrEqual(1);
    expect((await admin(`${base}?clientId=999999999`)).json.events).toEqual([]);
    const future = new Date(clock.now() + 60_000).toISOString();
    expect((await admin(`${base}?since=${future}`)).json.events).toEqual([]);
    expect((await admin(`${base}?until=${encodeURIComponent(new Date(0).toISOString())}`)).json.events).toEqual([]);

    // Paging: pages of 3 put together are the whole list, oldest first, no repeats.
    const whole = (await admin(`${base}?limit=1000`)).json.events.map((e: { id: string }) => e.id);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await admin(`${base}?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json;
      paged.push(...page.events.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(whole);
    expect([...whole].sort()).toEqual(whole);
  });

  it('refuses bad filters with 400 invalid_request, never a 500', async () => {
    const base = `${server.baseUrl}/admin/services/${front.serviceId}/events`;
    const bad = [
      '?limit=0', '?limit=1001', '?limit=99999999999999999999', '?limit=-1', '?limit=1.5', '?limit=abc',
      '?since=yesterday', '?since=2026-13-45T99:99:99Z', '?until=1700000000000', '?since=2026-01-01',
      '?type=' + 'a,'.repeat(50) + 'a', '?type=BAD TYPE', '?type=', '?type=a&type=b',
      '?cursor=%00%01', '?cursor=' + 'A'.repeat(200), '?cursor=bm90LWFuLWlk', '?cursor[a]=1',
      '?clientId=' + 'x'.repeat(100), '?authReqId=' + 'y'.repeat(300), '?unknown=1', '?limit[0]=1', '?limit=1&limit=2',
      '?' + 'a'.repeat(5000) + '=1',
    ];
    for (const query of bad) {
      const answer = await request(`${base}${query}`, { headers: bearer(server.adminToken) });
      expect(answer.status, `${query.slice(0, 60)} → ${answer.text}`).toBe(400);
      expect(answer.json.error).toBe('invalid_request');
      expect(typeof answer.json.error_description).toBe('string');
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    expect((await request(`${server.baseUrl}/admin/services/abc/events`, { headers: bearer(server.adminToken) })).status).toBeLessThan(500);
    expect((await request(`${server.baseUrl}/admin/services/987654321/events`, { headers: bearer(server.adminToken) })).status).toBe(404);
  });
});
