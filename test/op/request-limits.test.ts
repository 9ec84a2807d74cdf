import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/server/housekeeping.js';
import { FRONT_LIMIT_SETTINGS } from '../../src/store/ports/front-settings-store.js';
import { ManualClock } from '../support/clock.js';
import { createFront } from '../support/front-fixtures.js';
import { bearer, request, type RawResponse } from '../support/http.js';
import { backchannel, recordFrontLog, setFrontLimits, type LoggedEntry } from '../support/limit-fixtures.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

function expectTooMany(response: RawResponse, maxRetryAfter: number) {
  expect(response.status, response.text).toBe(429);
  expect(response.json.error).toBe('slow_down');
  expect(typeof response.json.error_description).toBe('string');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
}

const HIGH = { maxPendingRequestsPerUser: 1000, maxRequestsPerMinutePerUser: 100_000, maxRequestsPerMinutePerClient: 1_000_000 };

describe.each(DIALECTS)('limits on backchannel requests (%s)', (dialect) => {
  let server: TestServer;
  let clock: ManualClock;
  let log: LoggedEntry[];

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ dialect, clock, background: false });
    log = recordFrontLog(server);
  });
  afterAll(() => server?.close());

  const refusals = (serviceId: string, limit: string) => log.filter((e) => e.details.event === 'backchannel_request_limited' && e.details.serviceId === Number(serviceId) && e.details.limit === limit);

  it('the (N+1)th request of a client within a minute is 429 with Retry-After, counted in the log; the next minute is open', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxRequestsPerMinutePerClient: 3 });
    for (const hint of ['alice', 'bob', 'alice']) expect((await backchannel(front, { login_hint: hint })).status).toBe(200);
    clock.advance(20_000);
    const refused = await backchannel(front, { login_hint: 'alice' });
    expectTooMany(refused, 40);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(refusals(front.serviceId, 'maxRequestsPerMinutePerClient')).toHaveLength(1);
    clock.advance(40_000);
    expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
  });

  it('per user per minute: a third request at alice is refused, bob is not', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxRequestsPerMinutePerUser: 2 });
    expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
    expect((await backchannel(front, { login_hint: 'alice@example.com' })).status).toBe(200);
    expectTooMany(await backchannel(front, { login_hint: 'alice' }), 60);
    expect((await backchannel(front, { login_hint: 'bob' , user_code: '4321' })).status).toBe(200);
    expect(refusals(front.serviceId, 'maxRequestsPerMinutePerUser')[0]!.details).toMatchObject({ subject: 'alice', clientId: front.clientId });
  });

  it('the cap on pending requests per user: refused until one is decided, Retry-After until the oldest expires', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxPendingRequestsPerUser: 2 });
    const first = await backchannel(front, { login_hint: 'alice', requested_expiry: '120' });
    expect(first.status).toBe(200);
    clock.advance(30_000);
    expect((await backchannel(front, { login_hint: 'alice', requested_expiry: '300' })).status).toBe(200);
    const refused = await backchannel(front, { login_hint: 'alice' });
    expectTooMany(refused, 90);
    expect(refused.headers.get('retry-after')).toBe('90');
    expect(refusals(front.serviceId, 'maxPendingRequestsPerUser')).toHaveLength(1);

    const denied = await request(`${front.issuer}/device/api/ciba/${first.json.auth_req_id}/deny`, { method: 'POST' });
    expect(denied.status).toBe(200);
    expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
    expectTooMany(await backchannel(front, { login_hint: 'alice' }), 300);
    // Expired requests no longer count.
    clock.advance(300_000);
    expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
  });

  it('a concurrent burst at one user does not overshoot the pending cap', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxPendingRequestsPerUser: 3 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => backchannel(front, { login_hint: 'alice' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    for (const refused of answers.filter((a) => a.status !== 200)) expectTooMany(refused, 600);
    const pending = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(pending.status).toBe(200);
    expect(pending.json.requests).toHaveLength(3);
  });

  it('a concurrent burst from one client does not overshoot its requests per minute', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxRequestsPerMinutePerClient: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => backchannel(front, { login_hint: i % 2 ? 'alice' : 'bob', ...(i % 2 ? {} : { user_code: '4321' }) })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    for (const refused of answers.filter((a) => a.status !== 200)) expectTooMany(refused, 60);
  });

  it('the defaults stop a push-bombing client at five pending requests for one user', async () => {
    const front = await createFront(server);
    for (let i = 0; i < 5; i++) expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
    expectTooMany(await backchannel(front, { login_hint: 'alice' }), 600);
  });

  it('housekeeping removes counters and reservations that no longer count', async () => {
    const front = await createFront(server);
    await setFrontLimits(front, { ...HIGH, maxRequestsPerMinutePerClient: 1 });
    expect((await backchannel(front, { login_hint: 'alice' })).status).toBe(200);
    clock.advance(24 * 60 * 60 * 1000);
    expect(await runHousekeeping(server.runtime.store, clock)).toBeGreaterThan(0);
    const counts = await server.runtime.store.purgeExpired(clock.now(), { finishedMs: 0, transactionsMs: 0 }, 1000);
    expect(counts.attemptCounters).toBe(0);
    expect(counts.requestReservations).toBe(0);
  });
});

describe('front limit settings: validated, defaults shown', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('GET shows the defaults; PUT stores values in range', async () => {
    const front = await createFront(server);
    const path = `/admin/services/${front.serviceId}/front`;
    expect(await front.admin('GET', path)).toMatchObject({
      userCodeMaxFailuresPerUser: 5, userCodeMaxFailuresPerClient: 20, userCodeFailureWindowSeconds: 900, userCodeLockoutSeconds: 900,
      maxPendingRequestsPerUser: 5, maxRequestsPerMinutePerUser: 10, maxRequestsPerMinutePerClient: 600,
    });
    await setFrontLimits(front, { maxPendingRequestsPerUser: 7, userCodeLockoutSeconds: 60 });
    expect(await front.admin('GET', path)).toMatchObject({ maxPendingRequestsPerUser: 7, userCodeLockoutSeconds: 60, maxRequestsPerMinutePerUser: 10 });
  });

  it('out of range, fractional, non-numeric and structured values are 400 naming the field, and nothing is stored', async () => {
    const front = await createFront(server);
    const path = `${server.baseUrl}/admin/services/${front.serviceId}/front`;
    const put = (body: string) => request(path, { method: 'PUT', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body });
    for (const [field, range] of Object.entries(FRONT_LIMIT_SETTINGS)) {
      for (const value of [range.minimum - 1, range.maximum + 1, -1, 1.5, '"abc"', '{}', '{"$gt":0}', '"1; DROP TABLE users"', '1e308', '"\\u0000"']) {
        const response = await put(`{"${field}":${value}}`);
        expect(response.status, `${field}=${value}: ${response.text}`).toBe(400);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(String(response.json.resultMessage)).toContain(field);
      }
    }
    expect((await put('{"maxPendingRequestsPerUser":5,"maxPendingRequestsPerUserX":1}')).status).toBe(400);
    expect(await front.admin('GET', `/admin/services/${front.serviceId}/front`)).toMatchObject({ maxPendingRequestsPerUser: 5, userCodeMaxFailuresPerUser: 5 });
  });
});
